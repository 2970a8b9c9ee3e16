// The one writer of the task's log: whole lines on stdout, flushed, one at a time (GET workers and
// token callbacks write concurrently), and the rendering of the run's events (run/events.hpp) as
// ##vso logging commands and plain lines (agent/commands.hpp renders each command).
//
// Contract with the launcher: stdout carries logging commands and plain log lines, one per line, each
// flushed; a line is never cut. The multi-line switch (secrets::kMultilineSecretSwitch) is written once,
// right before the first secret that needs it: rendering and writing a secret's lines happen under one lock.
//
// The gate: every line is written through agent::gate_line with the process's held secrets
// (core/redaction.hpp), so no text reaches stdout with a held secret or a control character in it, except
// the data of task.setsecret / task.setvariable (the values). Whatever the writer registers with the
// agent's masker (set_secret, a secret's mask steps) it also holds, before any line that follows.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "run/events.hpp"

namespace fkv::run {

// The lines of one secret's steps. `multiline_allowed` is the run's state of the multi-line switch (set
// when the switch is rendered).
std::vector<std::string> secret_lines(const SecretDone& done, bool& multiline_allowed);

// The list summary, as AzureKeyVault@2 prints it so existing log readers keep working (printed when the
// listing has ended, while downloads may still be running):
//   No secrets found in: <vault>
//   Number of secrets found in <vault>: <N>
//   Number of enabled and unexpired secrets found in <vault>: <M>
//   Skipped <k> disabled secrets: a, b.            (ours)
//   Skipped <k> expired secrets: c.                (ours)
// Only validated secret names and the vault name appear in plain lines.
std::vector<std::string> list_summary_lines(const std::string& vault_name, const Listed& list);

// "Access to vault 'kv' was denied (HTTP 403 ForbiddenByRbac): waiting up to 60 s (AccessWaitSeconds) for a recent
// role assignment to apply." (AccessDenied: "... for a recent access policy change to apply.")
std::string access_waiting_line(const AccessWaiting& waiting);

// With System.Debug: the run summary's env: block (agent::env_block) as debug lines, after a line that says what
// it is; nothing when the block is empty.
std::vector<std::string> env_block_debug_lines(const std::string& block);

// "Downloaded N secrets in X s." and, when Key Vault throttled, what the throttle did.
std::vector<std::string> downloaded_lines(const Downloaded& done);

class LogWriter {
 public:
  void line(std::string_view text);
  void lines(const std::vector<std::string>& all);

  void info(std::string_view text);
  void warning(std::string_view text);
  void debug(std::string_view text);
  void set_secret(std::string_view value);  // registers a value with the agent's masker and holds it

  void secret(const SecretDone& done);
  void listed(const std::string& vault_name, const Listed& list);
  void downloaded(const Downloaded& done);
  void access_waiting(const AccessWaiting& waiting);
  void env_block(const std::string& block);  // System.Debug only

 private:
  void write_locked(std::string_view text);
  std::mutex mutex_;
  bool multiline_allowed_ = false;
};

}  // namespace fkv::run
