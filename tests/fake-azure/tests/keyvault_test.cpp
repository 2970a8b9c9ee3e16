#include "helpers.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace fake;
using namespace fake::test;

namespace {
std::int64_t g_now_ms = 1764000000000;
const std::string kHost = "fkv-basic.vault.azure.net";

App make_app(const std::string& vault_json = {}) {
  Scenario s = basic_scenario();
  if (!vault_json.empty()) {
    Scenario extra = parse_scenario(R"({"tenants":[{"id":"11111111-2222-4333-8444-555555555555"}],"vaults":[)" + vault_json + "]}");
    for (auto& v : extra.vaults) s.vaults.push_back(v);
  }
  return App(std::move(s), [] { return g_now_ms; });
}

// The examples in /work/shared/kv-examples use one envelope; return responses.<status>.body.
rapidjson::Document example(const std::string& file, const char* status) {
  auto doc = json(read_text(std::string(FKV_SHARED_DIR) + "/kv-examples/" + file));
  rapidjson::Document body;
  body.CopyFrom(doc["responses"][status]["body"], body.GetAllocator());
  return body;
}

// Same member names and value types, recursively (values themselves differ).
bool same_shape(const rapidjson::Value& a, const rapidjson::Value& b) {
  if (a.GetType() != b.GetType() && !(a.IsNumber() && b.IsNumber()) && !(a.IsBool() && b.IsBool())) return false;
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) return false;
    for (auto it = a.MemberBegin(); it != a.MemberEnd(); ++it) {
      auto other = b.FindMember(it->name);
      if (other == b.MemberEnd() || !same_shape(it->value, other->value)) return false;
    }
  }
  return true;
}
}  // namespace

TEST_CASE("keyvault: no token -> 401 with the challenge pointing at the vault's tenant") {
  App app = make_app();
  auto r = vault_get(app, kHost, "/secrets?api-version=7.5", "");
  CHECK(r.status == 401);
  CHECK(r.header("www-authenticate") ==
        std::string("Bearer authorization=\"https://login.microsoftonline.com/") + kTenant + "\", resource=\"https://vault.azure.net\"");
  CHECK(same_shape(json(r.body), example("error-401-challenge.json", "401")));
  CHECK(std::string(json(r.body)["error"]["message"].GetString()) == "Request is missing a Bearer or PoP token.");
  CHECK(vault_get(app, kHost, "/secrets?api-version=7.5", "made-up").status == 401);
  CHECK(vault_get(app, kHost, "/secrets?api-version=7.5", get_oidc(app, kConn)).status == 401);  // not an access token
}

TEST_CASE("keyvault: get returns a SecretBundle shaped like the real one") {
  App app = make_app();
  std::string token = access_token(app);
  auto r = vault_get(app, kHost, "/secrets/db-password/?api-version=7.5", token);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto d = json(r.body);
  CHECK(std::string(d["value"].GetString()) == "s3cr3t-value");
  std::string id = d["id"].GetString();
  CHECK(id.rfind("https://fkv-basic.vault.azure.net/secrets/db-password/", 0) == 0);
  CHECK(id.size() == std::string("https://fkv-basic.vault.azure.net/secrets/db-password/").size() + 32);
  CHECK(d["attributes"]["enabled"].GetBool());
  CHECK(std::string(d["attributes"]["recoveryLevel"].GetString()) == "Recoverable+Purgeable");
  CHECK(std::string(d["contentType"].GetString()) == "text/plain");
  CHECK(std::string(d["tags"]["env"].GetString()) == "test");
  std::string version = id.substr(id.rfind('/') + 1);
  CHECK(json(vault_get(app, kHost, "/secrets/DB-PASSWORD/" + version + "?api-version=7.4", token).body)["value"] == "s3cr3t-value");
  CHECK(vault_get(app, kHost, "/secrets/db-password?api-version=2025-07-01", token).status == 200);
  CHECK(json(vault_get(app, kHost, "/secrets/multi-line/?api-version=7.5", token).body)["value"] == "line1\nline2\r\nline3");
}

TEST_CASE("keyvault: errors match the captured examples") {
  App app = make_app(R"({"name":"fkv-deny","secrets":[{"name":"rbac","value":"x","forbidden":"ForbiddenByRbac"},
                                                    {"name":"policy","value":"x","forbidden":"AccessDenied"}]})");
  std::string token = access_token(app);
  auto missing = vault_get(app, kHost, "/secrets/nope/?api-version=7.5", token);
  CHECK(missing.status == 404);
  CHECK(same_shape(json(missing.body), example("error-404-secret-not-found.json", "404")));
  CHECK(std::string(json(missing.body)["error"]["message"].GetString()).rfind("A secret with (name/id) nope was not found in this key vault.", 0) == 0);

  auto rbac = vault_get(app, "fkv-deny.vault.azure.net", "/secrets/rbac/?api-version=7.5", token);
  CHECK(rbac.status == 403);
  CHECK(same_shape(json(rbac.body), example("error-403-forbidden-by-rbac.json", "403")));
  CHECK(std::string(json(rbac.body)["error"]["innererror"]["code"].GetString()) == "ForbiddenByRbac");
  CHECK(std::string(json(rbac.body)["error"]["message"].GetString()).find("Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'") !=
        std::string::npos);
  auto denied = vault_get(app, "fkv-deny.vault.azure.net", "/secrets/policy/?api-version=7.5", token);
  CHECK(std::string(json(denied.body)["error"]["innererror"]["code"].GetString()) == "AccessDenied");
  CHECK(std::string(json(denied.body)["error"]["message"].GetString()).find("does not have secrets get permission") != std::string::npos);

  auto disabled = vault_get(app, kHost, "/secrets/disabled-one/?api-version=7.5", token);
  CHECK(disabled.status == 403);
  CHECK(disabled.body == R"({"error":{"code":"Forbidden","message":"Operation get is not allowed on a disabled secret.","innererror":{"code":"SecretDisabled"}}})");

  auto bad = vault_get(app, kHost, "/secrets/bad_name/?api-version=7.5", token);
  CHECK(bad.status == 400);
  CHECK(std::string(json(bad.body)["error"]["code"].GetString()) == "BadParameter");
  CHECK(vault_get(app, kHost, "/secrets?api-version=7.5&maxresults=26", token).status == 400);
  CHECK(vault_get(app, kHost, "/secrets?api-version=7.5&maxresults=0", token).status == 400);
  CHECK(vault_get(app, kHost, "/secrets?maxresults=2", token).status == 400);
}

TEST_CASE("keyvault: a token for another tenant is refused with AKV10032") {
  App app = make_app(R"({"name":"fkv-other","tenant":"11111111-2222-4333-8444-555555555555"})");
  Scenario s = basic_scenario();
  s.tenants.push_back({"22222222-2222-4333-8444-555555555555", {}});
  Vault v;
  v.name = "fkv-t2";
  v.tenant = "22222222-2222-4333-8444-555555555555";
  s.vaults.push_back(v);
  App app2(std::move(s), [] { return g_now_ms; });
  auto r = vault_get(app2, "fkv-t2.vault.azure.net", "/secrets?api-version=7.5", access_token(app2));
  CHECK(r.status == 401);
  CHECK(std::string(json(r.body)["error"]["message"].GetString()).rfind("AKV10032: Invalid issuer.", 0) == 0);
  CHECK(r.header("www-authenticate").find("22222222-2222-4333-8444-555555555555") != std::string::npos);
}

TEST_CASE("keyvault: listing pages with nextLink in Key Vault's form, including empty pages; items carry no value") {
  App app = make_app(R"({"name":"fkv-pages","pageSize":2,"emptyPages":[2],"generate":{"count":5}})");
  std::string token = access_token(app);
  std::string target = "/secrets?api-version=7.5&maxresults=25";
  std::vector<std::string> names;
  int pages = 0, empty = 0;
  while (!target.empty() && pages < 20) {
    auto r = vault_get(app, "fkv-pages.vault.azure.net", target, token);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    auto d = json(r.body);
    ++pages;
    if (d["value"].Size() == 0) ++empty;
    for (const auto& item : d["value"].GetArray()) {
      CHECK_FALSE(item.HasMember("value"));
      std::string id = item["id"].GetString();
      names.push_back(id.substr(id.rfind('/') + 1));
    }
    target.clear();
    if (d["nextLink"].IsString()) {
      std::string link = d["nextLink"].GetString();
      const std::string prefix = "https://fkv-pages.vault.azure.net:443/secrets?api-version=7.5&$skiptoken=";
      REQUIRE(link.rfind(prefix, 0) == 0);
      CHECK(link.find("&maxresults=25") != std::string::npos);
      target = link.substr(std::string("https://fkv-pages.vault.azure.net:443").size());
    }
  }
  CHECK(pages == 4);  // 2 + (empty) + 2 + 1
  CHECK(empty == 1);
  CHECK(names == std::vector<std::string>{"gen-00000", "gen-00001", "gen-00002", "gen-00003", "gen-00004"});
  CHECK(vault_get(app, "fkv-pages.vault.azure.net", "/secrets?api-version=7.5&$skiptoken=garbage", token).status == 400);
}

TEST_CASE("keyvault: maxresults smaller than the page size wins; an empty vault may say value: null") {
  App app = make_app(R"({"name":"fkv-empty","nullValueWhenEmpty":true})");
  std::string token = access_token(app);
  auto r = vault_get(app, kHost, "/secrets?api-version=7.5&maxresults=1", token);
  auto d = json(r.body);
  CHECK(d["value"].Size() == 1);
  CHECK(d["value"][0]["attributes"]["enabled"].GetBool());
  CHECK(d["value"][0].HasMember("contentType"));
  CHECK(std::string(d["nextLink"].GetString()).find("&maxresults=1") != std::string::npos);
  auto e = json(vault_get(app, "fkv-empty.vault.azure.net", "/secrets?api-version=7.5", token).body);
  CHECK(e["value"].IsNull());
  CHECK(e["nextLink"].IsNull());
}

TEST_CASE("keyvault: foreign nextLink host and challenge knobs") {
  App app = make_app(R"({"name":"fkv-leaky","pageSize":1,"nextLinkHost":"evil.example.com",
                          "challengeAuthority":"https://evil.example.com/tenant","challengeResource":"https://evil.example.com",
                          "generate":{"count":2}})");
  auto challenge = vault_get(app, "fkv-leaky.vault.azure.net", "/secrets?api-version=7.5", "");
  CHECK(challenge.header("www-authenticate") == "Bearer authorization=\"https://evil.example.com/tenant\", resource=\"https://evil.example.com\"");
  auto page = json(vault_get(app, "fkv-leaky.vault.azure.net", "/secrets?api-version=7.5", access_token(app)).body);
  CHECK(std::string(page["nextLink"].GetString()).rfind("https://evil.example.com:443/secrets?", 0) == 0);
}

TEST_CASE("keyvault: the request-rate emulation answers 429 Throttled once the window is full") {
  App app = make_app(R"({"name":"fkv-busy","throttle":{"limit":3,"windowSeconds":10},"generate":{"count":1}})");
  std::string token = access_token(app);
  for (int i = 0; i < 3; ++i) CHECK(vault_get(app, "fkv-busy.vault.azure.net", "/secrets/gen-00000?api-version=7.5", token).status == 200);
  auto r = vault_get(app, "fkv-busy.vault.azure.net", "/secrets/gen-00000?api-version=7.5", token);
  CHECK(r.status == 429);
  CHECK(r.header("retry-after").empty());
  CHECK(same_shape(json(r.body), example("error-429-throttled.json", "429")));
  g_now_ms += 10001;
  CHECK(vault_get(app, "fkv-busy.vault.azure.net", "/secrets/gen-00000?api-version=7.5", token).status == 200);
}

TEST_CASE("keyvault: accessAppliesAfterMs lifts RBAC / access-policy refusals that long after the vault's first one") {
  App app = make_app(R"({"name":"fkv-late","accessAppliesAfterMs":20000,"listForbidden":"ForbiddenByRbac",
                         "secrets":[{"name":"rbac","value":"x","forbidden":"ForbiddenByRbac"},
                                    {"name":"policy","value":"y","forbidden":"AccessDenied"},
                                    {"name":"wall","value":"z","forbidden":"ForbiddenByFirewall"}]})");
  const std::string host = "fkv-late.vault.azure.net";
  std::string token = access_token(app);
  const std::int64_t start = g_now_ms;
  auto status = [&](const std::string& target) { return vault_get(app, host, target, token).status; };
  CHECK(status("/secrets/rbac?api-version=7.5") == 403);  // the first refusal starts the clock
  g_now_ms = start + 19999;
  CHECK(status("/secrets?api-version=7.5") == 403);
  CHECK(status("/secrets/policy?api-version=7.5") == 403);
  g_now_ms = start + 20000;
  CHECK(status("/secrets?api-version=7.5") == 200);
  CHECK(status("/secrets/rbac?api-version=7.5") == 200);
  CHECK(status("/secrets/policy?api-version=7.5") == 200);
  CHECK(status("/secrets/wall?api-version=7.5") == 403);  // a firewall is not a role assignment
  g_now_ms = start;

  // Without the key, a refusal stays; the value is checked.
  App plain = make_app(R"({"name":"fkv-late","secrets":[{"name":"rbac","value":"x","forbidden":"ForbiddenByRbac"}]})");
  std::string plain_token = access_token(plain);
  g_now_ms = start + 3000000;
  CHECK(vault_get(plain, host, "/secrets/rbac?api-version=7.5", plain_token).status == 403);
  g_now_ms = start;
  CHECK_THROWS_WITH(
      parse_scenario(
          R"({"tenants":[{"id":"11111111-2222-4333-8444-555555555555"}],"vaults":[{"name":"fkv-x","accessAppliesAfterMs":-1}]})"),
      doctest::Contains("vaults[0].accessAppliesAfterMs: must be 0..3600000"));
}
