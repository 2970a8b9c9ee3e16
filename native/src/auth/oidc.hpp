// Azure DevOps OIDC token request for a service connection (protocol doc §2, contract doc §6.2).
//
//   POST {SYSTEM_OIDCREQUESTURI}?api-version=7.1&serviceConnectionId={id}
//   Authorization: Bearer {job token}       (bound to the URL's host)
//   Content-Type: application/json
//   X-TFS-FedAuthRedirect: Suppress        (a bad token gets 401, not a 302 to a sign-in page)
//   Content-Length: 0                       (no body)
//
// The response is {"oidcToken":"<JWT>"}. A 200 body is never shown anywhere (it holds the token).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "net/http.hpp"

namespace fkv::auth {

inline constexpr std::chrono::seconds kOidcTimeout{30};

// {base}?api-version={api_version}&serviceConnectionId={id} ('&' when the base has a query), both values
// percent-encoded. The one builder of the OIDC URL: agent/environment.cpp uses it for SYSTEM_OIDCREQUESTURI
// (api-version 7.1) and for the REST route it falls back to (7.1-preview.1, as the REST docs publish it).
net::Url oidc_request_url(const net::Url& base, std::string_view service_connection_id,
                          std::string_view api_version = "7.1");

net::Request oidc_request(const net::Url& oidc_request_url, std::string_view job_token);

// The OIDC token (SECRET) or an Error with Stage::oidc, its cause and fix, and the x-vss-e2eid /
// x-msedge-ref response headers as correlation ids.
Expected<std::string> read_oidc_response(const net::Url& oidc_request_url, const net::Outcome& outcome);

// The serviceConnectionId query value of the OIDC URL, percent-decoded ("" when absent).
std::string service_connection_id(const net::Url& oidc_request_url);

// A service-supplied error text made safe to print: control characters become spaces, runs of
// spaces collapse, at most `max_chars` characters are kept ("..." marks a cut).
std::string sanitize_service_text(std::string_view text, std::size_t max_chars = 400);

}  // namespace fkv::auth
