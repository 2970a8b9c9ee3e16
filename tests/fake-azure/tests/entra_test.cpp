#include "helpers.hpp"
#include "jwt.hpp"

#include <doctest/doctest.h>

using namespace fake;
using namespace fake::test;

namespace {
std::int64_t g_now_ms = 1764000000000;
App make_app(const std::string& extra_app = {}) {
  Scenario s = basic_scenario();
  if (!extra_app.empty()) {
    Scenario extra = parse_scenario(extra_app);
    for (auto& a : extra.apps) s.apps.push_back(a);
  }
  return App(std::move(s), [] { return g_now_ms; });
}
std::string aadsts(const HttpResponse& r) {
  auto d = json(r.body);
  std::string description = d["error_description"].GetString();
  return description.substr(0, description.find(':'));
}
}  // namespace

TEST_CASE("entra: a valid federated assertion is exchanged for a Key Vault access token") {
  App app = make_app();
  auto r = exchange(app, kTenant, kClient, get_oidc(app, kConn));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto d = json(r.body);
  CHECK(std::string(d["token_type"].GetString()) == "Bearer");
  CHECK(d["expires_in"].GetInt() == 3599);
  CHECK(d["ext_expires_in"].GetInt() == 3599);
  std::string token = d["access_token"].GetString();
  CHECK(token.size() > 32);
  CHECK(r.log.assertion == "oidc");
  CHECK(r.log.issued.rfind("access:", 0) == 0);
  HttpRequest probe = request("GET", "x", "/", {{"authorization", "Bearer " + token}});
  CHECK(app.classify_token(probe) == r.log.issued);
}

TEST_CASE("entra: the tenant may be named by a verified domain; an Entra-issued token matches api://AzureADTokenExchange") {
  App app = make_app();
  CHECK(exchange(app, "fkvtest.onmicrosoft.com", kClient, get_oidc(app, kConn)).status == 200);
  CHECK(exchange(app, kTenant, kClientEntra, get_oidc(app, kConnEntra)).status == 200);
}

TEST_CASE("entra: error bodies have Entra's real fields") {
  App app = make_app();
  auto r = exchange(app, "99999999-2222-4333-8444-555555555555", kClient, get_oidc(app, kConn));
  CHECK(r.status == 400);
  auto d = json(r.body);
  CHECK(std::string(d["error"].GetString()) == "invalid_tenant");
  CHECK(std::string(d["error_description"].GetString()).rfind("AADSTS90002: Tenant '99999999-2222-4333-8444-555555555555' not found.", 0) == 0);
  CHECK(d["error_codes"][0].GetInt() == 90002);
  CHECK(is_guid(d["trace_id"].GetString()));
  CHECK(is_guid(d["correlation_id"].GetString()));
  CHECK(std::string(d["timestamp"].GetString()).size() == 20);
  CHECK(std::string(d["error_uri"].GetString()) == "https://login.microsoftonline.com/error?code=90002");
}

TEST_CASE("entra: unknown client id -> AADSTS700016; a client secret -> AADSTS7000215") {
  App app = make_app();
  auto r = exchange(app, kTenant, "dddddddd-0000-4000-8000-000000000009", get_oidc(app, kConn));
  CHECK(r.status == 400);
  CHECK(aadsts(r) == "AADSTS700016");
  CHECK(std::string(json(r.body)["error"].GetString()) == "unauthorized_client");
  auto s = app.handle(request("POST", "login.microsoftonline.com", std::string("/") + kTenant + "/oauth2/v2.0/token", {},
                              "grant_type=client_credentials&client_id=" + std::string(kClient) + "&client_secret=x&scope=https%3A%2F%2Fvault.azure.net%2F.default"));
  CHECK(aadsts(s) == "AADSTS7000215");
}

TEST_CASE("entra: subject mismatch -> 700213, case-only mismatch -> 7002138, issuer mismatch -> 700211") {
  const std::string iss = "https://vstoken.dev.azure.com/7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7e90";
  App app = make_app(R"({"tenants":[{"id":"11111111-2222-4333-8444-555555555555"}],"apps":[
    {"clientId":"eeeeeeee-0000-4000-8000-000000000001","federatedCredentials":[{"issuer":")" + iss + R"(","subject":"sc://fkv-org/fkv-project/renamed"}]},
    {"clientId":"eeeeeeee-0000-4000-8000-000000000002","federatedCredentials":[{"issuer":")" + iss + R"(","subject":"sc://FKV-org/fkv-project/fkv-wif"}]},
    {"clientId":"eeeeeeee-0000-4000-8000-000000000003","federatedCredentials":[{"issuer":")" + iss + R"(/","subject":"sc://fkv-org/fkv-project/fkv-wif"}]},
    {"clientId":"eeeeeeee-0000-4000-8000-000000000004","federatedCredentials":[{"issuer":")" + iss + R"(","subject":"sc://fkv-org/fkv-project/fkv-wif","audience":"api://other"}]},
    {"clientId":"eeeeeeee-0000-4000-8000-000000000005"}]})");
  auto sub = exchange(app, kTenant, "eeeeeeee-0000-4000-8000-000000000001", get_oidc(app, kConn));
  CHECK(sub.status == 401);
  CHECK(std::string(json(sub.body)["error"].GetString()) == "invalid_client");
  CHECK(aadsts(sub) == "AADSTS700213");
  CHECK(std::string(json(sub.body)["error_description"].GetString()).find("assertion subject 'sc://fkv-org/fkv-project/fkv-wif'") !=
        std::string::npos);
  CHECK(aadsts(exchange(app, kTenant, "eeeeeeee-0000-4000-8000-000000000002", get_oidc(app, kConn))) == "AADSTS7002138");
  CHECK(aadsts(exchange(app, kTenant, "eeeeeeee-0000-4000-8000-000000000003", get_oidc(app, kConn))) == "AADSTS700211");
  CHECK(aadsts(exchange(app, kTenant, "eeeeeeee-0000-4000-8000-000000000004", get_oidc(app, kConn))) == "AADSTS700212");
  CHECK(aadsts(exchange(app, kTenant, "eeeeeeee-0000-4000-8000-000000000005", get_oidc(app, kConn))) == "AADSTS70025");
}

TEST_CASE("entra: an expired assertion -> 700024; a forged signature -> 700027; garbage -> 50027") {
  App app = make_app();
  std::string token = get_oidc(app, kConn);
  g_now_ms += 301 * 1000;
  auto expired = exchange(app, kTenant, kClient, token);
  g_now_ms -= 301 * 1000;
  CHECK(expired.status == 401);
  CHECK(aadsts(expired) == "AADSTS700024");
  CHECK(std::string(json(expired.body)["error_description"].GetString()).find("Client assertion is not within its valid time range") !=
        std::string::npos);
  // Same claims, signed by another key.
  Rs256Key other;
  auto parsed = parse_jwt(token);
  std::string payload = base64_decode(parsed->signing_input.substr(parsed->signing_input.find('.') + 1)).value();
  auto forged = exchange(app, kTenant, kClient, make_jwt(other, payload));
  CHECK(aadsts(forged) == "AADSTS700027");
  CHECK(forged.log.assertion == "unknown");
  CHECK(aadsts(exchange(app, kTenant, kClient, "not-a-jwt")) == "AADSTS50027");
}

TEST_CASE("entra: request validation (scope, grant type, assertion type)") {
  App app = make_app();
  std::string path = std::string("/") + kTenant + "/oauth2/v2.0/token";
  auto post = [&](const std::string& body) { return app.handle(request("POST", "login.microsoftonline.com", path, {}, body)); };
  std::string oidc = get_oidc(app, kConn);
  CHECK(aadsts(post(token_form(kClient, oidc, "https://vault.azure.net"))) == "AADSTS1002012");
  CHECK(aadsts(post(token_form(kClient, oidc, "https://management.azure.com/.default"))) == "AADSTS500011");
  CHECK(post(token_form(kClient, oidc, "https://vault.azure.net//.default")).status == 200);
  CHECK(aadsts(post("grant_type=password&client_id=" + std::string(kClient))) == "AADSTS70003");
  CHECK(aadsts(post("client_id=" + std::string(kClient))) == "AADSTS900144");
  CHECK(aadsts(post("grant_type=client_credentials&client_id=" + std::string(kClient) + "&scope=x%2F.default")) == "AADSTS7000218");
  CHECK(aadsts(app.handle(request("POST", "login.microsoftonline.com", "/bad%2Ftenant/oauth2/v2.0/token", {}, "")))
        == "AADSTS900023");
}

TEST_CASE("entra: MSAL discovery documents point at the tenant on login.microsoftonline.com") {
  App app = make_app();
  auto inst = app.handle(request("GET", "login.microsoftonline.com",
                                 "/common/discovery/instance?api-version=1.1&authorization_endpoint=https%3A%2F%2Flogin.microsoftonline.com%2F" +
                                     std::string(kTenant) + "%2Foauth2%2Fv2.0%2Fauthorize"));
  REQUIRE(inst.status == 200);
  CHECK(std::string(json(inst.body)["tenant_discovery_endpoint"].GetString()) ==
        std::string("https://login.microsoftonline.com/") + kTenant + "/v2.0/.well-known/openid-configuration");
  auto cfg = app.handle(request("GET", "login.microsoftonline.com", std::string("/") + kTenant + "/v2.0/.well-known/openid-configuration"));
  REQUIRE(cfg.status == 200);
  auto d = json(cfg.body);
  CHECK(std::string(d["token_endpoint"].GetString()) == std::string("https://login.microsoftonline.com/") + kTenant + "/oauth2/v2.0/token");
  CHECK(std::string(d["issuer"].GetString()) == std::string("https://login.microsoftonline.com/") + kTenant + "/v2.0");
  auto unknown = app.handle(request("GET", "login.microsoftonline.com", "/fkvnope.onmicrosoft.com/v2.0/.well-known/openid-configuration"));
  CHECK(unknown.status == 400);
  auto keys = app.handle(request("GET", "login.microsoftonline.com", std::string("/") + kTenant + "/discovery/v2.0/keys"));
  CHECK(std::string(json(keys.body)["keys"][0]["kid"].GetString()) == app.key().kid());
}
