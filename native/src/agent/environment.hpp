// Reading TaskConfig from the agent's environment. Pure: the environment is injected (an EnvLookup); the
// one exception is process_environment() below, the getenv that the shell hands in.
//
// Inputs (issue 3 "Inputs", agent-task-contract.md §1):
//   INPUT_CONNECTEDSERVICENAME (else INPUT_AZURESUBSCRIPTION)  service connection GUID
//   INPUT_KEYVAULTNAME, INPUT_SECRETSFILTER (default '*'), INPUT_RUNASPREJOB,
//   INPUT_TIMEOUTSECONDS (default 300; a whole number of seconds, 1..86400)
//   INPUT_VARIABLEPREFIX (default empty; up to 100 of 0-9 a-z A-Z . _ -, not making names read-only),
//   INPUT_OUTPUTVARIABLES (true|false), INPUT_MISSINGSECRETS (fail|warn, default fail; case-insensitive)
//   AGENT_TEMPDIRECTORY (Agent.TempDirectory; required, absolute, when SecretsFilter has '=> file:' targets)
//   SecretsFilter is parsed (agent/selection.hpp) and planned (agent/secret_plan.hpp) here, so its
//   conflicts between named items are also found before any network call.
//   ENDPOINT_AUTH_SCHEME_<id>, ENDPOINT_AUTH_PARAMETER_<id>_SERVICEPRINCIPALID / _TENANTID,
//   ENDPOINT_DATA_<id>_ENVIRONMENT / _ACTIVEDIRECTORYAUTHORITY / _AZUREKEYVAULTDNSSUFFIX /
//   _AZUREKEYVAULTSERVICEENDPOINTRESOURCEID
//   job token: ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN, else parameters.AccessToken of the
//   JSON in ENDPOINT_AUTH_SYSTEMVSSCONNECTION, else SYSTEM_ACCESSTOKEN
//   OIDC: SYSTEM_OIDCREQUESTURI, else SYSTEM_COLLECTIONURI (or SYSTEM_TEAMFOUNDATIONCOLLECTIONURI),
//   SYSTEM_TEAMPROJECTID, SYSTEM_HOSTTYPE, SYSTEM_PLANID, SYSTEM_JOBID
//   SYSTEM_DEBUG
//   AGENT_VERSION, AGENT_OS, AGENT_OSARCHITECTURE (reported by diagnose)
//   trust: SSL_CERT_FILE, SSL_CERT_DIR, AGENT_CAINFO, AGENT_SKIPCERTVALIDATION (net/trust_store.hpp)
//   proxy: AGENT_PROXYURL, AGENT_PROXYUSERNAME, SECRET_AGENT_PROXYPASSWORD (else AGENT_PROXYPASSWORD),
//   AGENT_PROXYBYPASSLIST, https_proxy/HTTPS_PROXY, no_proxy/NO_PROXY (net/proxy.hpp's rules)
// This is the only reader of the environment: below it no code calls getenv (process_environment() is
// the one access to the process's own environment, handed to the reader by the shell).
//
// Booleans (OutputVariables, RunAsPreJob, System.Debug, AGENT_SKIPCERTVALIDATION) follow one rule,
// task-lib's getBoolInput: true when the trimmed text is "true" in any case (is_true).
//
// <id> spelling: the agent names ENDPOINT_* variables with Guid.ToString() (lower case), and task-lib looks
// them up with the id as given; the generic name transform would upper-case. We try the lower-case id,
// then the id exactly as given, then the upper-case id, so all three spellings work.
//
// Values are trimmed (the agent trims inputs unless DISABLE_INPUT_TRIMMING); an empty value counts as
// absent. Everything is validated here, before any network call; the first problem is returned as one
// config Error whose subject names the input and whose message states the rule. Errors never contain the
// job token.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "agent/task_config.hpp"
#include "auth/credential.hpp"
#include "core/expected.hpp"

namespace fkv::agent {

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

Expected<TaskConfig> read_task_config(const EnvLookup& env);

// AGENT_TEMPDIRECTORY (Agent.TempDirectory), the one rule for secret files and the run summary: trimmed,
// and only when it is an absolute path (POSIX '/...', Windows 'C:\\...', '\\...'); otherwise `problem` says
// why ("not set.", "not an absolute path.") and `path` is empty. Read on its own for the summary, which is
// written even when the configuration cannot be read. Links: write_secret_file follows none below it.
struct TempDirectory {
  std::string path;
  std::string problem;  // empty: usable
};
TempDirectory read_temp_directory(const EnvLookup& env);

// The process's own environment (getenv), for the shell to hand to the reader.
std::optional<std::string> process_environment(std::string_view name);

// The service connection's credential (auth/credential.hpp): its scheme's own fields, taken once from the
// configuration.
auth::Credential credential_of(const TaskConfig& config);

// The one boolean rule (see above).
bool is_true(std::string_view text);

bool is_guid(std::string_view text);  // 8-4-4-4-12 hexadecimal digits
// The tenant id rule is fkv::is_tenant_id (core/text.hpp), shared with auth/.
bool is_vault_name(std::string_view text);  // ^[0-9A-Za-z-]{3,24}$

// TimeoutSeconds: digits only (no sign, no fraction, no unit), 1..86400; nullopt otherwise.
std::optional<std::chrono::seconds> parse_timeout_seconds(std::string_view text);

}  // namespace fkv::agent
