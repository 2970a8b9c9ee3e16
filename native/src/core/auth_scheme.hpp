// The authentication schemes of an Azure Resource Manager service connection that the task supports:
// the vocabulary shared by agent/ (which reads the scheme from ENDPOINT_AUTH_SCHEME_<id> and
// ENDPOINT_AUTH_PARAMETER_<id>_AUTHENTICATIONTYPE) and auth/ (which acquires the token for it).
#pragma once

#include <string_view>

namespace fkv {

enum class AuthScheme {
  workload_identity_federation,   // WorkloadIdentityFederation: Azure DevOps OIDC token as client assertion
  service_principal_secret,       // ServicePrincipal + spnKey (the default): a stored client secret
  service_principal_certificate,  // ServicePrincipal + spnCertificate: a PEM with certificate and RSA key
  managed_identity,               // ManagedServiceIdentity: the agent VM's identity through IMDS
};

// The name a user sees in diagnostics, e.g. "ServicePrincipal (client secret)".
std::string_view describe(AuthScheme scheme);

}  // namespace fkv
