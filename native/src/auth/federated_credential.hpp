// Workload identity federation: Azure DevOps OIDC token -> Microsoft Entra ID access token.
//
// Contract:
// - A fresh OIDC token is requested for every Entra exchange; it is never cached (it lives minutes).
// - `register_secret` is called with every token the moment it is received (the OIDC token, then
//   the access token), before it is used, so the caller can emit ##vso[task.setsecret] for it.
// - Redirects are never followed; a 3xx or an HTML body from Azure DevOps means "job token rejected".
// - Failures are Errors with stage oidc or entra, the HTTP status, the service code (TF..., AADSTS...),
//   correlation ids (x-vss-e2eid, x-msedge-ref, trace_id, correlation_id) and a cause + fix.
//   For AADSTS700213/700211/7002138 the hint names the OIDC token's issuer, subject and audience
//   (decoded without verification, for diagnostics only) that the federated credential must match.
// - AADSTS700024 (assertion expired) is retried once with a freshly fetched OIDC token. No other
//   Entra 4xx is retried here. Transient failures (transport errors, 408/429/5xx) are retried by the
//   HttpClient given, which should be a net::RetryingClient wrapping the net::HttpsClient.
// - Building blocks (request builders, response readers, message texts) live in auth/oidc.hpp,
//   auth/entra.hpp, auth/messages.hpp and auth/jwt_claims.hpp.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "net/http.hpp"
#include "net/url.hpp"

namespace fkv::auth {

// The connection's own fields for this scheme (auth/credential.hpp holds one of these per connection).
struct FederatedCredential {
  net::Url oidc_request_url;  // full URL including api-version and serviceConnectionId
                              // (auth::oidc_request_url(SYSTEM_OIDCREQUESTURI, connection id) builds it)
  std::string job_token;      // SECRET: the job's System.AccessToken
  net::Url authority;         // e.g. https://login.microsoftonline.com/ (a missing trailing '/' is added)
  std::string tenant_id;      // validated again here: [A-Za-z0-9.-]+, else a Stage::config Error
  std::string client_id;
};

struct AccessToken {
  std::string token;  // SECRET
  std::chrono::seconds expires_in{0};
};

using SecretSink = std::function<void(std::string_view secret)>;

// `scope`: e.g. "https://vault.azure.net/.default".
Expected<AccessToken> acquire_access_token(net::HttpClient& http, const FederatedCredential& params,
                                           const std::string& scope, const SecretSink& register_secret);

}  // namespace fkv::auth
