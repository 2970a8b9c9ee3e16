// What a secret becomes: one fetched secret (its value or its error) and its destination in, an ordered
// list of steps out. Pure and deterministic; this is the one place that decides names, masks, the
// JSON and multi-line handling, files and the per-secret warnings. The run (run/download.cpp) carries out
// the steps that touch the world (a file write) and hands the result to the log writer and the run
// record as one event (run/events.hpp); neither re-decides anything.
//
// Per secret, in this order (each rule as AzureKeyVault@2 does it, unless noted):
// - a fetch error: a named secret answered 404 (SecretNotFound) with MissingSecrets=warn is a warning and
//   `missing`; any other error is the failure, unchanged;
// - an nbf still in the future: a warning ("is not valid before <UTC> (nbf), it is set anyway");
// - an exp within Rules::expiry_warning_days of Rules::now, or already past (a secret named explicitly: Key
//   Vault still serves it, and it is set, as AzureKeyVault@2 does): one warning (expiry_warning()), only when
//   the secret is set;
// - a file destination (SecretsFilter `=> file:PATH`, issue 11): the value's masks (mask_values), then the
//   file: a value whose contentType is application/x-pkcs12 is base64-decoded (not base64: a failure),
//   any other value is written as it is; then the non-secret path variable (and its output) holding the
//   absolute path the write returns. A read-only path variable name is a failure before anything else;
// - the secret variables (none after a file unless renames ask for them): `name` (and `name/version` for
//   a versioned reference) or the destination's variables. A read-only name: nothing is set and it is a
//   failure (stage emit). Empty value: a warning, the variables set to "" (nothing to mask). Multi-line
//   JSON (object or array): compacted onto one line (numbers keep their text), an info line says so, the
//   compact text masked. Other multi-line text: the multi-line switch (once per run: the writer keeps
//   that state), every non-blank line masked, then the whole value. One line: the value masked. Then
//   each variable (and, with OutputVariables, its output right after it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/secret_plan.hpp"
#include "core/error.hpp"
#include "vault/client.hpp"

namespace fkv::secrets {

// The agent's switch that lets a secret variable hold line breaks (set once, before the first such value).
inline constexpr const char* kMultilineSecretSwitch = "SYSTEM_UNSAFEALLOWMULTILINESECRET";

struct Step {
  enum class Kind {
    warning,          // text: a warning issue
    info,             // text: a plain log line
    mask,             // text: a string to register with the agent's masker (SECRET)
    allow_multiline,  // the multi-line switch must be on before what follows
    write_file,       // text: the relative path under Agent.TempDirectory; bytes: what to write (SECRET)
    set_variable,     // name = text; secret; output: also as an output; path: the value is the written file's path
  };
  Kind kind = Kind::info;
  std::string text;
  std::string name;    // set_variable
  bool secret = true;  // set_variable
  bool output = false;
  bool path = false;
  std::string bytes;  // write_file (SECRET)
  bool operator==(const Step&) const = default;
};

struct Rules {
  std::string vault_name;
  bool output_variables = false;     // OutputVariables
  bool missing_warn = false;         // MissingSecrets=warn
  unsigned expiry_warning_days = 0;  // ExpiryWarningDays; 0: no expiry warning at all
  std::int64_t now = 0;              // the run's clock (unix seconds), for exp
};

struct Becomes {
  std::vector<Step> steps;       // in order; carried out up to the first failure of a write_file
  std::optional<Error> failure;  // the secret is not set (the steps before it were still carried out)
  bool missing = false;          // named, 404, MissingSecrets=warn: skipped with a warning
  bool set = false;              // counts as a secret set (a variable or a file)
};

Becomes become(const vault::SecretOutcome& fetched, const agent::Destination& destination, const Rules& rules);

// The expiry warning of a secret that is set (issue 19), or nullopt: none when `days` is 0 or the secret has
// no exp, or its exp is more than `days` days after `now`. Dates are UTC (YYYY-MM-DD); whole days are counted
// down (13.9 days left: "in 13 days"; under a day: "today").
//   "Secret 'db-password' expires on 2026-12-20 (in 13 days)."
//   "Secret 'db-password' expired on 2026-12-20 (3 days ago); it is set anyway, as Key Vault still serves it."
std::optional<std::string> expiry_warning(std::string_view secret, std::optional<std::int64_t> exp, std::int64_t now,
                                          unsigned days);

// The strings that register `value` with the masker: for a multi-line value every line that is not blank,
// then the whole value; for a one-line value the value; nothing for an empty one.
std::vector<std::string> mask_values(std::string_view value);

// PATH and the agent's reserved prefixes (agent/variable_names.hpp), case-insensitively.
bool is_read_only_variable(std::string_view name);

// Compact JSON text (object or array at the top) onto one line; nullopt when `text` is not such JSON.
std::optional<std::string> compact_json(std::string_view text);

}  // namespace fkv::secrets
