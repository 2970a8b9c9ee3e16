#include "agent/selection.hpp"

#include <doctest/doctest.h>

using namespace fkv::agent;

namespace {
std::vector<std::string> texts(const Selection& s) {
  std::vector<std::string> out;
  for (const auto& r : s.names) out.push_back(r.text());
  return out;
}
}  // namespace

TEST_CASE("'*' alone, blank or empty filter selects all") {
  for (const char* f : {"*", " * ", "", " , ", "*,", ", *"}) {
    CAPTURE(f);
    auto s = parse_secrets_filter(f);
    REQUIRE(s);
    CHECK(s->all);
    CHECK(s->names.empty());
  }
}

TEST_CASE("names are trimmed, empties dropped, duplicates removed (first kept), order kept") {
  auto s = parse_secrets_filter(" b , a,,b, C ,c , a/0123abcd ");
  REQUIRE(s);
  CHECK_FALSE(s->all);
  CHECK(texts(*s) == std::vector<std::string>{"b", "a", "C", "a/0123abcd"});
  CHECK(s->names[3] == SecretRef{"a", "0123abcd"});
}

TEST_CASE("name/version") {
  auto s = parse_secrets_filter("db-password/4387e9f3d6e14c459867679a90fd0f79");
  REQUIRE(s);
  REQUIRE(s->names.size() == 1);
  CHECK(s->names[0].name == "db-password");
  CHECK(s->names[0].version == "4387e9f3d6e14c459867679a90fd0f79");
}

TEST_CASE("invalid items: one error naming the item and the rule") {
  struct Case {
    const char* filter;
    const char* message;
  };
  const Case cases[] = {
      {"Api-*", "SecretsFilter: 'Api-*' is not a secret name; use '*' for all secrets (patterns are not supported)."},
      {"a, *", "SecretsFilter: '*' selects all secrets and must be the only item; it cannot be combined with secret "
               "names."},
      {"my_secret", "SecretsFilter: 'my_secret' is not a secret name: names are 1-127 characters of 0-9, a-z, A-Z "
                    "and '-'."},
      {"a b", "SecretsFilter: 'a b' is not a secret name: names are 1-127 characters of 0-9, a-z, A-Z and '-'."},
      {"/v1", "SecretsFilter: '/v1' is not a secret name: names are 1-127 characters of 0-9, a-z, A-Z and '-'."},
      {"a/", "SecretsFilter: 'a/' has an invalid version: a version is 1-64 letters and digits (Key Vault uses 32 "
             "hexadecimal characters)."},
      {"a/b/c", "SecretsFilter: 'a/b/c' has an invalid version: a version is 1-64 letters and digits (Key Vault "
                "uses 32 hexadecimal characters)."},
  };
  for (const auto& c : cases) {
    CAPTURE(c.filter);
    auto s = parse_secrets_filter(c.filter);
    REQUIRE_FALSE(s);
    CHECK(s.error().message == c.message);
    CHECK(s.error().subject == "SecretsFilter");
    CHECK(s.error().stage == fkv::Stage::config);
  }
}

TEST_CASE("name length bounds") {
  CHECK(is_secret_name(std::string(127, 'a')));
  CHECK_FALSE(is_secret_name(std::string(128, 'a')));
  CHECK_FALSE(is_secret_name(""));
  CHECK(is_secret_version(std::string(64, 'f')));
  CHECK_FALSE(is_secret_version(std::string(65, 'f')));
}
