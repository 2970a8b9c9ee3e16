#include <doctest/doctest.h>

#include "auth/entra.hpp"
#include "fake_http_client.hpp"

using fkv::auth::EntraRejection;
using fkv::auth::EntraToken;
using fkv::net::Response;
using fkv::net::TransportError;
using fkv::test::FakeHttpClient;

namespace {

fkv::net::Url token_url() {
  return *fkv::auth::entra_token_url(*fkv::net::parse_https_url("https://login.microsoftonline.com/"),
                                     "72f988bf-86f1-41af-91ab-2d7cd011db47");
}

}  // namespace

TEST_CASE("entra_token_url: authority + tenant + /oauth2/v2.0/token") {
  CHECK(token_url().str() ==
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token");
  CHECK(
      fkv::auth::entra_token_url(*fkv::net::parse_https_url("https://login.microsoftonline.us"), "contoso.us")->str() ==
      "https://login.microsoftonline.us/contoso.us/oauth2/v2.0/token");
  CHECK(fkv::auth::entra_token_url(*fkv::net::parse_https_url("https://127.0.0.1:8443/adfs"), "t")->str() ==
        "https://127.0.0.1:8443/adfs/t/oauth2/v2.0/token");
}

TEST_CASE("entra_token_url rejects tenant ids that could change the path") {
  for (const char* tenant : {"", "a/b", "a?b", "..%2f", "a b", "tenant#", "t\n"}) {
    CAPTURE(tenant);
    const auto url = fkv::auth::entra_token_url(*fkv::net::parse_https_url("https://login.microsoftonline.com/"),
                                                tenant);
    REQUIRE_FALSE(url);
    CHECK(url.error().stage == fkv::Stage::config);
    CHECK(url.error().subject == "tenantId");
    CHECK(url.error().message.find("is not valid: only letters, digits, '.' and '-' are allowed.") !=
          std::string::npos);
  }
}

TEST_CASE("entra_request: the exact form body, headers and no bearer") {
  const auto request = fkv::auth::entra_request(token_url(), "11111111-2222-3333-4444-555555555555",
                                                "https://vault.azure.net/.default", "eyJ.a+b/c=.sig");
  CHECK(request.method == "POST");
  CHECK(request.url.str() == token_url().str());
  CHECK_FALSE(request.bearer);
  REQUIRE(request.headers.size() == 2);
  CHECK(request.headers[0].name == "Content-Type");
  CHECK(request.headers[0].value == "application/x-www-form-urlencoded");
  CHECK(request.headers[1].name == "Accept");
  CHECK(request.headers[1].value == "application/json");
  CHECK(request.body == "grant_type=client_credentials"
                        "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                        "&client_id=11111111-2222-3333-4444-555555555555"
                        "&scope=https%3A%2F%2Fvault.azure.net%2F.default"
                        "&client_assertion=eyJ.a%2Bb%2Fc%3D.sig");
  CHECK(request.timeout == std::chrono::seconds(30));
}

TEST_CASE("read_entra_response: success with expires_in as a number or a numeric string") {
  struct Row {
    const char* body;
    long long seconds;
  };
  const Row rows[] = {
      {R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"AT-1"})", 3599},
      {R"({"token_type":"Bearer","expires_in":"3600","access_token":"AT-1"})", 3600},
      {R"({"access_token":"AT-1","expires_in":86399.0})", 86399},
  };
  for (const auto& row : rows) {
    CAPTURE(row.body);
    auto result = fkv::auth::read_entra_response(token_url(), FakeHttpClient::json(200, row.body));
    REQUIRE(std::holds_alternative<EntraToken>(result));
    CHECK(std::get<EntraToken>(result).access_token == "AT-1");
    CHECK(std::get<EntraToken>(result).expires_in == std::chrono::seconds(row.seconds));
  }
}

TEST_CASE("read_entra_response: a 200 without a usable token is an error that shows nothing of the body") {
  const char* bodies[] = {
      R"({"access_token":"AT-SECRET"})",  // no expires_in
      R"({"access_token":"AT-SECRET","expires_in":"1h"})",
      R"({"access_token":"AT-SECRET","expires_in":0})",
      R"({"access_token":"AT-SECRET","expires_in":-5})",
      R"({"access_token":"AT-SECRET","expires_in":99999999999})",
      R"({"access_token":42,"expires_in":3599})",
      R"({"access_token":"","expires_in":3599})",
      R"(AT-SECRET)",
      R"([])",
  };
  for (const char* body : bodies) {
    CAPTURE(body);
    auto result = fkv::auth::read_entra_response(token_url(), FakeHttpClient::json(200, body));
    REQUIRE(std::holds_alternative<fkv::Error>(result));
    const auto& error = std::get<fkv::Error>(result);
    CHECK(error.stage == fkv::Stage::entra);
    CHECK(error.http_status == 200);
    CHECK(error.message.find("AT-SECRET") == std::string::npos);
    CHECK(error.hint.find("AT-SECRET") == std::string::npos);
  }
}

TEST_CASE("read_entra_response: rejections carry error, code, first sentence and correlation ids") {
  const std::string body =
      R"({"error":"invalid_client","error_description":"AADSTS700213: No matching federated identity record found for presented assertion subject 'sc://contoso/web/prod'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation Trace ID: 0f7b Correlation ID: 6c1e Timestamp: 2025-10-13 14:54:34Z","error_codes":[700213],"timestamp":"2025-10-13 14:54:34Z","trace_id":"0f7b-trace","correlation_id":"6c1e-corr","error_uri":"https://login.microsoftonline.com/error?code=700213"})";
  auto result = fkv::auth::read_entra_response(token_url(), FakeHttpClient::json(401, body));
  REQUIRE(std::holds_alternative<EntraRejection>(result));
  const auto& rejection = std::get<EntraRejection>(result);
  CHECK(rejection.info.status == 401);
  CHECK(rejection.info.error == "invalid_client");
  CHECK(rejection.info.code == "AADSTS700213");
  CHECK(rejection.info.description ==
        "No matching federated identity record found for presented assertion subject 'sc://contoso/web/prod'.");
  using Pair = std::pair<std::string, std::string>;
  CHECK(rejection.correlation == std::vector<Pair>{{"trace_id", "0f7b-trace"},
                                                   {"correlation_id", "6c1e-corr"},
                                                   {"timestamp", "2025-10-13 14:54:34Z"}});
}

TEST_CASE("read_entra_response: a rejection that carries an access token keeps only its numeric codes") {
  // Found by fuzzing the IMDS reader: the token could be quoted in any text field, whole or cut.
  const std::string token = "plain-token-without-jwt-shape-0123456789";
  const std::string body = R"({"access_token":")" + token + R"(","error":")" + token +
                           R"(","error_description":"AADSTS50027: )" + token +
                           R"(","error_codes":[50027],"trace_id":")" + token + R"("})";
  auto result = fkv::auth::read_entra_response(token_url(), FakeHttpClient::json(400, body));
  REQUIRE(std::holds_alternative<EntraRejection>(result));
  const auto& rejection = std::get<EntraRejection>(result);
  CHECK(rejection.info.code == "AADSTS50027");
  CHECK(rejection.info.error.empty());
  CHECK(rejection.info.description.empty());
  CHECK(rejection.correlation.empty());
}

TEST_CASE("read_entra_response: rejections without JSON, or on other statuses") {
  auto result = fkv::auth::read_entra_response(token_url(), Response{503, {}, "<html>busy</html>"});
  REQUIRE(std::holds_alternative<EntraRejection>(result));
  CHECK(std::get<EntraRejection>(result).info.status == 503);
  CHECK(std::get<EntraRejection>(result).info.code.empty());
  CHECK(std::get<EntraRejection>(result).info.error.empty());
  CHECK(std::get<EntraRejection>(result).correlation.empty());

  result = fkv::auth::read_entra_response(
      token_url(), FakeHttpClient::json(400, R"({"error":"invalid_grant","error_codes":[50027]})"));
  REQUIRE(std::holds_alternative<EntraRejection>(result));
  CHECK(std::get<EntraRejection>(result).info.code == "AADSTS50027");
  CHECK(std::get<EntraRejection>(result).info.description.empty());
}

TEST_CASE("read_entra_response: transport errors") {
  auto result = fkv::auth::read_entra_response(token_url(), TransportError{TransportError::Kind::tls, "verify failed"});
  REQUIRE(std::holds_alternative<fkv::Error>(result));
  CHECK(std::get<fkv::Error>(result).stage == fkv::Stage::entra);
  CHECK(std::get<fkv::Error>(result).message ==
        "The token request to Microsoft Entra ID (login.microsoftonline.com) failed (TLS failure): verify failed.");
}

TEST_CASE("aadsts_code: from the description first, then error_codes[0]") {
  struct Row {
    const char* description;
    std::vector<long long> codes;
    const char* code;
  };
  const Row rows[] = {
      {"AADSTS700213: No matching", {700213}, "AADSTS700213"},
      {"AADSTS7002138: case", {1}, "AADSTS7002138"},
      {"Error AADSTS90002 Tenant", {}, "AADSTS90002"},
      {"AADSTS: nothing AADSTS50027 here", {}, "AADSTS50027"},
      {"no code", {700016, 1}, "AADSTS700016"},
      {"", {}, ""},
      {"", {0}, ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.description);
    CHECK(fkv::auth::aadsts_code(row.description, row.codes) == row.code);
  }
}

TEST_CASE("first_sentence: without code prefix, ids, line breaks; at most 300 characters") {
  struct Row {
    std::string description;
    std::string sentence;
  };
  const Row rows[] = {
      {"AADSTS90002: Tenant 'x' not found. Check to make sure you have the correct tenant ID. Trace ID: a",
       "Tenant 'x' not found."},
      {"AADSTS700024: Client assertion is not within its valid time range. Current time: 2024-01-01T00:00:00.000Z, "
       "assertion valid from 2023-12-31T23:50:00.000Z",
       "Client assertion is not within its valid time range."},
      {"AADSTS50027: JWT token is invalid or malformed.\r\nTrace ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 3",
       "JWT token is invalid or malformed."},
      {"Single sentence without period Trace ID: 1 Correlation ID: 2", "Single sentence without period"},
      {"https://login.microsoftonline.com/x is the URL. Next.", "https://login.microsoftonline.com/x is the URL."},
      {std::string(400, 'y'), std::string(300, 'y') + "..."},
      {"", ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.description);
    CHECK(fkv::auth::first_sentence(row.description) == row.sentence);
  }
}

TEST_CASE("entra_token_url accepts what the shared tenant rule accepts (core/text is_tenant_id)") {
  const auto authority = *fkv::net::parse_https_url("https://login.microsoftonline.com/");
  for (const std::string& ok : std::vector<std::string>{"72f988bf-86f1-41af-91ab-2d7cd011db47",
                                                        "contoso.onmicrosoft.com", "a", std::string(253, 'a')})
    CHECK(fkv::auth::entra_token_url(authority, ok));
  for (const std::string& bad : std::vector<std::string>{"", "a/b", "a b", "ä", "a_b", std::string(254, 'a')})
    CHECK_FALSE(fkv::auth::entra_token_url(authority, bad));
}
