// Service principal with a client secret (ServicePrincipal + spnKey): client credentials at the same
// Entra v2 token endpoint as federation (identity-keyvault-protocol.md §3), the secret in the form body.
//
//   POST {authority}{tenant}/oauth2/v2.0/token
//   Content-Type: application/x-www-form-urlencoded
//   grant_type=client_credentials&client_id={client id}&client_secret={secret}&scope={scope}  (form-encoded)
//
// Contract: the secret travels only in that body, to the Entra host; it never appears in an Error
// (redacted whatever Entra echoes). No Entra 4xx is retried here: a wrong (AADSTS7000215) or expired
// (AADSTS7000222) secret cannot get better; transient failures are retried by the HttpClient given.
#pragma once

#include <string>
#include <string_view>

#include "auth/federated_credential.hpp"
#include "auth/messages.hpp"
#include "core/expected.hpp"
#include "net/http.hpp"

namespace fkv::auth {

// The connection's own fields for this scheme (ServicePrincipal, spnKey).
struct ClientSecretCredential {
  net::Url authority;  // e.g. https://login.microsoftonline.com/
  std::string tenant_id;
  std::string client_id;
  std::string client_secret;  // SECRET
  std::string settings_url;   // the connection's page, for the hints; may be empty
};

net::Request client_secret_request(const net::Url& token_url, std::string_view client_id, std::string_view scope,
                                   std::string_view client_secret);

// The access token (given to `register_secret` first), or an Error of Stage::config / Stage::entra.
Expected<AccessToken> acquire_with_client_secret(net::HttpClient& http, const ClientSecretCredential& params,
                                                 const std::string& scope, const SecretSink& register_secret);

}  // namespace fkv::auth
