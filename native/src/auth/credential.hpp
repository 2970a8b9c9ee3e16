// One entry point for every supported scheme of the service connection: the access token for a scope.
//
// Contract:
// - `register_secret` is called with the connection's own secret (client secret, PEM) before anything is
//   sent, and with every token the moment it is received, so the caller can mask them all.
// - warnings(): what the run should say once about the credential (a stored secret to convert to
//   federation; none for a managed identity, which stores nothing); never holds a secret.
// - Errors follow the scheme's rules (auth/federated_credential.hpp, auth/client_secret.hpp, ...).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "auth/federated_credential.hpp"
#include "auth/managed_identity.hpp"
#include "core/auth_scheme.hpp"
#include "core/expected.hpp"
#include "net/http.hpp"

namespace fkv::auth {

struct Credential {
  AuthScheme scheme = AuthScheme::workload_identity_federation;
  std::string connection_id;
  net::Url authority;
  std::string tenant_id;
  std::string client_id;
  std::string settings_url;  // the connection's page in Azure DevOps; may be empty
  // WorkloadIdentityFederation
  net::Url oidc_request_url;
  std::string job_token;  // SECRET
  // ServicePrincipal
  std::string client_secret;    // SECRET (spnKey)
  std::string certificate_pem;  // SECRET (spnCertificate)
  // ManagedServiceIdentity
  std::string msi_client_id;  // empty: the system-assigned identity
  ImdsIo imds;                // the IMDS client and the run's clock (auth/managed_identity.hpp)
};

// The warnings to print once per run for this credential (may be empty).
std::vector<std::string> credential_warnings(const Credential& credential);

Expected<AccessToken> acquire_access_token_for(net::HttpClient& http, const Credential& credential,
                                               const std::string& scope, const SecretSink& register_secret);

}  // namespace fkv::auth
