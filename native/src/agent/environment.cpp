#include "agent/environment.hpp"

#include "core/service_text.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "agent/secret_plan.hpp"
#include "agent/selection.hpp"
#include "auth/oidc.hpp"
#include "agent/variable_names.hpp"
#include "core/text.hpp"

namespace fkv::agent {
namespace {

// Environment access with trimming and "empty = absent".
class Env {
 public:
  explicit Env(const EnvLookup& lookup) : lookup_(lookup) {}

  std::optional<std::string> get(std::string_view name) const {
    auto value = lookup_(name);
    if (!value) return std::nullopt;
    std::string t(trim(*value));
    if (t.empty()) return std::nullopt;
    return t;
  }

  // ENDPOINT_<kind>_<id><suffix>, trying the id in lower case, as given, and upper case.
  std::optional<std::string> endpoint(std::string_view kind, std::string_view id, std::string_view suffix) const {
    const std::array<std::string, 3> spellings{ascii_lower(id), std::string(id), ascii_upper(id)};
    for (std::size_t i = 0; i < spellings.size(); ++i) {
      if (std::find(spellings.begin(), spellings.begin() + static_cast<long>(i), spellings[i]) !=
          spellings.begin() + static_cast<long>(i)) {
        continue;
      }
      if (auto v = get("ENDPOINT_" + std::string(kind) + "_" + spellings[i] + std::string(suffix))) return v;
    }
    return std::nullopt;
  }

 private:
  const EnvLookup& lookup_;
};

bool hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

std::optional<std::string> access_token_from_auth_json(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.c_str(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  const rapidjson::Value& root = doc;  // const iterators: unambiguous comparisons in C++20 (clang)
  auto params = root.FindMember("parameters");
  if (params == root.MemberEnd() || !params->value.IsObject()) return std::nullopt;
  for (auto it = params->value.MemberBegin(); it != params->value.MemberEnd(); ++it) {
    if (iequals(std::string_view(it->name.GetString(), it->name.GetStringLength()), "AccessToken") &&
        it->value.IsString() && it->value.GetStringLength() > 0) {
      return std::string(it->value.GetString(), it->value.GetStringLength());
    }
  }
  return std::nullopt;
}

std::string with_trailing_slash(std::string s) {
  if (s.empty() || s.back() != '/') s += '/';
  return s;
}

bool is_path_segment(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

Expected<net::Url> oidc_request_url(const Env& env, const std::string& connection_id) {
  if (auto uri = env.get("SYSTEM_OIDCREQUESTURI")) {
    auto url = net::parse_https_url(*uri);
    if (!url) {
      return config_error("SYSTEM_OIDCREQUESTURI", "SYSTEM_OIDCREQUESTURI is not an https URL: '" + *uri + "'.",
                          "This variable is set by Azure DevOps; run the task in an Azure Pipelines job.");
    }
    return auth::oidc_request_url(*url, connection_id);
  }
  auto collection = env.get("SYSTEM_COLLECTIONURI");
  if (!collection) collection = env.get("SYSTEM_TEAMFOUNDATIONCOLLECTIONURI");
  const auto project = env.get("SYSTEM_TEAMPROJECTID");
  const auto hub = env.get("SYSTEM_HOSTTYPE");
  const auto plan = env.get("SYSTEM_PLANID");
  const auto job = env.get("SYSTEM_JOBID");
  if (!collection || !project || !hub || !plan || !job) {
    return config_error("SYSTEM_OIDCREQUESTURI",
                        "Cannot build the OIDC token request: SYSTEM_OIDCREQUESTURI is not set, and the fallback needs "
                        "SYSTEM_COLLECTIONURI, SYSTEM_TEAMPROJECTID, SYSTEM_HOSTTYPE, SYSTEM_PLANID and SYSTEM_JOBID.",
                        "These variables are set by Azure DevOps; run the task in an Azure Pipelines job.");
  }
  for (const auto* part : {&*project, &*hub, &*plan, &*job}) {
    if (!is_path_segment(*part)) {
      return config_error("SYSTEM_OIDCREQUESTURI",
                          "Cannot build the OIDC token request: a SYSTEM_TEAMPROJECTID/HOSTTYPE/PLANID/JOBID value "
                          "is not a plain path segment.",
                          "These variables are set by Azure DevOps; run the task in an Azure Pipelines job.");
    }
  }
  const std::string text = with_trailing_slash(*collection) + *project + "/_apis/distributedtask/hubs/" + *hub +
                           "/plans/" + *plan + "/jobs/" + *job + "/oidctoken";
  auto url = net::parse_https_url(text);
  if (!url) {
    return config_error("SYSTEM_COLLECTIONURI", "SYSTEM_COLLECTIONURI is not an https URL: '" + *collection + "'.",
                        "Workload identity federation needs an https Azure DevOps URL.");
  }
  return auth::oidc_request_url(*url, connection_id, "7.1-preview.1");
}

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

bool is_guid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !hex(text[i])) return false;
  }
  return true;
}

bool is_vault_name(std::string_view text) {
  return text.size() >= 3 && text.size() <= 24 && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

std::optional<std::chrono::seconds> parse_timeout_seconds(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value < 1 || value > 86400) return std::nullopt;
  return std::chrono::seconds{value};
}

Expected<TaskConfig> read_task_config(const EnvLookup& lookup) {
  const Env env(lookup);
  TaskConfig config;

  // Service connection id.
  auto id = env.get("INPUT_CONNECTEDSERVICENAME");
  if (!id) id = env.get("INPUT_AZURESUBSCRIPTION");
  if (!id) {
    return config_error("ConnectedServiceName", "Input required: ConnectedServiceName (azureSubscription).",
                        "Set the task input to an Azure Resource Manager service connection.");
  }
  if (!is_guid(*id)) {
    return config_error("ConnectedServiceName",
                        "Input ConnectedServiceName must be a service connection id (a GUID), got '" + *id + "'.",
                        "Azure DevOps passes the id of the connection named in the pipeline; run the task in an "
                        "Azure Pipelines job.");
  }
  const std::string raw_id = *id;
  config.connection.id = ascii_lower(raw_id);

  // Key vault name and filter.
  auto vault = env.get("INPUT_KEYVAULTNAME");
  if (!vault) {
    return config_error("KeyVaultName", "Input required: KeyVaultName.", "Set KeyVaultName to the name of the vault.");
  }
  if (!is_vault_name(*vault)) {
    return config_error("KeyVaultName",
                        "Input KeyVaultName '" + *vault + "' is not a key vault name: 3-24 characters of 0-9, a-z, "
                        "A-Z and '-'.",
                        "Use the vault's name (e.g. 'my-vault'), not its URL.");
  }
  config.vault_name = *vault;

  auto selection = parse_secrets_filter(env.get("INPUT_SECRETSFILTER").value_or("*"));
  if (!selection) return selection.error();
  config.selection = std::move(*selection);

  if (auto prefix = env.get("INPUT_VARIABLEPREFIX")) {
    if (prefix->size() > 100 || !is_variable_name(*prefix)) {
      return config_error("VariablePrefix",
                          "Input VariablePrefix '" + service_first_line(*prefix, 100) +
                              "' is not a variable name prefix: use up to 100 characters of 0-9, a-z, A-Z, '.', '_' "
                              "and '-'.",
                          "For example 'kv.' gives $(kv.db-password).");
    }
    if (is_read_only_variable(*prefix + "x")) {
      return config_error("VariablePrefix",
                          "Input VariablePrefix '" + *prefix + "' would make every variable name read-only for the "
                          "agent (PATH and names starting with system., agent., build., release. or pipeline. are "
                          "reserved).",
                          "Choose another prefix, e.g. 'kv.'.");
    }
    config.variable_prefix = *prefix;
  }
  if (auto outputs = env.get("INPUT_OUTPUTVARIABLES")) config.output_variables = iequals(*outputs, "true");
  if (auto missing = env.get("INPUT_MISSINGSECRETS")) {
    if (iequals(*missing, "warn")) {
      config.missing = MissingSecrets::warn;
    } else if (!iequals(*missing, "fail")) {
      return config_error("MissingSecrets",
                          "Input MissingSecrets must be 'fail' or 'warn', got '" + service_first_line(*missing, 40) +
                              "'.",
                          "Leave it empty for 'fail'.");
    }
  }
  if (auto mode = env.get("INPUT_MODE")) {
    if (iequals(*mode, "diagnose")) {
      config.mode = Mode::diagnose;
    } else if (!iequals(*mode, "download")) {
      return config_error("Mode",
                          "Input Mode must be 'download' or 'diagnose', got '" + service_first_line(*mode, 40) + "'.",
                          "Leave it empty for 'download'.");
    }
  }
  {
    auto plan = SecretPlan::make(config.selection, config.variable_prefix);
    if (!plan) return plan.error();
  }
  for (const auto& item : config.selection.items) {
    if (item.file.empty()) continue;
    auto temp = env.get("AGENT_TEMPDIRECTORY");
    const bool absolute = temp && (temp->front() == '/' || temp->front() == '\\' ||
                                   (temp->size() > 2 && std::isalpha(static_cast<unsigned char>((*temp)[0])) &&
                                    (*temp)[1] == ':' && ((*temp)[2] == '\\' || (*temp)[2] == '/')));
    if (!absolute) {
      return config_error("SecretsFilter",
                          "SecretsFilter writes files ('" + item.text + "'), but Agent.TempDirectory "
                          "(AGENT_TEMPDIRECTORY) is " + (temp ? "not an absolute path." : "not set."),
                          "Run the task in an Azure Pipelines job: the agent sets Agent.TempDirectory and empties it "
                          "after the job.");
    }
    config.temp_directory = *temp;
    break;
  }

  if (auto prejob = env.get("INPUT_RUNASPREJOB")) config.run_as_prejob = iequals(*prejob, "true");
  if (auto timeout = env.get("INPUT_TIMEOUTSECONDS")) {
    auto seconds = parse_timeout_seconds(*timeout);
    if (!seconds) {
      return config_error("TimeoutSeconds",
                          "Input TimeoutSeconds must be a whole number of seconds from 1 to 86400, got '" +
                              service_first_line(*timeout, 40) + "'.",
                          "Leave it empty for the default of 300 seconds, or write e.g. 600.");
    }
    config.timeout = *seconds;
  }
  if (auto debug = env.get("SYSTEM_DEBUG")) config.debug = iequals(*debug, "true");

  // Endpoint authorization.
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

  // Cloud.
  c.environment = env.endpoint("DATA", raw_id, "_ENVIRONMENT").value_or("AzureCloud");
  std::string authority_text;
  if (auto authority = env.endpoint("DATA", raw_id, "_ACTIVEDIRECTORYAUTHORITY")) {
    authority_text = *authority;
  } else if (auto fallback = default_authority(c.environment)) {
    authority_text = *fallback;
  } else {
    return config_error("ConnectedServiceName",
                        "The service connection's environment '" + c.environment +
                            "' has no known Microsoft Entra authority and the connection gives none "
                            "(ENDPOINT_DATA_<id>_ACTIVEDIRECTORYAUTHORITY).",
                        "Edit the service connection (Project settings > Service connections) and choose its cloud as the "
                        "environment: AzureCloud, AzureUSGovernment or AzureChinaCloud; for another cloud, create the connection "
                        "with that cloud's Microsoft Entra authority URL.");
  }
  auto authority = net::parse_https_url(with_trailing_slash(authority_text));
  if (!authority) {
    return config_error("ConnectedServiceName",
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
    return config_error("ConnectedServiceName",
                        "The service connection's AzureKeyVaultDnsSuffix '" + suffix +
                            "' is not a DNS suffix such as vault.azure.net.",
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
    return config_error("ConnectedServiceName",
                        "The service connection's AzureKeyVaultServiceEndpointResourceId '" + resource +
                            "' is not an https URL such as https://vault.azure.net.",
                        "Edit the service connection (Project settings > Service connections): its Key Vault resource id is its "
                        "cloud's, e.g. https://vault.azure.net, https://vault.usgovcloudapi.net or https://vault.azure.cn, or "
                        "choose a built-in cloud (AzureCloud, AzureUSGovernment, AzureChinaCloud) as its environment.");
  }
  c.vault_resource = resource;

  // The scheme's own credential (secrets: never in an Error).
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
  auto collection_uri = env.get("SYSTEM_COLLECTIONURI");
  if (!collection_uri) collection_uri = env.get("SYSTEM_TEAMFOUNDATIONCOLLECTIONURI");
  if (auto project = env.get("SYSTEM_TEAMPROJECT"); collection_uri && project) {
    c.settings_url = with_trailing_slash(*collection_uri) + net::url_encode(*project) +
                     "/_settings/adminservices?resourceId=" + c.id;
  }
  if (c.auth != AuthScheme::workload_identity_federation) return config;

  // Job access token (secret: never in an Error).
  std::optional<std::string> token = env.get("ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN");
  if (!token) {
    if (auto json = env.get("ENDPOINT_AUTH_SYSTEMVSSCONNECTION")) token = access_token_from_auth_json(*json);
  }
  if (!token) token = env.get("SYSTEM_ACCESSTOKEN");
  if (!token) {
    return config_error("System.AccessToken",
                        "The job access token is missing: ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN and "
                        "SYSTEM_ACCESSTOKEN are unset, and ENDPOINT_AUTH_SYSTEMVSSCONNECTION is unset or holds no "
                        "AccessToken.",
                        "Run the task through its launcher in an Azure Pipelines job, or map the token: "
                        "env: SYSTEM_ACCESSTOKEN: $(System.AccessToken).");
  }
  config.job_token = std::move(*token);

  auto oidc = oidc_request_url(env, c.id);
  if (!oidc) return oidc.error();
  config.oidc_request_url = std::move(*oidc);
  return config;
}

}  // namespace fkv::agent
