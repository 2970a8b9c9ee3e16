// A finished download -> the lines main prints and the failures it reports. Pure.
//
// Order: list summary (for '*'), then per secret in selection order: an nbf warning when the secret is not
// valid yet, then its commands (vault/variable_policy.hpp). Log lines follow AzureKeyVault@2 so existing log
// readers keep working:
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

namespace fkv::vault {

struct Report {
  std::vector<std::string> lines;
  std::vector<Error> failures;  // download failures, then emit failures
  std::size_t secrets_set = 0;
};

std::string utc_time(std::int64_t unix_seconds);  // 2026-11-26T07:00:00Z

Report report_download(const std::string& vault_name, DownloadResult result);

}  // namespace fkv::vault
