#include "helpers.hpp"
#include "scenario.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace fake;
using namespace fake::test;

TEST_CASE("scenario: basic.json loads with connections, apps, vault and secrets") {
  Scenario s = basic_scenario();
  CHECK(s.org_name == "fkv-org");
  CHECK(s.job_token == "fkv-job-token-basic");
  REQUIRE(s.connections.size() == 2);
  CHECK(s.connections[1].issuer_format == IssuerFormat::Entra);
  REQUIRE(s.vaults.size() == 1);
  CHECK(s.vaults[0].host() == "fkv-basic.vault.azure.net");
  CHECK(s.vaults[0].tenant == kTenant);  // defaults to the first tenant
  CHECK(s.vaults[0].secrets[3].current().value == "line1\nline2\r\nline3");
  CHECK(s.served_names() ==
        std::vector<std::string>{"dev.azure.com", "login.microsoftonline.com", "fkv-basic.vault.azure.net"});
  CHECK(s.find_tenant("FKVTEST.onmicrosoft.com") == &s.tenants[0]);
  CHECK(s.find_connection("AAAAAAAA-0000-4000-8000-000000000001") == &s.connections[0]);
}

TEST_CASE("scenario: every ready-made scenario file loads") {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(FAKE_SCENARIO_DIR)) {
    if (entry.path().extension() != ".json") continue;
    CAPTURE(entry.path().string());
    CHECK_NOTHROW(load_scenario(entry.path().string()));
    ++count;
  }
  CHECK(count >= 2);
}

TEST_CASE("scenario: federated credentials derived from a connection carry its exact issuer and subject") {
  Scenario s = basic_scenario();
  const auto& ado = s.apps[0].federated_credentials.at(0);
  CHECK(ado.issuer == "https://vstoken.dev.azure.com/7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7e90");
  CHECK(ado.subject == "sc://fkv-org/fkv-project/fkv-wif");
  CHECK(ado.audience == "api://AzureADTokenExchange");
  const auto& entra = s.apps[1].federated_credentials.at(0);
  CHECK(entra.issuer == "https://login.microsoftonline.com/11111111-2222-4333-8444-555555555555/v2.0");
  CHECK(entra.subject == "/eid1/c/pub/t/ERERESIiM0OERFVVVVVVVQ/a/rISbSSETf0KqFyZ8ppdXmA/sc/"
                         "7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7e90/aaaaaaaa-0000-4000-8000-000000000002");
}

TEST_CASE("scenario: values from base64, repeated, with versions and generated secrets") {
  Scenario s = parse_scenario(R"({"tenants":[{"id":"11111111-2222-4333-8444-555555555555"}],
    "vaults":[{"name":"v-one","pageSize":2,"emptyPages":[2],"secrets":[
      {"name":"b","valueBase64":"JTtdDQp4w6k=","previousVersions":[{"value":"old","version":"0123456789abcdef0123456789abcdef"}]},
      {"name":"r","value":"ab","valueRepeat":3,"exp":5,"managed":true,"tags":{"k":"v"}}],
      "generate":{"count":3,"namePrefix":"g-","valuePrefix":"val-"}}]})");
  const Vault& v = s.vaults.at(0);
  CHECK(v.page_size == 2);
  CHECK(v.empty_pages.count(2) == 1);
  REQUIRE(v.secrets.size() == 5);
  CHECK(v.secrets[0].current().value == "%;]\r\nx\xC3\xA9");
  CHECK(v.secrets[0].versions.size() == 2);
  CHECK(v.secrets[0].versions[0].version == "0123456789abcdef0123456789abcdef");
  CHECK(v.secrets[0].current().version.size() == 32);
  CHECK(v.secrets[1].current().value == "ababab");
  CHECK(*v.secrets[1].current().exp == 5);
  CHECK(v.secrets[1].current().managed);
  CHECK(v.secrets[4].name == "g-00002");
  CHECK(v.secrets[4].current().value == "val-00002");
}

TEST_CASE("scenario: errors name the JSON path and the problem") {
  CHECK_THROWS_WITH(parse_scenario("{"), doctest::Contains("invalid JSON"));
  CHECK_THROWS_WITH(parse_scenario(R"({"tenants":[{"id":"x"}]})"), doctest::Contains("tenants[0].id: must be a GUID"));
  CHECK_THROWS_WITH(parse_scenario(R"({"vaults":[{"name":"ok-vault"}]})"), doctest::Contains("no tenant given"));
  const std::string t = R"({"tenants":[{"id":"11111111-2222-4333-8444-555555555555"}],)";
  CHECK_THROWS_WITH(parse_scenario(t + R"("vaults":[{"name":"v1x","secrets":[{"name":"bad_name"}]}]})"),
                    doctest::Contains("vaults[0].secrets[0].name"));
  CHECK_THROWS_WITH(parse_scenario(t + R"("vaults":[{"name":"v1x","secrets":[{"name":"a","valueBase64":"//8="}]}]})"),
                    doctest::Contains("not valid UTF-8"));
  CHECK_THROWS_WITH(parse_scenario(t + R"("vaults":[{"name":"v1x","secrets":[{"name":"a"},{"name":"A"}]}]})"),
                    doctest::Contains("unique"));
  CHECK_THROWS_WITH(parse_scenario(t + R"("faults":[{"host":"*"}]})"), doctest::Contains("faults[0]: does nothing"));
  CHECK_THROWS_WITH(parse_scenario(t + R"("apps":[{"clientId":"c","federatedCredentials":[{"connection":"nope"}]}]})"),
                    doctest::Contains("unknown connection 'nope'"));
  CHECK_THROWS_WITH(parse_scenario(t + R"("connections":[{"id":"c","name":"n","issuerFormat":"x"}]})"),
                    doctest::Contains("issuerFormat"));
  CHECK_THROWS_WITH(parse_scenario(t + R"("vaults":[{"name":"v1x","pagesize":3}]})"),
                    doctest::Contains("vaults[0].pagesize: unknown key (known: name, tenant, pageSize,"));
  CHECK_THROWS_WITH(parse_scenario(t + R"("vaults":[{"name":"v1x","secrets":[{"name":"a","previousVersions":[{"name":"x"}]}]}]})"),
                    doctest::Contains("previousVersions[0].name: unknown key"));
  CHECK_THROWS_WITH(parse_scenario(R"({"jobtoken":"x"})"), doctest::Contains("jobtoken: unknown key"));
}

TEST_CASE("scenario: fault occurrence selection") {
  Fault f;
  CHECK(f.fires_on(1));
  CHECK(f.fires_on(100));
  f.times = 2;
  CHECK(f.fires_on(2));
  CHECK_FALSE(f.fires_on(3));
  f.nth = {1, 3};
  CHECK(f.fires_on(3));
  CHECK_FALSE(f.fires_on(2));
}

TEST_CASE("scenario: hostile fault keys: stalls, interim responses, custom texts and headers") {
  const std::string t = R"({"tenants":[{"id":"11111111-2222-4333-8444-555555555555"}],"connectDelayMs":40,)";
  Scenario s = parse_scenario(t + R"("faults":[
      {"host":"dev.azure.com","stall":"accept","nth":[2]},
      {"stall":"slowloris","intervalMs":10,"totalMs":500,"holdMs":1000},
      {"stall":"body","intervalMs":5},
      {"stall":"truncate","status":503},
      {"interim":[100,103],"headers":{"x-ms-request-id":"\u001b]8;;http://x\u0007##vso[task.complete]{{token}}"}},
      {"status":403,"errorCode":"Forbidden\r\n##vso[x]","errorMessage":"{{assertion}}"}]})");
  CHECK(s.connect_delay_ms == 40);
  REQUIRE(s.faults.size() == 6);
  CHECK(s.faults[0].stall.kind == StallKind::accept);
  CHECK(s.faults[0].stall.hold_ms == kDefaultHoldMs);
  CHECK(s.faults[1].stall.kind == StallKind::slowloris);
  CHECK(s.faults[1].stall.interval_ms == 10);
  CHECK(s.faults[1].stall.total_ms == 500);
  CHECK(s.faults[1].stall.hold_ms == 1000);
  CHECK(s.faults[2].stall.interval_ms == 5);
  CHECK(s.faults[3].status == 503);
  CHECK(s.faults[4].interim == std::vector<int>{100, 103});
  REQUIRE(s.faults[4].headers.size() == 1);
  CHECK(s.faults[4].headers[0].second == "\x1b]8;;http://x\a##vso[task.complete]{{token}}");
  CHECK(s.faults[5].error_code == "Forbidden\r\n##vso[x]");
  CHECK(s.faults[5].error_message == "{{assertion}}");
  for (const auto& f : s.faults) CHECK(f.decides());
  CHECK(s.has_accept_stalls());
}

TEST_CASE("scenario: bad hostile fault keys are errors naming the JSON path") {
  const std::string t = R"({"tenants":[{"id":"11111111-2222-4333-8444-555555555555"}],"faults":[)";
  const std::pair<std::string, const char*> rows[] = {
      {R"({"stall":"forever"})", "faults[0].stall: must be one of accept, headers"},
      {R"({"stall":1})", "faults[0].stall: must be a string"},
      {R"({"stall":"headers","intervalMs":5})", "faults[0].intervalMs: only for stall slowloris or body"},
      {R"({"stall":"slowloris","intervalMs":0})", "faults[0].intervalMs: must be 1..600000"},
      {R"({"stall":"body","totalMs":5})", "faults[0].totalMs: only for stall slowloris"},
      {R"({"stall":"truncate","holdMs":5})", "faults[0].holdMs: only for stalls that hold"},
      {R"({"status":500,"holdMs":5})", "faults[0].holdMs: only for stalls that hold"},
      {R"({"stall":"accept","path":"/secrets"})", "faults[0].stall: accept stalls before any request is read"},
      {R"({"stall":"accept","status":500})", "faults[0].stall: accept never answers"},
      {R"({"stall":"headers","reset":true})", "faults[0].reset: a reset sends nothing"},
      {R"({"interim":[101]})", "faults[0].interim[0]: must be a 1xx status other than 101"},
      {R"({"interim":[200]})", "faults[0].interim[0]: must be a 1xx"},
      {R"({"interim":100})", "faults[0].interim: must be an array"},
      {R"({"errorCode":"x"})", "faults[0].errorCode: needs status"},
      {R"({"errorMessage":"x","delayMs":1})", "faults[0].errorMessage: needs status"},
      {R"({"status":500,"errorMessage":7})", "faults[0].errorMessage: must be a string"},
      {R"({"headers":{"x-a":"1\r\nx-b: 2"}})", "faults[0].headers.x-a: must not contain CR, LF or NUL"},
      {R"({"headers":{"x-a":"\u0000"}})", "faults[0].headers.x-a: must not contain CR, LF or NUL"},
      {R"({"headers":{"bad name":"v"}})", "faults[0].headers.bad name: is not a valid header field name"},
      {R"({"headers":{"Content-Length":"5"}})", "faults[0].headers.Content-Length: would break the message framing"},
      {R"({"headers":{"x-a":1}})", "faults[0].headers.x-a: must be a string"},
      {R"({"headers":{"x-a":")" + std::string(16385, 'x') + R"("}})", "faults[0].headers.x-a: must be at most 16384 bytes"},
      {R"({"headers":[]})", "faults[0].headers: must be an object"},
      {R"({"stall":"headers","intervalms":5})", "faults[0].intervalms: unknown key"},
  };
  for (auto [fault, message] : rows) {
    CAPTURE(fault);
    CHECK_THROWS_WITH(parse_scenario(t + fault + "]}"), doctest::Contains(message));
  }
  CHECK_THROWS_WITH(parse_scenario(R"({"connectDelayMs":-1})"), doctest::Contains("connectDelayMs: must be 0..60000"));
}

TEST_CASE("scenario: a vault with dnsFailAfter is resolved by DNS only, with that budget") {
  Scenario s = parse_scenario(R"({"tenants":[{"id":"11111111-2222-4333-8444-555555555555"}],
    "vaults":[{"name":"fkv-a"},{"name":"FKV-DNS","dnsFailAfter":3}]})");
  CHECK(s.vaults[1].dns_fail_after == 3);
  CHECK(s.hosts_file_names() == std::vector<std::string>{"dev.azure.com", "login.microsoftonline.com", "fkv-a.vault.azure.net"});
  CHECK(s.dns_fail_after() == std::map<std::string, int>{{"fkv-dns.vault.azure.net", 3}});
  CHECK(s.served_names().size() == 4);  // still in the certificate and served
  CHECK_THROWS_WITH(parse_scenario(R"({"tenants":[{"id":"11111111-2222-4333-8444-555555555555"}],"vaults":[{"name":"fkv-a","dnsFailAfter":-1}]})"),
                    doctest::Contains("vaults[0].dnsFailAfter: must be 0..1000000"));
}
