#include "auth/credential.hpp"

#include <ctime>

#include "auth/messages.hpp"

namespace fkv::auth {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

AuthScheme Credential::kind() const {
  return std::visit(Overloaded{
                        [](const FederatedCredential&) { return AuthScheme::workload_identity_federation; },
                        [](const ClientSecretCredential&) { return AuthScheme::service_principal_secret; },
                        [](const CertificateCredential&) { return AuthScheme::service_principal_certificate; },
                        [](const ManagedIdentityCredential&) { return AuthScheme::managed_identity; },
                    },
                    scheme);
}

std::vector<std::string> credential_warnings(const Credential& credential) {
  std::vector<std::string> out;
  if (const auto* secret = std::get_if<ClientSecretCredential>(&credential.scheme)) {
    out.push_back(stored_credential_warning(ExchangeContext::Credential::client_secret, credential.connection_id,
                                            secret->settings_url));
  } else if (const auto* pem = std::get_if<CertificateCredential>(&credential.scheme)) {
    out.push_back(stored_credential_warning(ExchangeContext::Credential::certificate, credential.connection_id,
                                            pem->settings_url));
    // A PEM that does not parse is reported by acquire_access_token_for, as an error.
    if (auto certificate = SigningCertificate::from_pem(pem->certificate_pem)) {
      if (auto expired = expired_certificate_warning(certificate->info(), credential.connection_id,
                                                     std::time(nullptr))) {
        out.push_back(*expired);
      }
    }
  }
  return out;
}

Expected<AccessToken> acquire_access_token_for(const TokenClients& clients, const Credential& credential,
                                               const std::string& scope, const SecretSink& register_secret) {
  return std::visit(
      Overloaded{
          [&](const FederatedCredential& c) { return acquire_access_token(clients.http, c, scope, register_secret); },
          [&](const ClientSecretCredential& c) {
    register_secret(c.client_secret);
    return acquire_with_client_secret(clients.http, c, scope, register_secret);
          },
          [&](const CertificateCredential& c) {
    for (const auto& line : pem_secret_lines(c.certificate_pem)) register_secret(line);
    return acquire_with_certificate(clients.http, c, scope, static_cast<std::int64_t>(std::time(nullptr)),
                                    register_secret);
      },
      [&](const ManagedIdentityCredential& c) {
    return acquire_with_managed_identity(clients.imds, c, scope, register_secret);
      },
      }, credential.scheme);
}

}  // namespace fkv::auth
