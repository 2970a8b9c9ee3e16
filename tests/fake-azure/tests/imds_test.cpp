#include "helpers.hpp"

#include <doctest/doctest.h>

using namespace fake;
using namespace fake::test;

namespace {

const std::string kSystem = "eeeeeeee-0000-4000-8000-000000000021";
const std::string kUser = "eeeeeeee-0000-4000-8000-000000000022";
const std::string kRoute = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net";

App imds_app(const std::string& imds_json) {
  Scenario s = basic_scenario();
  Scenario m = parse_scenario(R"({"tenants":[{"id":"11111111-2222-4333-8444-555555555555"}],"imds":)" + imds_json + "}");
  s.imds = m.imds;
  return App(std::move(s), [] { return std::int64_t(1764000000000); });
}

HttpResponse ask(App& app, const std::string& target, std::vector<std::pair<std::string, std::string>> headers = {{"metadata", "true"}}) {
  HttpRequest r = request("GET", "169.254.169.254", target, std::move(headers));
  r.plain = true;
  return app.handle(r);
}

std::string description(const HttpResponse& r) { return json(r.body)["error_description"].GetString(); }

}  // namespace

TEST_CASE("imds: system- and user-assigned tokens in IMDS's string-valued shape, accepted by the vault") {
  App app = imds_app(R"({"systemAssigned":{"clientId":")" + kSystem + R"("},"userAssigned":[{"clientId":")" + kUser + R"("}]})");
  auto system = ask(app, kRoute);
  REQUIRE(system.status == 200);
  CHECK(system.log.plain);
  auto body = json(system.body);
  for (const char* field : {"access_token", "client_id", "expires_in", "expires_on", "ext_expires_in", "not_before",
                            "resource", "token_type"}) {
    CAPTURE(field);
    REQUIRE(body.HasMember(field));
    CHECK(body[field].IsString());
  }
  CHECK(std::string(body["client_id"].GetString()) == kSystem);
  CHECK(std::string(body["expires_in"].GetString()) == "86399");
  CHECK(std::string(body["expires_on"].GetString()) == "1764086399");
  CHECK(std::string(body["resource"].GetString()) == "https://vault.azure.net");
  CHECK(std::string(body["token_type"].GetString()) == "Bearer");
  const std::string token = body["access_token"].GetString();
  CHECK(vault_get(app, "fkv-basic.vault.azure.net", "/secrets/db-password/?api-version=7.5", token).status == 200);

  auto user = ask(app, kRoute + "&client_id=" + kUser);
  REQUIRE(user.status == 200);
  CHECK(std::string(json(user.body)["client_id"].GetString()) == kUser);
}

TEST_CASE("imds: the real error shapes (Identity not found, no Metadata header, proxied, missing parameters)") {
  App app = imds_app(R"({"userAssigned":[{"clientId":")" + kUser + R"("},{"clientId":"eeeeeeee-0000-4000-8000-000000000023"}]})");
  auto none = ask(app, kRoute);  // no system-assigned identity, two user-assigned: IMDS cannot pick
  CHECK(none.status == 400);
  CHECK(std::string(json(none.body)["error"].GetString()) == "invalid_request");
  CHECK(description(none) == "Identity not found");
  CHECK(description(ask(app, kRoute + "&client_id=eeeeeeee-0000-4000-8000-0000000000ff")) == "Identity not found");
  auto no_header = ask(app, kRoute + "&client_id=" + kUser, {});
  CHECK(no_header.status == 400);
  CHECK(description(no_header) == "Required metadata header not specified");
  CHECK(ask(app, kRoute + "&client_id=" + kUser, {{"metadata", "false"}}).status == 400);
  CHECK(ask(app, kRoute + "&client_id=" + kUser, {{"metadata", "true"}, {"x-forwarded-for", "10.0.0.1"}}).status == 400);
  CHECK(description(ask(app, "/metadata/identity/oauth2/token?resource=https%3A%2F%2Fvault.azure.net")) ==
        "Required query variable 'api-version' is missing");
  CHECK(description(ask(app, "/metadata/identity/oauth2/token?api-version=2018-02-01")) ==
        "Required query variable 'resource' is missing");
  CHECK(ask(app, "/metadata/instance?api-version=2021-02-01").status == 404);
}

TEST_CASE("imds: the warm-up answers 404 to the first N token requests") {
  App app = imds_app(R"({"systemAssigned":{"clientId":")" + kSystem + R"("},"warmupNotFound":2})");
  CHECK(ask(app, kRoute).status == 404);
  CHECK(ask(app, kRoute).status == 404);
  CHECK(ask(app, kRoute).status == 200);
  CHECK_THROWS(parse_scenario(R"({"imds":{"warmupNotFound":-1}})"));
  CHECK_THROWS_WITH(parse_scenario(R"({"tenants":[{"id":"11111111-2222-4333-8444-555555555555"}],)"
                                   R"("imds":{"systemAssigned":{"clientId":"not-a-guid"}}})"),
                    doctest::Contains("imds.systemAssigned.clientId"));
}
