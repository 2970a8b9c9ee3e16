// User-facing cause + fix for failures of the OIDC request and the Entra exchange. Pure; the exact
// texts are tested word for word (tests/unit/auth/messages_test.cpp).
//
// Inputs are already classified and sanitised by auth/oidc.cpp and auth/entra.cpp: no argument
// ever holds a token. Service texts (Azure DevOps `message`, Entra `error_description`) come only
// from non-2xx responses.
#pragma once

#include <optional>
#include <string>

#include "auth/jwt_claims.hpp"
#include "core/error.hpp"

namespace fkv::auth {

enum class OidcFailure {
  redirected,            // 3xx: the job token was not accepted (sign-in redirect)
  not_json,              // 2xx with an HTML body: the same, after a redirect elsewhere
  malformed_json,        // 2xx whose body is neither HTML nor a JSON object (truncated, garbled)
  unauthorized,          // 401
  forbidden,             // 403
  connection_not_found,  // 404, or 400 saying "No service connection found"
  other_status,          // any other non-200 status
  no_token_in_response,  // 200 JSON without a string "oidcToken"
};

struct OidcFailureInfo {
  OidcFailure kind = OidcFailure::other_status;
  int status = 0;
  std::string host;             // Azure DevOps host of the OIDC URL
  std::string connection_id;    // serviceConnectionId of the OIDC URL (may be empty)
  std::string service_message;  // Azure DevOps error `message` (non-2xx only, sanitised); may be empty
};

// Stage::oidc, http_status = status, service_code = the TFnnnnnn code in service_message if any.
// Correlation ids are added by the caller.
Error oidc_failure_error(const OidcFailureInfo& info);

struct EntraFailureInfo {
  int status = 0;
  std::string error;        // OAuth "error", e.g. "invalid_client"; may be empty
  std::string code;         // "AADSTS700213"; from error_description, else error_codes[0]; may be empty
  std::string description;  // first sentence of error_description without code, URL and ids; may be empty
};

struct ExchangeContext {
  std::string client_id;
  std::string tenant_id;
  std::string authority_host;       // e.g. login.microsoftonline.com
  std::string scope;                // e.g. https://vault.azure.net/.default
  std::optional<JwtClaims> claims;  // of the OIDC token sent, when it could be decoded
  bool retried_with_fresh_token = false;
  // The credential sent: a federated OIDC token (default), a client secret or a certificate assertion.
  enum class Credential { federated, client_secret, certificate } credential = Credential::federated;
  std::string settings_url;            // the service connection's page in Azure DevOps; may be empty
  std::string certificate_thumbprint;  // SHA-1, upper-case hex, of the certificate sent (certificate only)
};

// Stage::entra, http_status = status, service_code = code (or `error` when there is no code).
Error entra_failure_error(const EntraFailureInfo& info, const ExchangeContext& context);

// The once-per-run warning for a connection that authenticates with a stored secret or certificate:
// what to convert and where. `settings_url` may be empty.
std::string stored_credential_warning(ExchangeContext::Credential credential, const std::string& connection_id,
                                      const std::string& settings_url);

// 200 without a usable access_token/expires_in.
Error entra_malformed_success_error(int status);

// The audience every Azure DevOps federated credential must have.
inline constexpr const char* kTokenExchangeAudience = "api://AzureADTokenExchange";

}  // namespace fkv::auth
