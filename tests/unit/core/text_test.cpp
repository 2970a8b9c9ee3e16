#include <doctest/doctest.h>

#include "core/text.hpp"

TEST_CASE("ascii_lower lower-cases ASCII letters only") {
  CHECK(fkv::ascii_lower("Key-Vault_01") == "key-vault_01");
  CHECK(fkv::ascii_lower("PÄSS") == "pÄss");  // UTF-8 bytes untouched
  CHECK(fkv::ascii_lower("") == "");
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
