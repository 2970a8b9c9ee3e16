#include "auth/credential.hpp"

#include <ctime>

#include "auth/client_certificate.hpp"
#include "auth/client_secret.hpp"
#include "auth/messages.hpp"

namespace fkv::auth {

std::vector<std::string> credential_warnings(const Credential& credential) {
  std::vector<std::string> out;
  if (credential.scheme == AuthScheme::service_principal_secret) {
    out.push_back(stored_credential_warning(ExchangeContext::Credential::client_secret, credential.connection_id,
                                            credential.settings_url));
  } else if (credential.scheme == AuthScheme::service_principal_certificate) {
    out.push_back(stored_credential_warning(ExchangeContext::Credential::certificate, credential.connection_id,
                                            credential.settings_url));
    // A PEM that does not parse is reported by acquire_access_token_for, as an error.
    if (auto certificate = SigningCertificate::from_pem(credential.certificate_pem)) {
      if (auto expired = expired_certificate_warning(certificate->info(), credential.connection_id,
                                                     std::time(nullptr))) {
        out.push_back(*expired);
      }
    }
  }
  return out;
}

Expected<AccessToken> acquire_access_token_for(net::HttpClient& http, const Credential& credential,
                                               const std::string& scope, const SecretSink& register_secret) {
  switch (credential.scheme) {
    case AuthScheme::workload_identity_federation: {
      FederationParams params;
      params.oidc_request_url = credential.oidc_request_url;
      params.job_token = credential.job_token;
      params.authority = credential.authority;
      params.tenant_id = credential.tenant_id;
      params.client_id = credential.client_id;
      params.scope = scope;
      return acquire_access_token(http, params, register_secret);
    }
    case AuthScheme::service_principal_secret: {
      register_secret(credential.client_secret);
      ClientSecretParams params;
      params.authority = credential.authority;
      params.tenant_id = credential.tenant_id;
      params.client_id = credential.client_id;
      params.client_secret = credential.client_secret;
      params.scope = scope;
      params.settings_url = credential.settings_url;
      return acquire_with_client_secret(http, params, register_secret);
    }
    case AuthScheme::service_principal_certificate: {
      for (const auto& line : pem_secret_lines(credential.certificate_pem)) register_secret(line);
      ClientCertificateParams params;
      params.authority = credential.authority;
      params.tenant_id = credential.tenant_id;
      params.client_id = credential.client_id;
      params.certificate_pem = credential.certificate_pem;
      params.scope = scope;
      params.settings_url = credential.settings_url;
      params.now = static_cast<std::int64_t>(std::time(nullptr));
      return acquire_with_certificate(http, params, register_secret);
    }
    case AuthScheme::managed_identity:
      return acquire_with_managed_identity(credential.imds, scope, credential.msi_client_id, register_secret);
  }
  return config_error("ConnectedServiceName",
                      std::string("The service connection's scheme ") + std::string(describe(credential.scheme)) +
                          " is not implemented in this build.",
                      "Use a service connection with workload identity federation, a client secret or a certificate.");
}

}  // namespace fkv::auth
