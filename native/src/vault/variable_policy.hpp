// Downloaded secrets -> ##vso commands (issue 3 "Emit"). Pure.
//
// Per secret, in the given order:
// - variable names: `name`; for a `name/version` entry both `name` and `name/version` (AzureKeyVault@2 parity);
// - a name the agent treats as read-only (PATH, or starting with system., agent., build., release., pipeline.
//   or the same prefixes with '_' — the form those names take after the agent's '.'->'_' transform;
//   case-insensitive) -> nothing is emitted for that secret and it is a failure (stage emit). With Key
//   Vault's name charset [0-9A-Za-z-] only PATH can actually occur;
// - empty value -> the variables are set to "" (no setsecret: there is nothing to mask) and a warning names it;
// - one-line value -> `##vso[task.setsecret]<v>` then `##vso[task.setvariable variable=<n>;issecret=true]<v>`
//   for each name;
// - multi-line value (CR or LF): if it is a JSON object or array it is compacted to one line (RapidJSON SAX
//   with kParseNumbersAsStringsFlag, so numbers keep their original text; key order and duplicates kept;
//   strings re-escaped by RapidJSON), an info line says so, and it is emitted as a one-line value.
//   Otherwise every line (split on CR or LF) that is not blank is registered with setsecret, then the whole
//   value, then the variables. Blank (whitespace-only) lines are not registered: masking whitespace would
//   garble every log line and reveals nothing;
// - `##vso[task.setvariable variable=SYSTEM_UNSAFEALLOWMULTILINESECRET;issecret=false]true` (kMultilineSecretSwitch) is emitted once,
//   right before the first multi-line (non-JSON) secret, and only if there is one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/task_config.hpp"
#include "core/error.hpp"

namespace fkv::vault {

// The agent's switch that lets a secret variable hold line breaks (set once, before the first such value).
inline constexpr const char* kMultilineSecretSwitch = "SYSTEM_UNSAFEALLOWMULTILINESECRET";

struct DownloadedSecret {
  agent::SecretRef ref;
  std::string value;  // SECRET
  std::vector<std::string> variables = {};  // the variables to set; empty: `name` (and `name/version`), as above
  bool output = false;                 // OutputVariables: each variable is also set as an output
                                       // (`...;isoutput=true;issecret=true]`, right after the plain one)
};

// `##vso[task.setsecret]` lines that register `value` with the masker: for a multi-line value every line that
// is not blank, then the whole value; for a one-line value the value; nothing for an empty one.
std::vector<std::string> mask_lines(std::string_view value);

struct VariablePlan {
  std::vector<std::string> lines;    // ##vso commands and info lines, in order
  std::vector<Error> failures;       // secrets that were not set
  std::size_t secrets_set = 0;
  std::size_t variables_set = 0;
};

bool is_read_only_variable(std::string_view name);

// Compact JSON text (object or array at the top) onto one line; nullopt when `text` is not such JSON.
std::optional<std::string> compact_json(std::string_view text);

// The policy for one secret at a time, as values arrive (streaming): remembers whether the multi-line
// switch was already emitted, so it comes once, right before the first multi-line secret's lines.
class VariableEmitter {
 public:
  VariablePlan emit(const DownloadedSecret& secret);

 private:
  bool multiline_allowed_ = false;
};

// All at once, in order (the same lines as one VariableEmitter fed in that order).
VariablePlan plan_variables(const std::vector<DownloadedSecret>& secrets);

}  // namespace fkv::vault
