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

TEST_CASE("app: a stall, interim or headers rule shapes the real answer; with status the fault's") {
  App app = with_faults(R"([{"path":"/secrets/db-password*","nth":[1],"stall":"body","interim":[100,103]},
                             {"path":"/secrets/db-password*","nth":[1],"status":500},
                             {"path":"/secrets/api-key*","stall":"truncate","status":503,"headers":{"x-ms-request-id":"r-1","Date":"x"}},
                             {"path":"/secrets","stall":"headers","holdMs":50}])");
  const std::string token = access_token(app);
  auto body = vault_get(app, kHost, "/secrets/db-password/?api-version=7.5", token);
  CHECK(body.status == 200);  // the real answer: the later 500 rule did not count this request
  CHECK(std::string(json(body.body)["value"].GetString()) == "s3cr3t-value");
  CHECK(body.stall.kind == StallKind::body);
  CHECK(body.interim == std::vector<int>{100, 103});
  CHECK(body.log.fault == "faults[0]");
  CHECK(body.log.stall == "body");
  CHECK(vault_get(app, kHost, "/secrets/db-password/?api-version=7.5", token).status == 500);  // faults[1]: its 1st
  auto cut = vault_get(app, kHost, "/secrets/api-key/?api-version=7.5", token);
  CHECK(cut.status == 503);
  CHECK(cut.stall.kind == StallKind::truncate);
  CHECK(cut.header("x-ms-request-id") == "r-1");
  CHECK(cut.header("date") == "x");
  auto held = vault_get(app, kHost, "/secrets?api-version=7.5", token);
  CHECK(held.stall.kind == StallKind::headers);
  CHECK(held.stall.hold_ms == 50);
  auto plain = vault_get(app, kHost, "/secrets/db-password/?api-version=7.5", token);
  CHECK(plain.stall.kind == StallKind::none);
  CHECK(plain.interim.empty());
  CHECK(plain.log.stall.empty());
}

TEST_CASE("app: custom error texts in each service's shape, with the token echo") {
  App app = with_faults(R"([
      {"host":"*.vault.azure.net","status":403,"errorCode":"Forbidden\u001b[31m","errorMessage":"echo {{token}} ##vso[task.setvariable]",
       "headers":{"x-ms-request-id":"\u001b]8;;http://x\u0007{{token}}"}},
      {"host":"login.microsoftonline.com","path":"*/token","nth":[2],"status":400,"errorCode":"invalid_grant",
       "errorMessage":"bad assertion {{assertion}}\r\nline 2","entraError":700027},
      {"host":"dev.azure.com","nth":[2],"status":401,"errorMessage":"job token {{token}} {{token}}"}])");
  const std::string oidc = get_oidc(app, kConn);
  auto ok = exchange(app, kTenant, kClient, oidc);
  REQUIRE(ok.status == 200);
  const std::string token = json(ok.body)["access_token"].GetString();

  auto kv = vault_get(app, kHost, "/secrets?api-version=7.5", token);
  CHECK(kv.status == 403);
  auto kvj = json(kv.body);
  CHECK(std::string(kvj["error"]["code"].GetString()) == "Forbidden\x1b[31m");
  CHECK(std::string(kvj["error"]["message"].GetString()) == "echo " + token + " ##vso[task.setvariable]");
  CHECK(kv.header("x-ms-request-id") == "\x1b]8;;http://x\a" + token);

  auto entra = exchange(app, kTenant, kClient, oidc);
  CHECK(entra.status == 400);
  auto ej = json(entra.body);
  CHECK(std::string(ej["error"].GetString()) == "invalid_grant");
  CHECK(std::string(ej["error_description"].GetString()) == "bad assertion " + oidc + "\r\nline 2");
  CHECK(ej["error_codes"][0].GetInt() == 700027);

  auto ado = app.handle(request("POST", "dev.azure.com", oidc_target(app.scenario(), kConn),
                                {{"authorization", "Bearer fkv-job-token-basic"}}));
  CHECK(ado.status == 401);
  CHECK(std::string(json(ado.body)["message"].GetString()) == "job token fkv-job-token-basic fkv-job-token-basic");
  CHECK(std::string(json(ado.body)["typeKey"].GetString()) == "VssServiceException");

  // No bearer token: the placeholder becomes empty text.
  auto none = vault_get(app, kHost, "/secrets?api-version=7.5", "");
  CHECK(std::string(json(none.body)["error"]["message"].GetString()) == "echo  ##vso[task.setvariable]");
}

TEST_CASE("app: an echoed assertion cannot put CR/LF into a header value") {
  App app = with_faults(R"([{"host":"login.microsoftonline.com","headers":{"x-echo":"[{{assertion}}]"}}])");
  auto r = app.handle(request("POST", "login.microsoftonline.com", "/" + std::string(kTenant) + "/oauth2/v2.0/token", {},
                              "client_assertion=a%0D%0Ab%00c"));
  CHECK(r.header("x-echo") == "[abc]");
}

TEST_CASE("app: accept stalls pick connections by SNI and never touch requests") {
  App app = with_faults(R"([{"host":"*.vault.azure.net","stall":"accept","nth":[2,3],"holdMs":70},
                             {"host":"dev.azure.com","stall":"accept"}])");
  CHECK_FALSE(app.on_connection("login.microsoftonline.com").stall);
  CHECK_FALSE(app.on_connection("fkv-basic.vault.azure.net").stall);  // 1st vault connection
  auto second = app.on_connection("fkv-basic.vault.azure.net");
  CHECK(second.stall);
  CHECK(second.hold_ms == 70);
  CHECK(second.fault == "faults[0]");
  CHECK(app.on_connection("FKV-basic.vault.azure.net").stall);        // 3rd (globs ignore case)
  CHECK_FALSE(app.on_connection("fkv-basic.vault.azure.net").stall);
  CHECK(app.on_connection("dev.azure.com").fault == "faults[1]");
  CHECK_FALSE(app.on_connection("").stall);                           // no SNI: only host "*" would match
  auto r = app.handle(request("POST", "dev.azure.com", oidc_target(app.scenario(), kConn),
                              {{"authorization", "Bearer fkv-job-token-basic"}}));
  CHECK(r.status == 200);
  CHECK(r.log.fault.empty());
}

TEST_CASE("app: a stalled answer's log line names the stall") {
  LogEntry e;
  e.seq = 1;
  e.connection = 2;
  e.host = "dev.azure.com";
  e.info.fault = "faults[1]";
  e.info.stall = "accept";
  CHECK(format_log_line(e) ==
        R"({"seq":1,"conn":2,"method":"","host":"dev.azure.com","target":"","token":"none","status":0,)"
        R"("start_ms":0.000,"end_ms":0.000,"epoch_ms":0,"fault":"faults[1]","stall":"accept"})");
}

TEST_CASE("app: the request log records the User-Agent and the request ids the client sent") {
  App app = with_faults("[]");
  const std::string token = access_token(app);
  auto r = app.handle(request("GET", kHost, "/secrets?api-version=7.5",
                              {{"authorization", "Bearer " + token},
                               {"user-agent", "federated-keyvault/1.0.0 (linux; x64) AzurePipelines (run=12)"},
                               {"x-ms-client-request-id", "0a1b2c3d-0000-4000-8000-000000000001"}}));
  CHECK(r.status == 200);
  CHECK(r.log.user_agent == "federated-keyvault/1.0.0 (linux; x64) AzurePipelines (run=12)");
  CHECK(r.log.ms_client_request_id == "0a1b2c3d-0000-4000-8000-000000000001");
  CHECK(r.log.client_request_id.empty());
  auto login = app.handle(request("GET", "login.microsoftonline.com", "/common/discovery/instance",
                                  {{"client-request-id", "e-1"}, {"user-agent", "ua"}}));
  CHECK(login.log.client_request_id == "e-1");
  CHECK(login.log.user_agent == "ua");
  CHECK(vault_get(app, kHost, "/secrets?api-version=7.5", token).log.user_agent.empty());

  LogEntry e;
  e.method = "GET";
  e.host = kHost;
  e.target = "/";
  e.info.user_agent = "a \"b\"";
  e.info.ms_client_request_id = "r1";
  e.info.client_request_id = "r2";
  CHECK(format_log_line(e) ==
        R"({"seq":0,"conn":0,"method":"GET","host":"fkv-basic.vault.azure.net","target":"/","token":"none","status":0,)"
        R"("start_ms":0.000,"end_ms":0.000,"epoch_ms":0,"user_agent":"a \"b\"","x-ms-client-request-id":"r1",)"
        R"("client-request-id":"r2"})");
}
