#include <doctest/doctest.h>

#include "auth/oidc.hpp"
#include "fake_http_client.hpp"

using fkv::net::Response;
using fkv::net::TransportError;
using fkv::test::FakeHttpClient;

namespace {

const char* const kBase =
    "https://dev.azure.com/contoso/4f1e2d3c-0000-4000-8000-00000000aaaa/_apis/distributedtask/hubs/build/plans/"
    "p1/jobs/j1/oidctoken";
const char* const kConnection = "9f2b7c1e-0000-4000-8000-000000000001";
const char* const kOidcToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzYzovL2MvcC9uIn0.SIGNATURE-OIDC";

fkv::net::Url oidc_url() { return fkv::auth::oidc_request_url(*fkv::net::parse_https_url(kBase), kConnection); }

}  // namespace

TEST_CASE("oidc_request_url appends api-version and the encoded connection id") {
  CHECK(oidc_url().str() == std::string(kBase) + "?api-version=7.1&serviceConnectionId=" + kConnection);
  CHECK(fkv::auth::oidc_request_url(*fkv::net::parse_https_url("https://x.example/t?a=1"), "a b").str() ==
        "https://x.example/t?a=1&api-version=7.1&serviceConnectionId=a%20b");
}

TEST_CASE("service_connection_id reads the query parameter") {
  CHECK(fkv::auth::service_connection_id(oidc_url()) == kConnection);
  CHECK(fkv::auth::service_connection_id(
            *fkv::net::parse_https_url("https://x.example/t?serviceConnectionId=a%20b&z=1")) == "a b");
  CHECK(fkv::auth::service_connection_id(*fkv::net::parse_https_url("https://x.example/t?xserviceConnectionId=1"))
            .empty());
  CHECK(fkv::auth::service_connection_id(*fkv::net::parse_https_url("https://x.example/t")).empty());
}

TEST_CASE("oidc_request: POST, the four headers, no body, bearer bound to the OIDC host") {
  const auto request = fkv::auth::oidc_request(oidc_url(), "JOB-TOKEN");
  CHECK(request.method == "POST");
  CHECK(request.url.str() == oidc_url().str());
  REQUIRE(request.headers.size() == 3);
  CHECK(request.headers[0].name == "Content-Type");
  CHECK(request.headers[0].value == "application/json");
  CHECK(request.headers[1].name == "Accept");
  CHECK(request.headers[1].value == "application/json");
  CHECK(request.headers[2].name == "X-TFS-FedAuthRedirect");
  CHECK(request.headers[2].value == "Suppress");
  CHECK(request.body.empty());
  REQUIRE(request.bearer);
  CHECK(request.bearer->token == "JOB-TOKEN");
  CHECK(request.bearer->host == "dev.azure.com");
  CHECK(request.timeout == std::chrono::seconds(30));
}

TEST_CASE("read_oidc_response: a 200 with a string oidcToken is the token") {
  const auto token = fkv::auth::read_oidc_response(
      oidc_url(), FakeHttpClient::json(200, std::string(R"({"oidcToken":")") + kOidcToken + "\"}"));
  REQUIRE(token);
  CHECK(*token == kOidcToken);
}

TEST_CASE("read_oidc_response: classification of failures, never showing a 2xx body") {
  struct Row {
    fkv::net::Response response;
    const char* message_start;
    int status;
  };
  const std::string token_body = std::string(R"({"oidcToken":")") + kOidcToken + "\"}";
  const Row rows[] = {
      {{302, {{"Location", "https://spsprodweu5.vssps.visualstudio.com/_signin"}}, ""},
       "Azure DevOps rejected the job access token: the OIDC token request to dev.azure.com was answered with HTTP "
       "302, a redirect",
       302},
      {{200, {{"Content-Type", "text/html; charset=utf-8"}}, "<html>" + token_body + "</html>"},
       "Azure DevOps rejected the job access token: the OIDC token request to dev.azure.com was answered with HTTP "
       "200 and a web page",
       200},
      {{203, {}, "  <!DOCTYPE html><html>sign in</html>"}, "Azure DevOps rejected the job access token", 203},
      {{200, {}, "oidcToken=" + std::string(kOidcToken)},
       "Azure DevOps answered the OIDC token request to dev.azure.com with HTTP 200 but the answer is not valid JSON",
       200},
      {FakeHttpClient::json(200, R"({"oidcToken":"eyJ)"),
       "Azure DevOps answered the OIDC token request to dev.azure.com with HTTP 200 but the answer is not valid JSON "
       "(it may have been cut off or altered on the way).",
       200},
      {FakeHttpClient::json(200, R"({"oidcToken":null})"),
       "Azure DevOps answered the OIDC token request with HTTP 200 but the answer holds no OIDC token.", 200},
      {FakeHttpClient::json(200, R"({"oidcToken":""})"),
       "Azure DevOps answered the OIDC token request with HTTP 200 but", 200},
      {FakeHttpClient::json(200, R"({"token":"abc"})"),
       "Azure DevOps answered the OIDC token request with HTTP 200 but", 200},
      {FakeHttpClient::json(201, token_body), "Azure DevOps answered the OIDC token request with HTTP 201 but", 201},
      {FakeHttpClient::json(
           401,
           R"({"$id":"1","message":"TF400813: The user '' is not authorized to access this resource.","typeKey":"UnauthorizedRequestException","errorCode":0})"),
       "Azure DevOps refused the job access token (HTTP 401) when asked for an OIDC token: the token is invalid or "
       "has expired. Azure DevOps says: TF400813: The user '' is not authorized to access this resource.",
       401},
      {{401, {}, ""}, "Azure DevOps refused the job access token (HTTP 401)", 401},
      {FakeHttpClient::json(
           404, R"({"message":"No service connection found with identifier 9f2b7c1e-0000-4000-8000-000000000001."})"),
       "Azure DevOps found no service connection '9f2b7c1e-0000-4000-8000-000000000001' that this job may use (HTTP "
       "404). Azure DevOps says: No service connection found",
       404},
      {FakeHttpClient::json(400, R"({"message":"No service connection found with identifier x."})"),
       "Azure DevOps found no service connection '9f2b7c1e-0000-4000-8000-000000000001' that this job may use (HTTP "
       "400).",
       400},
      {FakeHttpClient::json(400, R"({"message":"VssInvalidPreviewVersionException: bad version"})"),
       "Azure DevOps answered the OIDC token request with HTTP 400. Azure DevOps says: VssInvalidPreviewVersionException",
       400},
      {FakeHttpClient::json(403, R"({"message":"Access denied."})"),
       "Azure DevOps denied the OIDC token request for service connection '9f2b7c1e-0000-4000-8000-000000000001' "
       "(HTTP 403). Azure DevOps says: Access denied.",
       403},
      {{500, {}, "not json"}, "Azure DevOps answered the OIDC token request with HTTP 500.", 500},
  };
  for (const auto& row : rows) {
    CAPTURE(row.message_start);
    CAPTURE(row.response.status);
    const auto result = fkv::auth::read_oidc_response(oidc_url(), row.response);
    REQUIRE_FALSE(result);
    const auto& error = result.error();
    CHECK(error.stage == fkv::Stage::oidc);
    CHECK(error.http_status == row.status);
    CHECK(error.message.rfind(row.message_start, 0) == 0);
    CHECK(error.message.find(kOidcToken) == std::string::npos);
    CHECK(error.message.find("oidcToken") == std::string::npos);
    CHECK(error.message.find("sign in") == std::string::npos);
    CHECK_FALSE(error.hint.empty());
  }
}

TEST_CASE("read_oidc_response: x-vss-e2eid and x-msedge-ref become correlation ids, on success statuses too") {
  const std::vector<fkv::net::Header> headers = {{"X-VSS-E2EID", "e2e-1234"},
                                                 {"x-msedge-ref", "Ref A: 1 Ref B: AMS Ref C: 2025"},
                                                 {"ActivityId", "ignored"}};
  for (int status : {200, 401, 404, 302}) {
    CAPTURE(status);
    const auto result = fkv::auth::read_oidc_response(oidc_url(), Response{status, headers, status == 200 ? "{}" : ""});
    REQUIRE_FALSE(result);
    using Pair = std::pair<std::string, std::string>;
    CHECK(result.error().correlation ==
          std::vector<Pair>{{"x-vss-e2eid", "e2e-1234"}, {"x-msedge-ref", "Ref A: 1 Ref B: AMS Ref C: 2025"}});
  }
}

TEST_CASE("read_oidc_response: transport errors name the host and keep the kind's hint") {
  const auto result = fkv::auth::read_oidc_response(oidc_url(), TransportError{TransportError::Kind::resolve_not_found,
                                                                               "NXDOMAIN"});
  REQUIRE_FALSE(result);
  CHECK(result.error().stage == fkv::Stage::oidc);
  CHECK(result.error().http_status == 0);
  CHECK(result.error().message ==
        "The OIDC token request to Azure DevOps (dev.azure.com) failed (host not found): NXDOMAIN.");
}

TEST_CASE("sanitize_service_text: control characters, whitespace runs and length") {
  CHECK(fkv::auth::sanitize_service_text("a\r\n\tb  c ") == "a b c");
  CHECK(fkv::auth::sanitize_service_text(std::string(500, 'x'), 10) == "xxxxxxxxxx...");
  CHECK(fkv::auth::sanitize_service_text("\xc3\xa9\xc3\xa9", 3) == "\xc3\xa9...");  // no cut inside a UTF-8 character
  CHECK(fkv::auth::sanitize_service_text("") == "");
}

TEST_CASE("a deeply nested OIDC response is an error, not a crash") {
  const auto url = *fkv::net::parse_https_url(
      "https://dev.azure.com/org/p/_apis/distributedtask/hubs/build/plans/x/jobs/y/oidctoken?api-version=7.1&serviceConnectionId=c");
  fkv::net::Response response{200, {{"Content-Type", "application/json"}}, std::string(500000, '[')};
  CHECK_FALSE(fkv::auth::read_oidc_response(url, fkv::net::Outcome{response}));
}
