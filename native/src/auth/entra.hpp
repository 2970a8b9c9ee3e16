// Microsoft Entra ID token exchange: client credentials with a federated client assertion
// (protocol doc §3). No bearer token; the assertion travels in the form body.
//
//   POST {authority}{tenant}/oauth2/v2.0/token
//   Content-Type: application/x-www-form-urlencoded
//   grant_type=client_credentials
//   &client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer
//   &client_id={client id}&scope={scope}&client_assertion={OIDC token}     (every value form-encoded)
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "auth/messages.hpp"
#include "core/expected.hpp"
#include "net/http.hpp"

namespace fkv::auth {

inline constexpr std::chrono::seconds kEntraTimeout{30};

// {authority}{tenant}/oauth2/v2.0/token; the authority's path gets a trailing '/' if it lacks one.
// Error (Stage::config) when the tenant ID fails fkv::is_tenant_id (core/text.hpp).
Expected<net::Url> entra_token_url(const net::Url& authority, std::string_view tenant_id);

net::Request entra_request(const net::Url& token_url, std::string_view client_id, std::string_view scope,
                           std::string_view assertion);

struct EntraToken {
  std::string access_token;  // SECRET
  std::chrono::seconds expires_in{0};
};

// access_token and expires_in (a JSON number or a numeric string, 1..2^31-1) of a 200 body, the shape
// Entra and IMDS share; nullopt when either is missing or malformed. Never keeps any other part.
std::optional<EntraToken> read_token_body(std::string_view body);

// Entra answered with an error: what it said, already sanitised, plus its correlation ids
// (trace_id, correlation_id, timestamp).
struct EntraRejection {
  EntraFailureInfo info;
  std::vector<std::pair<std::string, std::string>> correlation;
};

// A token; a rejection (turned into an Error by entra_failure_error, which needs more context); or
// an Error for transport failures and malformed 200 answers.
using EntraResult = std::variant<EntraToken, EntraRejection, Error>;

EntraResult read_entra_response(const net::Url& token_url, const net::Outcome& outcome);

// "AADSTS700213" from the first "AADSTS<digits>" in `description`, else "AADSTS<error_codes[0]>", else "".
std::string aadsts_code(std::string_view description, const std::vector<long long>& error_codes);

// The first sentence of an error_description, without its "AADSTSnnn: " prefix, the trace and
// correlation ids and the timestamp; sanitised and at most 300 characters.
std::string first_sentence(std::string_view description);

}  // namespace fkv::auth
