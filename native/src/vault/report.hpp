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

#include <string>
#include <vector>

#include "core/error.hpp"
#include "vault/client.hpp"
#include "vault/variable_policy.hpp"

namespace fkv::vault {

std::string utc_time(std::int64_t unix_seconds);  // 2026-11-26T07:00:00Z

std::vector<std::string> list_summary_lines(const std::string& vault_name, const ListStats& list);

// Not thread-safe: the caller serialises calls (and writes the returned lines before the next call, so
// the multi-line switch precedes the secret that needs it).
class SecretEmitter {
 public:
  std::vector<std::string> emit(SecretOutcome outcome);

  const std::vector<Error>& failures() const { return failures_; }  // download and emit failures, in order
  std::size_t secrets_set() const { return secrets_set_; }

 private:
  VariableEmitter variables_;
  std::vector<Error> failures_;
  std::size_t secrets_set_ = 0;
};

}  // namespace fkv::vault
