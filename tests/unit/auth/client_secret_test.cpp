#include <doctest/doctest.h>

#include "auth/client_secret.hpp"
#include "auth/credential.hpp"
#include "fake_http_client.hpp"

using fkv::test::FakeHttpClient;

namespace {

const std::string kTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const std::string kClient = "11111111-2222-4333-8444-555555555555";
const std::string kSecret = "s3cr~et.Value_+/=&%";
const std::string kTokenUrl = "https://login.microsoftonline.com/" + kTenant + "/oauth2/v2.0/token";

fkv::auth::Credential secret_credential() {
  fkv::auth::Credential c;
  c.connection_id = "2f3c4b5a-1111-4222-8333-944455556666";
  c.scheme = fkv::auth::ClientSecretCredential{
      *fkv::net::parse_https_url("https://login.microsoftonline.com/"), kTenant, kClient, kSecret,
      "https://dev.azure.com/org/proj/_settings/adminservices?resourceId=" + c.connection_id};
  return c;
}

std::string entra_error_body(int code, const std::string& error, const std::string& text) {
  return "{\"error\":\"" + error + "\",\"error_description\":\"AADSTS" + std::to_string(code) + ": " + text +
         " Trace ID: 0000 Correlation ID: 1111 Timestamp: 2026-01-01 00:00:00Z\",\"error_codes\":[" +
         std::to_string(code) + "],\"trace_id\":\"t-1\",\"correlation_id\":\"c-1\"}";
}

}  // namespace

TEST_CASE("client_secret_request: the v2 form, every value form-encoded, nothing else") {
  const auto url = *fkv::net::parse_https_url(kTokenUrl);
  const auto request = fkv::auth::client_secret_request(url, kClient, "https://vault.azure.net/.default", kSecret);
  CHECK(request.method == "POST");
  CHECK(request.url.str() == kTokenUrl);
  CHECK_FALSE(request.bearer);
  CHECK(request.body == "grant_type=client_credentials&client_id=" + kClient +
                            "&client_secret=s3cr~et.Value_%2B%2F%3D%26%25"
                            "&scope=https%3A%2F%2Fvault.azure.net%2F.default");
}

TEST_CASE("acquire_access_token_for(client secret): the secret is registered first, then the token") {
  FakeHttpClient http;
  http.on("POST", kTokenUrl,
          FakeHttpClient::json(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"at-1"})"));
  std::vector<std::string> registered;
  auto token = fkv::auth::acquire_access_token_for({http}, secret_credential(), "https://vault.azure.net/.default",
                                                   [&](std::string_view s) { registered.emplace_back(s); });
  REQUIRE(token);
  CHECK(token->token == "at-1");
  CHECK(registered == std::vector<std::string>{kSecret, "at-1"});
  REQUIRE(http.requests().size() == 1);
  CHECK(http.requests()[0].body.find("client_assertion") == std::string::npos);
}

TEST_CASE("acquire_access_token_for(client secret): AADSTS7000215 and 7000222 with cause and fix, never retried") {
  struct Case {
    int code;
    std::string message;
    std::string hint_start;
  };
  const std::string convert =
      "To stop managing secrets, open the service connection "
      "(https://dev.azure.com/org/proj/_settings/adminservices?resourceId=2f3c4b5a-1111-4222-8333-944455556666) and "
      "choose Convert to move it to workload identity federation (https://aka.ms/azdo-rm-workload-identity-conversion).";
  const std::vector<Case> cases = {
      {7000215,
       "Microsoft Entra ID rejected the client secret of app '" + kClient +
           "' (AADSTS7000215): it is not a current secret of this app.",
       "Update the service connection with the secret's Value (not its Secret ID) from the app registration's "
       "Certificates & secrets page. " +
           convert},
      {7000222, "The client secret of app '" + kClient + "' has expired (AADSTS7000222).",
       "Create a new client secret under the app registration's Certificates & secrets and enter its Value in the "
       "service connection. " +
           convert},
  };
  for (const auto& c : cases) {
    CAPTURE(c.code);
    FakeHttpClient http;
    // Entra echoing the secret must not put it into the Error.
    http.on("POST", kTokenUrl,
            FakeHttpClient::json(401, entra_error_body(c.code, "invalid_client", "echo " + kSecret)));
    auto token = fkv::auth::acquire_access_token_for({http}, secret_credential(), "https://vault.azure.net/.default",
                                                     [](std::string_view) {});
    REQUIRE_FALSE(token);
    CHECK(token.error().stage == fkv::Stage::entra);
    CHECK(token.error().http_status == 401);
    CHECK(token.error().service_code == "AADSTS" + std::to_string(c.code));
    CHECK(token.error().message == c.message);
    CHECK(token.error().hint == c.hint_start);
    CHECK(http.requests().size() == 1);
  }
}

TEST_CASE("credential_warnings: a client secret gets the nudge to convert; federation none") {
  auto credential = secret_credential();
  const auto warnings = fkv::auth::credential_warnings(credential);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] ==
        "The service connection 2f3c4b5a-1111-4222-8333-944455556666 authenticates with a client secret stored in "
        "Azure DevOps, which must be rotated before it expires and can leak. Workload identity federation needs no "
        "stored secret and this task supports it unchanged: open the service connection "
        "(https://dev.azure.com/org/proj/_settings/adminservices?resourceId=2f3c4b5a-1111-4222-8333-944455556666) "
        "and choose Convert (https://aka.ms/azdo-rm-workload-identity-conversion).");
  std::get<fkv::auth::ClientSecretCredential>(credential.scheme).settings_url.clear();
  CHECK(fkv::auth::credential_warnings(credential)[0].find(
            "open the service connection in Project settings > Service connections and choose Convert") !=
        std::string::npos);
  credential.scheme = fkv::auth::FederatedCredential{};
  CHECK(fkv::auth::credential_warnings(credential).empty());
}
