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
//   file: a certificate (contentType application/x-pkcs12, base64-decoded, or application/x-pem-file) to a
//   .pfx/.p12/.pem/.crt/.cer/.key path becomes what the extension asks for (secrets/certificate.hpp; the
//   key's PEM lines masked too; a conversion that cannot be done is the failure); any other PKCS#12 value is
//   base64-decoded (not base64: a failure), any other value is written as it is; then the non-secret path
//   variable (and its output) holding the absolute path the write returns, and for a certificate the
//   non-secret `<path variable>.thumbprint` (SHA-1, upper-case hex) and `<path variable>.notAfter` (UTC).
//   A read-only path variable name is a failure before anything else;
// - a JSON destination (`=> json`, issue 18): a JSON object's leaves become secret variables
//   `<variable>.<key>` (nested keys joined with '.', array elements by index; strings as their text, numbers
//   with their exact text, true/false/null as those words); the whole value is not set. A certificate, a
//   value that is not a JSON object, a key that is not [0-9A-Za-z_-]{1,64}, two leaves with the same name
//   (case-insensitively), more than 32 levels or 1000 leaves: the failure, naming the item and the key;
// - the secret variables (none after a file unless renames ask for them): `name` (and `name/version` for
//   a versioned reference) or the destination's variables. A read-only name: nothing is set and it is a
//   failure (stage emit). Empty value: a warning, the variables set to "" (nothing to mask). Multi-line
//   JSON (object or array): compacted onto one line (numbers keep their text), an info line says so, the
//   compact text masked. Other multi-line text: the multi-line switch (once per run: the writer keeps
//   that state), the masks of mask_values. One line: the value masked, with one warning when it is weak
//   (weak_value). Then each variable (and, with OutputVariables, its output right after it).
// - masks of a JSON value (expanded or not): besides the whole value, every string leaf that mask_values
//   would register as a line (json_leaf_masks), so a field printed alone is masked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/secret_plan.hpp"
#include "agent/variable_names.hpp"
#include "core/error.hpp"
#include "core/expected.hpp"
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
  bool output_variables = false;                           // OutputVariables
  bool missing_warn = false;                               // MissingSecrets=warn
  unsigned expiry_warning_days = 0;                        // ExpiryWarningDays; 0: no expiry warning at all
  std::int64_t now = 0;                                    // the run's clock (unix seconds), for exp
  std::string certificate_password = {};                   // CertificatePassword (SECRET): protects a .pfx/.p12 written
  agent::NameStyle name_style = agent::NameStyle::secret;  // VariableNameStyle, for '=> json' field variables
};

// A certificate written to a file (for the run summary; the path is the path variable's step).
struct CertificateWritten {
  std::string format;  // e.g. "PKCS#12 (password)", "PEM key + certificates"
  std::string thumbprint;
  std::string not_after;
  bool operator==(const CertificateWritten&) const = default;
};

struct Becomes {
  std::vector<Step> steps;                        // in order; carried out up to the first failure of a write_file
  std::optional<Error> failure;                   // the secret is not set (the steps before it were still carried out)
  bool missing = false;                           // named, 404, MissingSecrets=warn: skipped with a warning
  bool set = false;                               // counts as a secret set (a variable or a file)
  std::optional<CertificateWritten> certificate;  // a certificate file among the steps
  bool json_expanded = false;                     // the set_variable steps are a JSON expansion's fields
};

Becomes become(const vault::SecretOutcome& fetched, const agent::Destination& destination, const Rules& rules);

// The expiry warning of a secret that is set (issue 19), or nullopt: none when `days` is 0 or the secret has
// no exp, or its exp is more than `days` days after `now`. Dates are UTC (YYYY-MM-DD); whole days are counted
// down (13.9 days left: "in 13 days"; under a day: "today").
//   "Secret 'db-password' expires on 2026-12-20 (in 13 days)."
//   "Secret 'db-password' expired on 2026-12-20 (3 days ago); it is set anyway, as Key Vault still serves it."
std::optional<std::string> expiry_warning(std::string_view secret, std::optional<std::int64_t> exp, std::int64_t now,
                                          unsigned days);

// The strings that register `value` with the masker: for a multi-line value every line that carries secret
// material, trimmed (so it is masked with or without its indentation), then the whole value; for a one-line
// value the value; nothing for an empty one. A line is not registered when, trimmed, it is shorter than 4
// characters, holds no letter or digit (punctuation, JSON/YAML structure), is a PEM armour line
// (-----BEGIN ...----- / -----END ...-----) or a key with no value (`key:`, `"key": {`, `- key: |`): each would
// mask ordinary text in every later line of the job's log.
std::vector<std::string> mask_values(std::string_view value);

// Why a one-line value is weak as a mask ("is shorter than 4 characters", "is a common word", "is a number
// below 10000"), or nullopt: the agent masks every occurrence of it, so readers can locate it, and agents
// with AZP_IGNORE_SECRETS_SHORTER_THAN do not mask it at all.
std::optional<std::string> weak_value(std::string_view value);

// The extra masks of a JSON value (object or array): each string leaf that mask_values would register as a
// line and that is not weak (of a multi-line leaf, its lines); nullopt when `text` is not such JSON.
std::optional<std::vector<std::string>> json_leaf_masks(std::string_view text);

struct JsonField {
  std::string name;  // "<key>.<key>.<index>", without the variable
  std::string value;
  bool operator==(const JsonField&) const = default;
};
// A JSON object's leaves, in document order; an Error (no subject) naming what is wrong and the key, never a
// value, when `text` is not a JSON object or a key cannot be part of a variable name.
Expected<std::vector<JsonField>> json_fields(std::string_view text);

// PATH and the agent's reserved prefixes (agent/variable_names.hpp), case-insensitively.
bool is_read_only_variable(std::string_view name);

// Compact JSON text (object or array at the top) onto one line; nullopt when `text` is not such JSON.
std::optional<std::string> compact_json(std::string_view text);

}  // namespace fkv::secrets
