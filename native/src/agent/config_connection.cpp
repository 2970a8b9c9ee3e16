// The service connection (ENDPOINT_*): scheme, ids, cloud and the scheme's own secret.
#include "agent/config_parts.hpp"
#include "core/service_text.hpp"

namespace fkv::agent::config {
namespace {

std::optional<std::string> default_authority(std::string_view environment) {
  if (iequals(environment, "AzureCloud")) return "https://login.microsoftonline.com/";
  if (iequals(environment, "AzureUSGovernment")) return "https://login.microsoftonline.us/";
  if (iequals(environment, "AzureChinaCloud")) return "https://login.partner.microsoftonline.cn/";
  return std::nullopt;
}

// ENDPOINT_AUTH_SCHEME_<id> (case-insensitive, as the agent and task-lib treat it) and, for
// ServicePrincipal, ENDPOINT_AUTH_PARAMETER_<id>_AUTHENTICATIONTYPE (spnKey when absent).
Expected<AuthScheme> auth_scheme(const Env& env, const std::string& raw_id, const std::string& scheme) {
  if (iequals(scheme, "WorkloadIdentityFederation")) return AuthScheme::workload_identity_federation;
  if (iequals(scheme, "ManagedServiceIdentity")) return AuthScheme::managed_identity;
  if (iequals(scheme, "ServicePrincipal")) {
    const auto type = env.endpoint("AUTH_PARAMETER", raw_id, "_AUTHENTICATIONTYPE").value_or("spnKey");
    if (iequals(type, "spnKey")) return AuthScheme::service_principal_secret;
    if (iequals(type, "spnCertificate")) return AuthScheme::service_principal_certificate;
    return config_error("ConnectedServiceName",
                        "The service connection's authenticationType '" + service_first_line(type, 40) +
                            "' is not supported; a ServicePrincipal connection uses spnKey (client secret) or "
                            "spnCertificate (certificate).",
                        "Edit the service connection, or convert it to workload identity federation.");
  }
  return config_error("ConnectedServiceName",
                      "The service connection uses the authentication scheme '" + service_first_line(scheme, 60) +
                          "', which is not supported; supported are WorkloadIdentityFederation, ServicePrincipal "
                          "(client secret or certificate) and ManagedServiceIdentity.",
                      "Use an Azure Resource Manager service connection, preferably with workload identity "
                      "federation.");
}

}  // namespace

namespace {

// The cloud: environment, Entra authority, Key Vault DNS suffix and resource.
std::optional<Error> read_cloud(const Env& env, const std::string& raw_id, ServiceConnection& c) {
  c.environment = env.endpoint("DATA", raw_id, "_ENVIRONMENT").value_or("AzureCloud");
  std::string authority_text;
  if (auto authority = env.endpoint("DATA", raw_id, "_ACTIVEDIRECTORYAUTHORITY")) {
    authority_text = *authority;
  } else if (auto fallback = default_authority(c.environment)) {
    authority_text = *fallback;
  } else {
    return config_error(
        "ConnectedServiceName",
        "The service connection's environment '" + c.environment +
            "' has no known Microsoft Entra authority and the connection gives none "
            "(ENDPOINT_DATA_<id>_ACTIVEDIRECTORYAUTHORITY).",
        "Edit the service connection (Project settings > Service connections) and choose its cloud as the "
        "environment: AzureCloud, AzureUSGovernment or AzureChinaCloud; for another cloud, create the connection "
        "with that cloud's Microsoft Entra authority URL.");
  }
  auto authority = net::parse_https_url(with_trailing_slash(authority_text));
  if (!authority) {
    return config_error(
        "ConnectedServiceName",
        "The service connection's activeDirectoryAuthority '" + authority_text + "' is not an https URL.",
        "Edit the service connection (Project settings > Service connections): its cloud's Microsoft Entra "
        "authority is an https URL such as https://login.microsoftonline.com/, or choose a built-in cloud "
        "(AzureCloud, AzureUSGovernment, AzureChinaCloud) as its environment.");
  }
  c.authority = *authority;

  std::string suffix = env.endpoint("DATA", raw_id, "_AZUREKEYVAULTDNSSUFFIX").value_or("vault.azure.net");
  if (!suffix.empty() && suffix.front() == '.') suffix.erase(0, 1);
  auto suffix_url = net::parse_https_url("https://" + suffix + "/");
  if (!suffix_url || suffix_url->port != 443 || suffix.find(':') != std::string::npos ||
      suffix.find_first_of("/?") != std::string::npos || suffix.find('.') == std::string::npos) {
    return config_error(
        "ConnectedServiceName",
        "The service connection's AzureKeyVaultDnsSuffix '" + suffix + "' is not a DNS suffix such as vault.azure.net.",
        "Edit the service connection (Project settings > Service connections): its Key Vault DNS suffix is its "
        "cloud's, e.g. vault.azure.net, vault.usgovcloudapi.net or vault.azure.cn, or choose a built-in cloud "
        "(AzureCloud, AzureUSGovernment, AzureChinaCloud) as its environment.");
  }
  c.vault_dns_suffix = suffix_url->host;

  std::string resource =
      env.endpoint("DATA", raw_id, "_AZUREKEYVAULTSERVICEENDPOINTRESOURCEID").value_or("https://vault.azure.net");
  while (!resource.empty() && resource.back() == '/') resource.pop_back();
  auto resource_url = net::parse_https_url(resource);
  if (!resource_url || resource_url->target != "/") {
    return config_error(
        "ConnectedServiceName",
        "The service connection's AzureKeyVaultServiceEndpointResourceId '" + resource +
            "' is not an https URL such as https://vault.azure.net.",
        "Edit the service connection (Project settings > Service connections): its Key Vault resource id is its "
        "cloud's, e.g. https://vault.azure.net, https://vault.usgovcloudapi.net or https://vault.azure.cn, or "
        "choose a built-in cloud (AzureCloud, AzureUSGovernment, AzureChinaCloud) as its environment.");
  }
  c.vault_resource = resource;

  return std::nullopt;
}

// The scheme's own credential (secrets: never in an Error).
std::optional<Error> read_scheme_secret(const Env& env, const std::string& raw_id, ServiceConnection& c) {
  if (c.auth == AuthScheme::service_principal_secret) {
    auto key = env.endpoint("AUTH_PARAMETER", raw_id, "_SERVICEPRINCIPALKEY");
    if (!key) {
      return config_error("ConnectedServiceName",
                          "The service connection uses a client secret (ServicePrincipal, spnKey) but gives none "
                          "(ENDPOINT_AUTH_PARAMETER_<id>_SERVICEPRINCIPALKEY is not set).",
                          "Edit the service connection and enter the client secret's value, or convert the "
                          "connection to workload identity federation.");
    }
    c.client_secret = std::move(*key);
  } else if (c.auth == AuthScheme::service_principal_certificate) {
    auto pem = env.endpoint("AUTH_PARAMETER", raw_id, "_SERVICEPRINCIPALCERTIFICATE");
    if (!pem) {
      return config_error("ConnectedServiceName",
                          "The service connection uses a certificate (ServicePrincipal, spnCertificate) but gives "
                          "none (ENDPOINT_AUTH_PARAMETER_<id>_SERVICEPRINCIPALCERTIFICATE is not set).",
                          "Edit the service connection and paste the PEM with the certificate and its private key, "
                          "or convert the connection to workload identity federation.");
    }
    c.certificate_pem = std::move(*pem);
  } else if (c.auth == AuthScheme::managed_identity) {
    if (auto msi = env.endpoint("DATA", raw_id, "_MSICLIENTID")) {
      if (!is_guid(*msi)) {
        return config_error("ConnectedServiceName",
                            "The service connection's msiclientId (ENDPOINT_DATA_<id>_MSICLIENTID) must be the "
                            "client id (a GUID) of a user-assigned managed identity.",
                            "Use the identity's Client ID from its Overview page in the Azure portal, not its "
                            "object (principal) ID or resource ID.");
      }
      c.msi_client_id = ascii_lower(*msi);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Error> read_connection(const Env& env, const std::string& raw_id, TaskConfig& config) {
  // Endpoint authorization: scheme and ids.
  ServiceConnection& c = config.connection;
  auto scheme = env.endpoint("AUTH_SCHEME", raw_id, "");
  if (!scheme) {
    return config_error("ConnectedServiceName",
                        "The service connection " + c.id + " was not given to the task (ENDPOINT_AUTH_SCHEME_" + c.id +
                            " is not set).",
                        "Reference the connection through the task's ConnectedServiceName input and make sure the "
                        "pipeline is authorised to use it.");
  }
  auto kind = auth_scheme(env, raw_id, *scheme);
  if (!kind) return kind.error();
  c.scheme = *scheme;
  c.auth = *kind;

  auto client_id = env.endpoint("AUTH_PARAMETER", raw_id, "_SERVICEPRINCIPALID");
  if (c.auth == AuthScheme::managed_identity && !client_id) {
    // A managed identity connection may carry no client id; the identity's own comes from IMDS.
  } else if (!client_id || !is_guid(*client_id)) {
    return config_error("ConnectedServiceName",
                        "The service connection's servicePrincipalId (ENDPOINT_AUTH_PARAMETER_<id>_SERVICEPRINCIPALID) "
                        "must be an application (client) id GUID.",
                        "Check the service connection's app registration in Azure DevOps.");
  }
  if (client_id) c.client_id = ascii_lower(*client_id);

  auto tenant = env.endpoint("AUTH_PARAMETER", raw_id, "_TENANTID");
  if (!tenant || !is_tenant_id(*tenant)) {
    return config_error("ConnectedServiceName",
                        "The service connection's tenantId (ENDPOINT_AUTH_PARAMETER_<id>_TENANTID) must be a tenant "
                        "GUID or domain: letters, digits, '.' and '-'.",
                        "Check the service connection's tenant in Azure DevOps.");
  }
  c.tenant_id = *tenant;

  if (auto error = read_cloud(env, raw_id, c)) return error;
  if (auto error = read_scheme_secret(env, raw_id, c)) return error;
  auto collection_uri = env.get("SYSTEM_COLLECTIONURI");
  if (!collection_uri) collection_uri = env.get("SYSTEM_TEAMFOUNDATIONCOLLECTIONURI");
  if (auto project = env.get("SYSTEM_TEAMPROJECT"); collection_uri && project) {
    c.settings_url = with_trailing_slash(*collection_uri) + net::url_encode(*project) +
                     "/_settings/adminservices?resourceId=" + c.id;
  }
  return std::nullopt;
}

}  // namespace fkv::agent::config
