// Download outcomes -> the lines main prints, as they arrive, and the failures it reports. Pure.
//
// Streaming: each secret's lines are rendered the moment its outcome is known (SecretEmitter::emit), so
// nothing fetched waits for the rest of the run and memory does not grow with the vault. Per secret: an
// nbf warning when the secret is not valid yet, then its commands (vault/variable_policy.hpp). Outcomes
// come in arrival order, not selection order.
//
// The list summary (for '*') follows AzureKeyVault@2 so existing log readers keep working; it is printed
// when the listing has ended, while downloads may still be running:
//   No secrets found in: <vault>
//   Number of secrets found in <vault>: <N>
//   Number of enabled and unexpired secrets found in <vault>: <M>
//   Skipped <k> disabled secrets: a, b.            (ours)
//   Skipped <k> expired secrets: c.                (ours)
// Only validated secret names and the vault name appear in plain lines.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/secret_plan.hpp"
#include "core/expected.hpp"

#include "core/error.hpp"
#include "vault/client.hpp"
#include "vault/variable_policy.hpp"

namespace fkv::vault {

std::string utc_time(std::int64_t unix_seconds);  // 2026-11-26T07:00:00Z (clamped to years 0001-9999)

std::vector<std::string> list_summary_lines(const std::string& vault_name, const ListStats& list);

// Writes `bytes` to `relative_path` under Agent.TempDirectory and returns the file's absolute path
// (platform/secret_file.hpp). Errors carry no value.
using FileWriter = std::function<Expected<std::string>(const std::string& relative_path, std::string_view bytes)>;

struct EmitOptions {
  std::string vault_name;
  bool output_variables = false;  // OutputVariables
  bool missing_warn = false;      // MissingSecrets=warn: a named secret answered 404 is a warning, not a failure
  // Where a secret goes (agent::SecretPlan::destination); null: `name` (and `name/version`), as before issue 11.
  std::function<agent::Destination(const agent::SecretRef&)> destination;
  FileWriter write_file;  // needed only for destinations with a file
};

// Per secret with a file destination (issue 11): its value is registered with the masker (mask_lines, for
// a PKCS#12 value the base64 text Key Vault returned); a value whose contentType is application/x-pkcs12 is
// base64-decoded and those bytes are written, any other value as it is; then the non-secret path variable
// is set to the file's absolute path (also as an output with OutputVariables). The secret's other variables
// follow as usual. A file that cannot be written is a failure of that secret.
//
// Not thread-safe: the caller serialises calls (and writes the returned lines before the next call, so
// the multi-line switch precedes the secret that needs it).
class SecretEmitter {
 public:
  SecretEmitter() = default;
  explicit SecretEmitter(EmitOptions options) : options_(std::move(options)) {}

  std::vector<std::string> emit(SecretOutcome outcome);

  const std::vector<Error>& failures() const { return failures_; }  // download and emit failures, in order
  std::size_t secrets_set() const { return secrets_set_; }
  const std::vector<std::string>& missing() const { return missing_; }  // named, 404, MissingSecrets=warn

 private:
  EmitOptions options_;
  VariableEmitter variables_;
  std::vector<Error> failures_;
  std::vector<std::string> missing_;
  std::size_t secrets_set_ = 0;
};

}  // namespace fkv::vault
