#include <doctest/doctest.h>

#include "auth/federated_credential.hpp"
#include "auth/oidc.hpp"
#include "fake_http_client.hpp"
#include "jwt_test_support.hpp"

using fkv::auth::FederatedCredential;
using fkv::net::Response;
using fkv::net::TransportError;
using fkv::test::FakeHttpClient;

namespace {

const char* const kOidcUrl =
    "https://dev.azure.com/contoso/4f1e2d3c-0000-4000-8000-00000000aaaa/_apis/distributedtask/hubs/build/plans/"
    "p1/jobs/j1/oidctoken?api-version=7.1&serviceConnectionId=9f2b7c1e-0000-4000-8000-000000000001";
const char* const kTokenUrl =
    "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token";
const char* const kJobToken = "JOBTOKEN-aaaaaaaaaaaaaaaaaaaaaaaa";
const char* const kAccessToken = "ACCESSTOKEN-bbbbbbbbbbbbbbbbbbbbbbb";

const std::string kOidcToken1 = fkv::test::make_jwt(
    R"({"iss":"https://vstoken.dev.azure.com/0d2c4a5e-1111-2222-3333-444455556666","sub":"sc://contoso/web/prod",)"
    R"("aud":"api://AzureADTokenExchange","iat":1700000000,"exp":1700000300})",
    "SIGNATURE-ONE");
const std::string kOidcToken2 = fkv::test::make_jwt(
    R"({"iss":"https://vstoken.dev.azure.com/0d2c4a5e-1111-2222-3333-444455556666","sub":"sc://contoso/web/prod",)"
    R"("aud":"api://AzureADTokenExchange","iat":1700000600,"exp":1700000900})",
    "SIGNATURE-TWO");

const std::string kScope = "https://vault.azure.net/.default";

FederatedCredential params() {
  FederatedCredential p;
  p.oidc_request_url = *fkv::net::parse_https_url(kOidcUrl);
  p.job_token = kJobToken;
  p.authority = *fkv::net::parse_https_url("https://login.microsoftonline.com/");
  p.tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  p.client_id = "11111111-2222-3333-4444-555555555555";
  return p;
}

Response oidc_ok(const std::string& token) {
  return FakeHttpClient::json(200, R"({"oidcToken":")" + token + "\"}", {{"x-vss-e2eid", "e2e-ok"}});
}

Response entra_ok() {
  return FakeHttpClient::json(200, std::string(R"({"token_type":"Bearer","expires_in":3599,"access_token":")") +
                                       kAccessToken + "\"}");
}

Response entra_error(int status, const std::string& code, const std::string& description_tail = "") {
  return FakeHttpClient::json(
      status,
      R"({"error":"invalid_client","error_description":")" + code + ": Some text" + description_tail +
          R"(. Trace ID: t Correlation ID: c Timestamp: 2025-01-01 00:00:00Z","error_codes":[1],"trace_id":"trace-1","correlation_id":"corr-1","timestamp":"2025-01-01 00:00:00Z"})");
}

// Every text field of an Error, for leak scans.
std::vector<std::string> texts(const fkv::Error& error) {
  std::vector<std::string> out = {error.message, error.hint, error.subject, error.service_code};
  for (const auto& [name, value] : error.correlation) {
    out.push_back(name);
    out.push_back(value);
  }
  return out;
}

void check_no_tokens(const fkv::Error& error) {
  for (const std::string& text : texts(error)) {
    for (const std::string& secret : {std::string(kJobToken), kOidcToken1, kOidcToken2, std::string(kAccessToken)}) {
      CHECK(text.find(secret) == std::string::npos);
    }
    CHECK(text.find("SIGNATURE-") == std::string::npos);
  }
}

}  // namespace

TEST_CASE("acquire_access_token: OIDC request, then the Entra exchange; both tokens registered on arrival") {
  FakeHttpClient fake;
  std::vector<std::string> registered;
  std::size_t requests_when_oidc_registered = 0;
  fake.on("POST", kOidcUrl, oidc_ok(kOidcToken1)).on("POST", kTokenUrl, entra_ok());
  const auto token = fkv::auth::acquire_access_token(fake, params(), kScope, [&](std::string_view secret) {
    if (registered.empty()) requests_when_oidc_registered = fake.requests().size();
    registered.emplace_back(secret);
  });

  REQUIRE(token);
  CHECK(token->token == kAccessToken);
  CHECK(token->expires_in == std::chrono::seconds(3599));
  CHECK(registered == std::vector<std::string>{kOidcToken1, kAccessToken});
  CHECK(requests_when_oidc_registered == 1);  // registered before the exchange was sent

  const auto requests = fake.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].url.str() == kOidcUrl);
  REQUIRE(requests[0].bearer);
  CHECK(requests[0].bearer->token == kJobToken);
  CHECK(requests[0].bearer->host == "dev.azure.com");
  CHECK(requests[0].body.empty());
  CHECK(requests[1].method == "POST");
  CHECK(requests[1].url.str() == kTokenUrl);
  CHECK_FALSE(requests[1].bearer);
  CHECK(requests[1].body == "grant_type=client_credentials"
                            "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                            "&client_id=11111111-2222-3333-4444-555555555555"
                            "&scope=https%3A%2F%2Fvault.azure.net%2F.default"
                            "&client_assertion=" +
                                kOidcToken1);  // base64url and '.' need no encoding
  CHECK(fake.unmatched().empty());
}

TEST_CASE("acquire_access_token: AADSTS700024 is retried once with a fresh OIDC token") {
  FakeHttpClient fake;
  fake.on("POST", kOidcUrl, oidc_ok(kOidcToken1), true)
      .on("POST", kOidcUrl, oidc_ok(kOidcToken2), true)
      .on("POST", kTokenUrl, entra_error(401, "AADSTS700024"), true)
      .on("POST", kTokenUrl, entra_ok(), true);
  std::vector<std::string> registered;
  const auto token = fkv::auth::acquire_access_token(fake, params(), kScope,
                                                     [&](std::string_view s) { registered.emplace_back(s); });
  REQUIRE(token);
  CHECK(registered == std::vector<std::string>{kOidcToken1, kOidcToken2, kAccessToken});
  const auto requests = fake.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[1].body.find("client_assertion=" + kOidcToken1) != std::string::npos);
  CHECK(requests[3].body.find("client_assertion=" + kOidcToken2) != std::string::npos);
}

TEST_CASE("acquire_access_token: AADSTS700024 twice is an error after exactly one retry") {
  FakeHttpClient fake;
  fake.on("POST", kOidcUrl, oidc_ok(kOidcToken1), true)
      .on("POST", kOidcUrl, oidc_ok(kOidcToken2), true)
      .on("POST", kTokenUrl, entra_error(401, "AADSTS700024"));
  const auto token = fkv::auth::acquire_access_token(fake, params(), kScope, [](std::string_view) {});
  REQUIRE_FALSE(token);
  CHECK(fake.requests().size() == 4);
  CHECK(token.error().stage == fkv::Stage::entra);
  CHECK(token.error().service_code == "AADSTS700024");
  CHECK(token.error().message ==
        "The pipeline's OIDC token was outside its valid time range when Microsoft Entra ID checked it "
        "(AADSTS700024), also after a retry with a fresh token.");
  check_no_tokens(token.error());
}

TEST_CASE("acquire_access_token: other Entra rejections are not retried and name the token's claims") {
  FakeHttpClient fake;
  fake.on("POST", kOidcUrl, oidc_ok(kOidcToken1)).on("POST", kTokenUrl, entra_error(401, "AADSTS700213"));
  std::vector<std::string> registered;
  const auto token = fkv::auth::acquire_access_token(fake, params(), kScope,
                                                     [&](std::string_view s) { registered.emplace_back(s); });
  REQUIRE_FALSE(token);
  CHECK(fake.requests().size() == 2);
  CHECK(registered == std::vector<std::string>{kOidcToken1});
  const auto& error = token.error();
  CHECK(error.stage == fkv::Stage::entra);
  CHECK(error.http_status == 401);
  CHECK(error.service_code == "AADSTS700213");
  CHECK(error.hint.find("must have issuer 'https://vstoken.dev.azure.com/0d2c4a5e-1111-2222-3333-444455556666', "
                        "subject 'sc://contoso/web/prod' and audience 'api://AzureADTokenExchange'") !=
        std::string::npos);
  using Pair = std::pair<std::string, std::string>;
  CHECK(error.correlation == std::vector<Pair>{{"trace_id", "trace-1"},
                                               {"correlation_id", "corr-1"},
                                               {"timestamp", "2025-01-01 00:00:00Z"}});
  check_no_tokens(error);
}

TEST_CASE("acquire_access_token: an OIDC failure stops before Entra") {
  FakeHttpClient fake;
  fake.on("POST", kOidcUrl,
          FakeHttpClient::json(401, R"({"message":"TF400813: not authorized"})", {{"x-vss-e2eid", "e2e-9"}}));
  bool called = false;
  const auto token = fkv::auth::acquire_access_token(fake, params(), kScope, [&](std::string_view) { called = true; });
  REQUIRE_FALSE(token);
  CHECK_FALSE(called);
  CHECK(fake.requests().size() == 1);
  CHECK(token.error().stage == fkv::Stage::oidc);
  CHECK(token.error().service_code == "TF400813");
  CHECK(token.error().correlation == std::vector<std::pair<std::string, std::string>>{{"x-vss-e2eid", "e2e-9"}});
}

TEST_CASE("acquire_access_token: an invalid tenant fails before any request") {
  FakeHttpClient fake;
  auto p = params();
  p.tenant_id = "evil.com/x?";
  const auto token = fkv::auth::acquire_access_token(fake, p, kScope, [](std::string_view) {});
  REQUIRE_FALSE(token);
  CHECK(token.error().stage == fkv::Stage::config);
  CHECK(fake.requests().empty());
}

TEST_CASE("acquire_access_token: no token text in any Error field, even when a service echoes one") {
  struct Row {
    const char* name;
    Response oidc;
    Response entra;
  };
  const Row rows[] = {
      {"ADO echoes the job token",
       FakeHttpClient::json(401, std::string(R"({"message":"bad token )") + kJobToken + "\"}",
                            {{"x-vss-e2eid", kJobToken}}),
       entra_ok()},
      {"ADO 200 HTML holding the job token",
       Response{200, {{"Content-Type", "text/html"}}, std::string("<p>") + kJobToken}, entra_ok()},
      {"Entra echoes the assertion", oidc_ok(kOidcToken1), entra_error(400, "AADSTS50027", " " + kOidcToken1)},
      {"Entra 200 without expiry", oidc_ok(kOidcToken1),
       FakeHttpClient::json(200, std::string(R"({"access_token":")") + kAccessToken + "\"}")},
      {"Entra trace id is the token", oidc_ok(kOidcToken1),
       FakeHttpClient::json(400, R"({"error":"invalid_grant","trace_id":")" + kOidcToken1 + "\"}")},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    FakeHttpClient fake;
    fake.on("POST", kOidcUrl, row.oidc).on("POST", kTokenUrl, row.entra);
    const auto token = fkv::auth::acquire_access_token(fake, params(), kScope, [](std::string_view) {});
    REQUIRE_FALSE(token);
    check_no_tokens(token.error());
  }
}

TEST_CASE("acquire_access_token: a transport failure at Entra becomes an entra-stage error") {
  FakeHttpClient fake;
  fake.on("POST", kOidcUrl, oidc_ok(kOidcToken1))
      .on("POST", kTokenUrl, TransportError{TransportError::Kind::timeout, "reading the response timed out"});
  const auto token = fkv::auth::acquire_access_token(fake, params(), kScope, [](std::string_view) {});
  REQUIRE_FALSE(token);
  CHECK(token.error().stage == fkv::Stage::entra);
  CHECK(token.error().http_status == 0);
  CHECK(token.error().message ==
        "The token request to Microsoft Entra ID (login.microsoftonline.com) failed (timed out): reading the "
        "response timed out.");
}
