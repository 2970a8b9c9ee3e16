// The run summary (issue 12): a Markdown section for the run's summary page, attached with
// ##vso[task.uploadsummary]. Pure: a plain record in, Markdown out.
//
// Contract:
// - The record holds no value, token or header: only names (the vault, validated secret and variable
//   names), the connection's ids, the OIDC token's issuer and subject, Error texts (safe to print by
//   core/error.hpp's contract) and counts.
// - Every text goes through the gate (core/text_gate.hpp: held secrets become "***", control characters
//   spaces), then markdown_text(): Markdown's special characters are backslash-escaped, line breaks become
//   spaces, so a name or message can neither break a table (|) nor add links, HTML or emphasis. Empty
//   sections are left out. At most kMaxRows rows per table, then "and N more".
// - The layout (see tests/unit/agent/expected/*.md): a heading with the vault and the result, the
//   conclusion, a table of the run's facts, then Findings (diagnose mode), Variables set (with the secret's
//   expiry date), Skipped, Failures, Timings and, when secret variables were set, a ready-to-paste YAML env:
//   block (env_block()). The text ends with one line break.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/outcome.hpp"
#include "core/redaction.hpp"

namespace fkv::agent {

inline constexpr std::size_t kMaxRows = 100;

struct SummaryVariable {
  std::string name;
  bool secret = true;       // issecret=true
  bool output = false;      // isoutput=true
  bool file = false;        // the path of a secret file (not secret)
  bool json_field = false;  // a field of a secret expanded with '=> json'
  std::string expires;      // the secret's exp as a UTC date (YYYY-MM-DD); empty: none
  bool operator==(const SummaryVariable&) const = default;
};

// A certificate written to a file (issue 18): no key material, only what identifies it.
struct SummaryCertificate {
  std::string secret;
  std::string path;    // relative to Agent.TempDirectory
  std::string format;  // e.g. "PKCS#12 (password)"
  std::string thumbprint;
  std::string not_after;
  bool operator==(const SummaryCertificate&) const = default;
};

struct SummarySkip {
  std::string name;    // a validated secret name
  std::string reason;  // "disabled", "expired", "excluded by the secrets filter", ...
  bool operator==(const SummarySkip&) const = default;
};

struct SummaryFailure {
  std::string what;   // the secret, "listing", "token", ...
  std::string cause;  // Error::message
  std::string fix;    // Error::hint
  bool operator==(const SummaryFailure&) const = default;
};

struct SummaryPhase {
  std::string name;           // "OIDC token", "Entra token exchange", "Listing", "Downloads"
  double seconds = 0;         // from its first request's start to its last request's end
  std::size_t requests = 0;   // requests sent (every attempt)
  std::size_t retries = 0;    // attempts beyond the first of each request
  std::size_t throttled = 0;  // HTTP 429 answers
};

enum class FindingStatus { ok, failed, skipped };

struct SummaryFinding {
  std::string check;
  FindingStatus status = FindingStatus::ok;
  std::string text;  // ok: what was seen; failed: cause and fix; skipped: why
  bool operator==(const SummaryFinding&) const = default;
};

struct RunRecord {
  bool diagnose = false;
  std::string vault;  // validated name; empty when the inputs could not be read
  std::string vault_url;
  std::string connection_id;
  std::string scheme;  // as ENDPOINT_AUTH_SCHEME gives it
  std::string tenant_id;
  std::string client_id;
  std::string token_issuer;  // of the OIDC token (federation only); empty: unknown
  std::string token_subject;
  std::string user_agent;  // sent with every request (ids only: agent::user_agent)
  TaskResult result = TaskResult::Succeeded;
  std::string conclusion;                                      // the message of task.complete
  std::vector<SummaryFinding> findings;                        // diagnose mode
  std::vector<SummaryVariable> variables;                      // add with add_variable()
  std::unordered_map<std::string, std::size_t> variable_rows;  // name -> its row in variables
  std::vector<SummaryCertificate> certificates;                // certificates written to files
  std::vector<std::string> not_yet_valid;                      // secrets set although their nbf is in the future
  std::vector<SummarySkip> skipped;
  std::vector<SummaryFailure> failures;
  std::vector<SummaryPhase> phases;
  double total_seconds = 0;
};

// Adds a variable's row, or, for a name that already has one (OutputVariables sets a variable twice:
// plain and output), adds the output mark to that row. Constant time: a run may set thousands.
void add_variable(RunRecord& record, SummaryVariable variable);

// Backslash-escapes \ ` * _ { } [ ] ( ) < > # + ! | ~ & and turns CR/LF (and other control characters)
// into spaces.
std::string markdown_text(std::string_view text);

// `held`: the secrets to redact from every text (core/text_gate.hpp: the gate, which also replaces control
// characters and removes bidi overrides).
std::string render_summary(const RunRecord& record, const SecretIndex& held);

// The YAML `env:` block for a step's script, one line per secret variable set: an environment-variable-safe
// name (agent/variable_names.hpp environment_name) mapped to $(variable), sorted by that name (downloads
// arrive in no fixed order). A name that two variables would give is kept for the first set only. Empty
// when no secret variable was set.
//   env:
//     DB_PASSWORD: $(db-password)
std::string env_block(const std::vector<SummaryVariable>& variables);

// The failures of a run, each with cause and fix, in the order conclude() reports them.
std::vector<SummaryFailure> summary_failures(const RunResult& result);

}  // namespace fkv::agent
