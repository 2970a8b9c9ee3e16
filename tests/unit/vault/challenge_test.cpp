#include "vault/challenge.hpp"

#include <doctest/doctest.h>

#include "kv_examples.hpp"

using namespace fkv::vault;

TEST_CASE("the recorded challenge") {
  auto r = fkv::test::kv_example("error-401-challenge.json");
  auto c = parse_challenge(*r.header("WWW-Authenticate"));
  REQUIRE(c);
  CHECK(c->authorization == "https://login.windows.net/azure_tenant_id");
  CHECK(c->resource == "https://vault.azure.net");
  CHECK(c->token_scope() == "https://vault.azure.net/.default");
}

TEST_CASE("variants: authorization_uri, scope, trailing slash, unquoted, odd spacing, case") {
  auto a = parse_challenge(R"(Bearer authorization_uri="https://login.microsoftonline.com/t/", resource="https://vault.azure.net/")");
  REQUIRE(a);
  CHECK(a->authorization == "https://login.microsoftonline.com/t/");
  CHECK(a->token_scope() == "https://vault.azure.net/.default");
  auto b = parse_challenge(R"(bearer authorization="https://l/t",scope="https://vault.azure.cn/.default")");
  REQUIRE(b);
  CHECK(b->token_scope() == "https://vault.azure.cn/.default");
  auto c = parse_challenge("Bearer  resource = https://vault.azure.net , authorization=https://l/t");
  REQUIRE(c);
  CHECK(c->resource == "https://vault.azure.net");
  CHECK(c->authorization == "https://l/t");
  CHECK_FALSE(parse_challenge("Basic realm=\"x\""));
  CHECK_FALSE(parse_challenge("Bearer"));
  CHECK_FALSE(parse_challenge("Bearer resource=\"unterminated"));
  CHECK(parse_challenge("Bearer authorization=\"https://l/t\"")->token_scope().empty());
}

TEST_CASE("scope host must be within the vault DNS suffix at a dot boundary, over https") {
  CHECK(challenge_scope_allowed("https://vault.azure.net/.default", "vault.azure.net"));
  CHECK(challenge_scope_allowed("https://VAULT.azure.net/.default", "vault.azure.net"));
  CHECK(challenge_scope_allowed("https://sub.vault.azure.net/.default", "vault.azure.net"));
  CHECK_FALSE(challenge_scope_allowed("https://evilvault.azure.net/.default", "vault.azure.net"));
  CHECK_FALSE(challenge_scope_allowed("https://management.azure.com/.default", "vault.azure.net"));
  CHECK_FALSE(challenge_scope_allowed("http://vault.azure.net/.default", "vault.azure.net"));
  CHECK_FALSE(challenge_scope_allowed("https://vault.azure.net:8443/.default", "vault.azure.net"));
  CHECK_FALSE(challenge_scope_allowed("vault.azure.net", "vault.azure.net"));
}
