// One entry point for every supported scheme of the service connection: the access token for a scope.
//
// A Credential is made once from the configuration (run/connection.cpp) and holds exactly its scheme's
// fields: FederatedCredential (auth/federated_credential.hpp), ClientSecretCredential
// (auth/client_secret.hpp), CertificateCredential (auth/client_certificate.hpp) or
// ManagedIdentityCredential (auth/managed_identity.hpp). The scheme's acquire function takes it as it is.
//
// Contract:
// - `register_secret` is called with the connection's own secret (client secret, PEM) before anything is
//   sent, and with every token the moment it is received, so the caller can mask them all.
// - credential_warnings(): what the run should say once about the credential (a stored secret to convert
//   to federation; none for a managed identity, which stores nothing); never holds a secret.
// - Errors follow the scheme's rules (auth/federated_credential.hpp, auth/client_secret.hpp, ...).
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "auth/client_certificate.hpp"
#include "auth/client_secret.hpp"
#include "auth/federated_credential.hpp"
#include "auth/managed_identity.hpp"
#include "core/auth_scheme.hpp"
#include "core/expected.hpp"
#include "net/http.hpp"

namespace fkv::auth {

struct Credential {
  std::string connection_id;
  std::variant<FederatedCredential, ClientSecretCredential, CertificateCredential, ManagedIdentityCredential> scheme;

  AuthScheme kind() const;
};

// The clients a credential talks through: `http` for Azure DevOps and Entra, `imds` (plain HTTP to
// 169.254.169.254, with the IMDS retry policy) for a managed identity; null where the build has none.
struct TokenClients {
  net::HttpClient& http;
  net::HttpClient* imds = nullptr;
};

// The warnings to print once per run for this credential (may be empty).
std::vector<std::string> credential_warnings(const Credential& credential);

Expected<AccessToken> acquire_access_token_for(const TokenClients& clients, const Credential& credential,
                                               const std::string& scope, const SecretSink& register_secret);

}  // namespace fkv::auth
