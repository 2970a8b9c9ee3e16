// SecretsFilter -> Selection. Pure.
//
// Rules (azurekeyvault-task.md §2.2, issue 3):
// - split on ',', each item trimmed of whitespace, empty items dropped;
// - '*' selects all enabled, unexpired secrets, but only when it is the single item
//   (an empty filter also means all); '*' next to names is an error;
// - every other item is "name" or "name/version": name ^[0-9A-Za-z-]{1,127}$, version ^[0-9A-Za-z]{1,64}$
//   (Key Vault versions are 32 hex characters; we accept any alphanumeric id so a future format still works
//   and let Key Vault answer 400/404);
// - duplicates (case-insensitive, as Key Vault and pipeline variable names are) are removed, the first kept;
//   order is kept.
// Errors are config Errors with subject "SecretsFilter" naming the bad item and the rule.
#pragma once

#include <string_view>

#include "agent/task_config.hpp"
#include "core/expected.hpp"

namespace fkv::agent {

bool is_secret_name(std::string_view name);      // ^[0-9A-Za-z-]{1,127}$
bool is_secret_version(std::string_view version);  // ^[0-9A-Za-z]{1,64}$

Expected<Selection> parse_secrets_filter(std::string_view filter);

}  // namespace fkv::agent
