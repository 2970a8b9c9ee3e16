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
