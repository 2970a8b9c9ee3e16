#include "helpers.hpp"
#include "jwt.hpp"

#include <doctest/doctest.h>

using namespace fake;
using namespace fake::test;

namespace {
const std::int64_t kNow = 1764000000;
App make_app() { return App(basic_scenario(), [] { return kNow * 1000; }); }
}  // namespace

TEST_CASE("devops: the SYSTEM_OIDCREQUESTURI form issues an RS256 token for the connection (Azure DevOps issuer)") {
  App app = make_app();
  auto r = app.handle(request("POST", "dev.azure.com", oidc_target(app.scenario(), kConn),
                              {{"authorization", "Bearer fkv-job-token-basic"}, {"x-tfs-fedauthredirect", "Suppress"}}));
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type").rfind("application/json", 0) == 0);
  CHECK(is_guid(r.header("x-vss-e2eid")));
  auto jwt = parse_jwt(json(r.body)["oidcToken"].GetString());
  REQUIRE(jwt);
  CHECK(jwt->alg == "RS256");
  CHECK(app.key().verify(jwt->signing_input, jwt->signature));
  CHECK(jwt->claims.iss == "https://vstoken.dev.azure.com/7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7e90");
  CHECK(jwt->claims.sub == "sc://fkv-org/fkv-project/fkv-wif");
  CHECK(jwt->claims.aud == std::vector<std::string>{"api://AzureADTokenExchange"});
  CHECK(*jwt->claims.iat == kNow);
  CHECK(*jwt->claims.nbf == kNow - 600);
  CHECK(*jwt->claims.exp == kNow + 300);
  CHECK(!jwt->claims.jti.empty());
}

TEST_CASE("devops: the REST form (7.1-preview.1) and the Entra issuer format") {
  App app = make_app();
  auto r = app.handle(request("POST", "dev.azure.com", oidc_target(app.scenario(), kConnEntra, "7.1-preview.1"),
                              {{"authorization", "Bearer fkv-job-token-basic"}}, "{}"));
  REQUIRE(r.status == 200);
  auto jwt = parse_jwt(json(r.body)["oidcToken"].GetString());
  CHECK(jwt->claims.iss == std::string("https://login.microsoftonline.com/") + kTenant + "/v2.0");
  CHECK(jwt->claims.sub.rfind("/eid1/c/pub/t/ERERESIiM0OERFVVVVVVVQ/a/rISbSSETf0KqFyZ8ppdXmA/sc/", 0) == 0);
  CHECK(jwt->claims.aud == std::vector<std::string>{"fb60f99c-7a34-4190-8149-302f77469936"});
}

TEST_CASE("devops: a bad job token gets a 302 to sign-in, or 401 TF400813 with X-TFS-FedAuthRedirect: Suppress") {
  App app = make_app();
  auto target = oidc_target(app.scenario(), kConn);
  auto redirect = app.handle(request("POST", "dev.azure.com", target, {{"authorization", "Bearer wrong"}}));
  CHECK(redirect.status == 302);
  CHECK(redirect.header("location").find("_signin") != std::string::npos);
  CHECK(redirect.header("content-type").rfind("text/html", 0) == 0);
  auto missing = app.handle(request("POST", "dev.azure.com", target, {{"x-tfs-fedauthredirect", "Suppress"}}));
  CHECK(missing.status == 401);
  auto d = json(missing.body);
  CHECK(std::string(d["$id"].GetString()) == "1");
  CHECK(d["innerException"].IsNull());
  CHECK(std::string(d["message"].GetString()).rfind("TF400813: ", 0) == 0);
  CHECK(std::string(d["typeKey"].GetString()) == "UnauthorizedRequestException");
  CHECK(d["errorCode"].GetInt() == 0);
  CHECK(d["eventId"].GetInt() == 3000);
  CHECK(is_guid(missing.header("x-vss-e2eid")));
}

TEST_CASE("devops: unknown connection, missing api-version, wrong method") {
  App app = make_app();
  std::vector<std::pair<std::string, std::string>> auth = {{"authorization", "Bearer fkv-job-token-basic"}};
  auto unknown = app.handle(request("POST", "dev.azure.com", oidc_target(app.scenario(), "00000000-0000-0000-0000-00000000dead"), auth));
  CHECK(unknown.status == 404);
  CHECK(std::string(json(unknown.body)["message"].GetString()) ==
        "No service connection found with identifier 00000000-0000-0000-0000-00000000dead.");
  std::string no_version = oidc_target(app.scenario(), kConn);
  no_version = no_version.substr(0, no_version.find('?')) + "?serviceConnectionId=" + kConn;
  CHECK(app.handle(request("POST", "dev.azure.com", no_version, auth)).status == 400);
  CHECK(app.handle(request("GET", "dev.azure.com", oidc_target(app.scenario(), kConn), auth)).status == 405);
  CHECK(app.handle(request("POST", "dev.azure.com", "/fkv-org/_apis/other", auth)).status == 404);
}

TEST_CASE("devops: without serviceConnectionId the pipeline's own token is issued") {
  App app = make_app();
  std::string t = oidc_target(app.scenario(), kConn);
  t = t.substr(0, t.find('&'));
  auto r = app.handle(request("POST", "dev.azure.com", t, {{"authorization", "Bearer fkv-job-token-basic"}}));
  REQUIRE(r.status == 200);
  CHECK(parse_jwt(json(r.body)["oidcToken"].GetString())->claims.sub == "p://fkv-org/fkv-project/fkv-pipeline");
}
