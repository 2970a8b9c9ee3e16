// TaskConfig: everything the task needs, read and validated from the agent's environment before
// any network call (see agent/environment.hpp). Plain data; secrets are marked.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/auth_scheme.hpp"
#include "core/error.hpp"
#include "net/proxy.hpp"
#include "net/trust_store.hpp"
#include "agent/variable_names.hpp"
#include "net/url.hpp"
#include "vault/secret_ref.hpp"

namespace fkv::agent {

// Key Vault's vocabulary (vault/secret_ref.hpp), used throughout the task's configuration.
using vault::FilterItem;
using vault::SecretRef;
using vault::Selection;

enum class MissingSecrets { fail, warn };

// Mode: download (the default) sets variables; diagnose checks the connection and the vault and sets none.
enum class Mode { download, diagnose };

// The Azure Resource Manager service connection.
struct ServiceConnection {
  std::string id;      // lower-case GUID, as the agent names ENDPOINT_* variables
  std::string scheme;  // ENDPOINT_AUTH_SCHEME_<id> as given, e.g. "WorkloadIdentityFederation"
  AuthScheme auth = AuthScheme::workload_identity_federation;
  std::string client_secret;    // SECRET: ServicePrincipal + spnKey (SERVICEPRINCIPALKEY)
  std::string certificate_pem;  // SECRET: ServicePrincipal + spnCertificate (SERVICEPRINCIPALCERTIFICATE)
  std::string msi_client_id;    // ManagedServiceIdentity: user-assigned identity's client id; empty = system
  // {SYSTEM_COLLECTIONURI}{SYSTEM_TEAMPROJECT}/_settings/adminservices?resourceId={id}: the connection's page
  // (where its Convert button is); empty when those variables are not set.
  std::string settings_url;
  std::string client_id;         // servicePrincipalId (GUID); empty for a managed identity
  std::string tenant_id;         // GUID or domain, [A-Za-z0-9.-]
  std::string environment;       // "AzureCloud", ...
  net::Url authority;            // e.g. https://login.microsoftonline.com/ (target "/")
  std::string vault_dns_suffix;  // e.g. "vault.azure.net"
  std::string vault_resource;    // e.g. "https://vault.azure.net" (no trailing slash)
};

// The agent itself, as it describes itself (diagnose's "Agent and platform"); nullopt when unset.
struct AgentInfo {
  std::optional<std::string> version;          // AGENT_VERSION
  std::optional<std::string> os;               // AGENT_OS
  std::optional<std::string> os_architecture;  // AGENT_OSARCHITECTURE
};

// How the agent reaches the network: the certificates it trusts and its proxy.
struct NetworkConfig {
  net::TrustEnvironment trust;
  net::ProxySettings proxy;          // when proxy_error is not set
  std::optional<Error> proxy_error;  // an unusable proxy setting (reported after the run's first lines)
};

class SecretPlan;  // agent/secret_plan.hpp

struct TaskConfig {
  ServiceConnection connection;
  std::string vault_name;  // validated: ^[0-9A-Za-z-]{3,24}$
  Selection selection;
  std::string variable_prefix;                    // VariablePrefix: before every variable name taken from a secret name
  bool output_variables = false;                  // OutputVariables: every variable is also set with isoutput=true
  MissingSecrets missing = MissingSecrets::fail;  // MissingSecrets: a 404 for a named secret fails or warns
  Mode mode = Mode::download;                     // Mode
  std::string temp_directory;                // AGENT_TEMPDIRECTORY (Agent.TempDirectory); needed by '=> file:' targets
  bool run_as_prejob = false;                // reported only; the launcher decides pre-job vs main
  std::string certificate_password;          // SECRET: CertificatePassword, protects the .pfx/.p12 files written
  bool certificate_password_unused = false;  // CertificatePassword set, no '=> file:' .pfx/.p12 target: a warning
  // Workload identity federation only (read, and required, only for that scheme):
  net::Url oidc_request_url;          // full URL incl. api-version and serviceConnectionId
  std::string job_token;              // SECRET: System.AccessToken of the job
  bool debug = false;                 // System.Debug
  unsigned concurrency = 32;          // Key Vault GET workers (the throttle controller may run fewer)
  std::chrono::seconds timeout{300};  // TimeoutSeconds: the whole run's budget, 1..86400
  AgentInfo agent;
  NetworkConfig network;
  // Issue 19: secrets over time and across teams.
  unsigned expiry_warning_days = 30;                  // ExpiryWarningDays: 0..3650, 0 = no expiry warnings
  NameStyle variable_name_style = NameStyle::secret;  // VariableNameStyle
  std::chrono::seconds access_wait{0};  // AccessWaitSeconds: 0..TimeoutSeconds, 0 = an access-denied 403 is final
  // The pipeline run by its ids (for the User-Agent): SYSTEM_COLLECTIONID, SYSTEM_TEAMPROJECTID,
  // SYSTEM_DEFINITIONID, BUILD_BUILDID, SYSTEM_JOBID; each kept only when it is an id (GUID or digits).
  std::vector<std::pair<std::string, std::string>> pipeline_ids;
  // The secret plan, made once by the reader from selection, variable_prefix and variable_name_style (which
  // also checks the items' conflicts); the download and diagnose each consume a copy (agent::plan_of).
  std::shared_ptr<const SecretPlan> plan;

  net::Url vault_url() const;  // https://<vault_name>.<vault_dns_suffix>/
  // The hosts the run reaches, in the order it reaches them: the OIDC endpoint (federation), the Entra
  // authority (not for a managed identity: IMDS is reached directly, never through a proxy), the vault.
  std::vector<net::Url> destinations() const;
};

// The User-Agent of every request (issue 19): the product, its version and platform, and the pipeline run by
// its ids (TaskConfig::pipeline_ids, validated ids only: nothing else from the environment, never a name):
//   federated-keyvault/1.0.0 (linux; x64) AzurePipelines (org=<guid>; project=<guid>; pipeline=42; run=1234;
//   job=<guid>)
std::string user_agent(const std::vector<std::pair<std::string, std::string>>& pipeline_ids);

}  // namespace fkv::agent
