// TaskConfig: everything the task needs, read and validated from the agent's environment before
// any network call (see agent/environment.hpp). Plain data; secrets are marked.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/auth_scheme.hpp"
#include "net/url.hpp"

namespace fkv::agent {

// One entry of SecretsFilter: a secret name, optionally pinned to a version ("name/version").
struct SecretRef {
  std::string name;
  std::string version;  // empty = latest
  // The text as the user wrote it, trimmed: "name" or "name/version". Used as a variable name.
  std::string text() const { return version.empty() ? name : name + "/" + version; }
  bool operator==(const SecretRef&) const = default;
};

// One item of SecretsFilter (agent/selection.hpp has the grammar).
struct FilterItem {
  enum class Kind { name, glob, exclude };
  Kind kind = Kind::name;
  std::string text;      // the item as written, trimmed
  SecretRef ref;         // name: the secret (and version); glob and exclude: ref.name is the pattern
  std::string variable;  // "=> VARIABLE": the variable name instead of the secret's; empty: none
  std::string file;      // "=> file:PATH": the relative path, '/'-separated; empty: none
  bool operator==(const FilterItem&) const = default;
};

// What SecretsFilter selects.
// - all: the vault is listed ('*', a glob, or only exclusions); a filter of literal names only is not listed.
// - names: the literal items' secrets, deduplicated (case-insensitively), in the user's order; these are
//   fetched by name whether or not the vault is listed.
// - items: every include and exclude item, in order; empty for the plain '*' filter (today's behaviour).
struct Selection {
  bool all = true;
  std::vector<SecretRef> names;
  std::vector<FilterItem> items = {};
};

enum class MissingSecrets { fail, warn };

// Mode: download (the default) sets variables; diagnose checks the connection and the vault and sets none.
enum class Mode { download, diagnose };

// The Azure Resource Manager service connection.
struct ServiceConnection {
  std::string id;                // lower-case GUID, as the agent names ENDPOINT_* variables
  std::string scheme;            // ENDPOINT_AUTH_SCHEME_<id> as given, e.g. "WorkloadIdentityFederation"
  AuthScheme auth = AuthScheme::workload_identity_federation;
  std::string client_secret;     // SECRET: ServicePrincipal + spnKey (SERVICEPRINCIPALKEY)
  std::string certificate_pem;   // SECRET: ServicePrincipal + spnCertificate (SERVICEPRINCIPALCERTIFICATE)
  std::string msi_client_id;     // ManagedServiceIdentity: user-assigned identity's client id; empty = system
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

struct TaskConfig {
  ServiceConnection connection;
  std::string vault_name;         // validated: ^[0-9A-Za-z-]{3,24}$
  Selection selection;
  std::string variable_prefix;    // VariablePrefix: before every variable name taken from a secret name
  bool output_variables = false;  // OutputVariables: every variable is also set with isoutput=true
  MissingSecrets missing = MissingSecrets::fail;  // MissingSecrets: a 404 for a named secret fails or warns
  Mode mode = Mode::download;     // Mode
  std::string temp_directory;     // AGENT_TEMPDIRECTORY (Agent.TempDirectory); needed by '=> file:' targets
  bool run_as_prejob = false;     // reported only; the launcher decides pre-job vs main
  // Workload identity federation only (read, and required, only for that scheme):
  net::Url oidc_request_url;      // full URL incl. api-version and serviceConnectionId
  std::string job_token;          // SECRET: System.AccessToken of the job
  bool debug = false;             // System.Debug
  unsigned concurrency = 32;      // Key Vault GET workers (the throttle controller may run fewer)
  std::chrono::seconds timeout{300};  // TimeoutSeconds: the whole run's budget, 1..86400

  net::Url vault_url() const;     // https://<vault_name>.<vault_dns_suffix>/
};

}  // namespace fkv::agent
