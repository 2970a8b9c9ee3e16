// Managed identity (ManagedServiceIdentity): the agent VM's identity, through the Azure Instance Metadata
// Service (IMDS). The only plain-HTTP request of the task:
//
//   GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource={resource}
//       [&client_id={msiclientId}]          (the user-assigned identity; without it the system-assigned one)
//   Metadata: true
//
// Contract:
// - The request goes only to 169.254.169.254:80, through the `imds` client given: in a run, the run's HTTP
//   pipeline over net/imds_client.hpp (which refuses any other address and never uses a proxy), assembled
//   in run/connection.cpp; it carries no bearer token and no secret.
// - Retries are the pipeline's, with net::imds_retry_policy() (the IMDS guidance): 404 (the identity is
//   still being attached), 410 (IMDS is being updated), 429 and 5xx are retried with exponential backoff
//   (or the server's Retry-After), every wait within the run's deadline. A failed TCP connect is not
//   retried: there is no IMDS (not an Azure VM). 400 (e.g. "Identity not found") is never retried.
// - The access token goes to `register_secret` the moment it is parsed.
// - Errors are Stage::imds with the cause and the fix; the parts that are pure (request, retry decision,
//   response reading) are separate functions, table-tested.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "auth/federated_credential.hpp"
#include "core/expected.hpp"
#include "net/http.hpp"

namespace fkv::auth {

inline constexpr std::string_view kImdsAddress = "169.254.169.254";
inline constexpr unsigned short kImdsPort = 80;
inline constexpr std::chrono::milliseconds kImdsRequestTimeout{10'000};  // one request, whole

// The connection's own fields for this scheme (ManagedServiceIdentity).
struct ManagedIdentityCredential {
  std::string msi_client_id;  // the user-assigned identity's client id; empty: the system-assigned one
};

// "https://vault.azure.net" for the scope "https://vault.azure.net/.default" (IMDS takes a resource).
std::string imds_resource(std::string_view scope);

// The request above; `msi_client_id` empty: the system-assigned identity.
net::Request imds_token_request(std::string_view resource, std::string_view msi_client_id);

// The token of a 200 answer ({"access_token": ..., "expires_in": "3599", ...}: IMDS sends strings), or
// the Error for any other outcome. `msi_client_id` is only for the messages.
Expected<AccessToken> read_imds_response(const net::Outcome& outcome, std::string_view msi_client_id);

// The flow: the request through `imds` (which retries, see above), then the answer read. `imds` null: this
// build has no IMDS client (a Stage::config Error).
Expected<AccessToken> acquire_with_managed_identity(net::HttpClient* imds, const ManagedIdentityCredential& credential,
                                                    std::string_view scope, const SecretSink& register_secret);

}  // namespace fkv::auth
