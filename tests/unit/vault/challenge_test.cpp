#include "vault/challenge.hpp"

#include <doctest/doctest.h>

#include <initializer_list>

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
  auto a = parse_challenge(
      R"(Bearer authorization_uri="https://login.microsoftonline.com/t/", resource="https://vault.azure.net/")");
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

TEST_CASE("a challenge scope is followed only for the vault's own resource, as the Azure SDK checks it") {
  // The Azure SDK's rule: the vault host must end with "." + the resource's host; the scope is <resource>/.default.
  struct Row {
    const char* scope;
    const char* vault;
    bool allowed;
  };
  for (const Row row : {
           Row{"https://vault.azure.net/.default", "myvault.vault.azure.net", true},
           Row{"https://VAULT.azure.net/.default", "myvault.vault.azure.net", true},
           Row{"https://vault.azure.net/.default", "MyVault.Vault.Azure.Net", true},
           Row{"https://azure.net/.default", "myvault.vault.azure.net", true},  // a suffix at a dot: as the SDK
           Row{"https://vault.usgovcloudapi.net/.default", "kv.vault.usgovcloudapi.net", true},
           Row{"https://evil.vault.azure.net/.default", "myvault.vault.azure.net", false},
           Row{"https://myvault.vault.azure.net/.default", "myvault.vault.azure.net", false},  // not a proper suffix
           Row{"https://ault.azure.net/.default", "myvault.vault.azure.net", false},           // not at a dot
           Row{"https://evilvault.azure.net/.default", "myvault.vault.azure.net", false},
           Row{"https://management.azure.com/.default", "myvault.vault.azure.net", false},
           Row{"http://vault.azure.net/.default", "myvault.vault.azure.net", false},
           Row{"https://vault.azure.net:8443/.default", "myvault.vault.azure.net", false},
           Row{"https://vault.azure.net/secrets/.default", "myvault.vault.azure.net", false},  // path beyond /.default
           Row{"https://vault.azure.net/.default?x=1", "myvault.vault.azure.net", false},
           Row{"https://vault.azure.net/", "myvault.vault.azure.net", false},
           Row{"vault.azure.net", "myvault.vault.azure.net", false},
       }) {
    CAPTURE(row.scope);
    CAPTURE(row.vault);
    CHECK(challenge_scope_allowed(row.scope, row.vault) == row.allowed);
  }
}
