#include "core/auth_scheme.hpp"

namespace fkv {

std::string_view describe(AuthScheme scheme) {
  switch (scheme) {
    case AuthScheme::workload_identity_federation: return "WorkloadIdentityFederation";
    case AuthScheme::service_principal_secret: return "ServicePrincipal (client secret)";
    case AuthScheme::service_principal_certificate: return "ServicePrincipal (certificate)";
    case AuthScheme::managed_identity: return "ManagedServiceIdentity";
  }
  return "unknown";
}

}  // namespace fkv
