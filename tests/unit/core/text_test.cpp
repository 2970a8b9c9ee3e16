#include <doctest/doctest.h>

#include "core/text.hpp"

#include <string>
#include <vector>

TEST_CASE("ascii_lower lower-cases ASCII letters only") {
  CHECK(fkv::ascii_lower("Key-Vault_01") == "key-vault_01");
  CHECK(fkv::ascii_lower("PÄSS") == "pÄss");  // UTF-8 bytes untouched
  CHECK(fkv::ascii_lower("") == "");
}

TEST_CASE("lower_char folds A-Z only") {
  struct Row {
    char in, out;
  };
  for (const Row row : {Row{'A', 'a'}, Row{'Z', 'z'}, Row{'a', 'a'}, Row{'@', '@'}, Row{'[', '['}, Row{'0', '0'},
                        Row{'\xc4', '\xc4'}}) {
    CAPTURE(row.in);
    CHECK(fkv::lower_char(row.in) == row.out);
  }
}

TEST_CASE("iequals ignores ASCII case only") {
  CHECK(fkv::iequals("Retry-After", "retry-after"));
  CHECK_FALSE(fkv::iequals("Retry-After", "retry-afte"));
  CHECK_FALSE(fkv::iequals("a", "b"));
  CHECK(fkv::iequals("", ""));
}

TEST_CASE("trim drops surrounding ASCII white space") {
  CHECK(fkv::trim("  name \t\r\n") == "name");
  CHECK(fkv::trim(" a b ") == "a b");
  CHECK(fkv::trim("   ") == "");
  CHECK(fkv::trim("") == "");
}

TEST_CASE("ascii_upper upper-cases ASCII letters only") {
  CHECK(fkv::ascii_upper("2f3c-ab_z") == "2F3C-AB_Z");
  CHECK(fkv::ascii_upper("päss") == "PäSS");
}

TEST_CASE("contains_ignore_case") {
  struct Case {
    const char* text;
    const char* needle;
    bool found;
  };
  for (const Case& c :
       {Case{"text/HTML; charset=utf-8", "html", true}, Case{"No Service Connection found", "service connection", true},
        Case{"json", "html", false}, Case{"ab", "abc", false}, Case{"", "", true}, Case{"x", "", true}}) {
    CAPTURE(c.text);
    CHECK(fkv::contains_ignore_case(c.text, c.needle) == c.found);
  }
}

TEST_CASE("is_tenant_id: a GUID or a domain of [A-Za-z0-9.-], 1..253 characters") {
  for (const std::string& ok : std::vector<std::string>{"72f988bf-86f1-41af-91ab-2d7cd011db47",
                                                        "contoso.onmicrosoft.com", "a", std::string(253, 'a')}) {
    CHECK(fkv::is_tenant_id(ok));
  }
  for (const std::string& bad : std::vector<std::string>{"", "a/b", "a b", "ä", "a_b", "t?x", std::string(254, 'a')}) {
    CHECK_FALSE(fkv::is_tenant_id(bad));
  }
}
