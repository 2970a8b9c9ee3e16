// The task's result and the user-facing text of Errors. Pure.
//
// - describe(e): "<message> <hint> (<stage>, HTTP <status>, <service code>, <name>: <value>, ...)"; the
//   parenthesis lists the stage and then only what is known. Errors hold no secrets (core/error.hpp), so this is safe to print.
// - conclude(): no failure -> `##vso[task.complete result=Succeeded]<summary>`, exit 0.
//   A fatal error (config, auth), or a list failure / stop with nothing set and nothing else to report
//   (e.g. vault not found, list denied) -> one error issue + complete Failed with its message, exit 1.
//   Otherwise (the secrets fetched were already set while the run went on) -> one error issue per failed
//   secret, one for the list failure, one for the reason the run stopped, one naming every selected
//   secret that was never fetched; then complete Failed with a summary: which secrets could not be set
//   (at most 20 names, then "and N more"), then the list failure, then the stop reason; exit 1.
//   A conflict found after listing is one error issue and counts both its secrets as not set.
//   Named secrets skipped with MissingSecrets=warn (each already warned about) are not failures; the
//   summary names them: "<N> secrets from vault '<v>' set as secret variables. Not found and skipped
//   (MissingSecrets is 'warn'): a, b."
// - An identity that can list but not read (issue 19): the list succeeded, no secret was set, and every
//   secret failure is a 403 ForbiddenByRbac (no other failure, no stop): one error (list_but_not_read()),
//   one plain log line naming every secret not set (not an error of its own), complete Failed; exit 1.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/commands.hpp"
#include "agent/secret_plan.hpp"
#include "core/error.hpp"
#include "core/run_control.hpp"

namespace fkv::agent {

std::string describe(const Error& error);
std::string error_line(const Error& error);  // ##vso[task.logissue type=error]<describe(error)>

struct Conclusion {
  std::vector<std::string> lines;
  TaskResult result = TaskResult::Succeeded;
  int exit_code = 0;
  std::string message;  // of the task.complete line (the last line)
};

struct RunResult {
  std::optional<Error> fatal;            // nothing could be fetched (config, OIDC, Entra)
  std::vector<Error> secret_failures;    // one Error per secret not set (subject = its name)
  std::optional<Error> list_failure;     // the listing ended early (earlier pages' secrets were still set)
  std::optional<Error> stopped;          // why the remaining requests were stopped (cancelled, deadline, ...)
  std::vector<std::string> not_fetched;  // selected secrets never fetched because of `stopped`
  std::size_t secrets_set = 0;           // secrets emitted as variables (or files)
  std::vector<Conflict> conflicts;       // found after listing: both secrets of each are not set
  std::vector<std::string> missing;      // named secrets not found, skipped with MissingSecrets=warn
  bool listed = false;                   // the vault's list was read to its end
  std::string identity;                  // the connection identity's client id (for fixes); empty: unknown
};

// The one answer for an identity that can list secrets but not read them (what the Key Vault Reader role
// grants): the conclusion of a download run and diagnose's Get finding say it in these words.
Error list_but_not_read(const std::string& vault_name, const std::string& client_id);

// True when every failure of `run` says its identity can list but not read (see above).
bool lists_but_cannot_read(const RunResult& run);

Conclusion conclude(const std::string& vault_name, const RunResult& run);

// A fatal Error met while the run was stopping (e.g. the OIDC or Entra request): when the run was cancelled,
// the message says so (instead of the transport failure it caused); when the deadline had passed, the hint
// says which limit was reached. Otherwise `error` unchanged.
Error explain_stop(Error error, const RunControl& run);

}  // namespace fkv::agent
