// ##vso logging commands, rendered exactly as the Azure Pipelines agent parses them
// (agent-task-contract.md §3.1-3.3). Pure.
//
// Contract:
// - Every property value and every data part goes through escape(): `%` -> `%AZP25` first, then
//   CR -> `%0D`, LF -> `%0A`, `;` -> `%3B`, `]` -> `%5D`. The agent unescapes %3B, %0D, %0A, %5D and then
//   %AZP25, so any byte string round-trips exactly, and the raw line holds the same escaped form the
//   agent registers as a secret for `issecret=true`.
// - Properties are joined with `;` and no spaces (a space after `;` would silently drop a flag).
// - Returned lines carry no line terminator; the single stdout writer appends "\n".
// - info() is for plain (non-command) log text: it can never contain `##` (so never `##vso[` or a
//   `##[` decoration) nor a line break. Callers still must not pass vault-controlled text to it,
//   except secret names that passed validation.
#pragma once

#include <string>
#include <string_view>

#include "core/redaction.hpp"

namespace fkv::agent {

std::string escape(std::string_view text);
// The agent's unescape of property values and data: %3B, %0D, %0A, %5D, then %AZP25.
std::string unescape(std::string_view text);

// ##vso[task.setsecret]<value>
std::string set_secret(std::string_view value);

// ##vso[task.setvariable variable=<name>;issecret=true]<value>   (issecret=false when !secret)
std::string set_variable(std::string_view name, std::string_view value, bool secret);

// ##vso[task.setvariable variable=<name>;isoutput=true;issecret=true]<value>  (issecret=false when !secret):
// an output variable, which later jobs and stages map as dependencies.<job>.outputs['<step>.<name>'].
std::string set_output_variable(std::string_view name, std::string_view value, bool secret);

enum class IssueType { error, warning };
// ##vso[task.logissue type=error|warning]<message>
std::string log_issue(IssueType type, std::string_view message);

enum class TaskResult { Succeeded, SucceededWithIssues, Failed };
const char* to_string(TaskResult result);  // exact case, as the agent's case-sensitive enum parse wants
// ##vso[task.complete result=<Result>]<message>
std::string complete(TaskResult result, std::string_view message);

// ##vso[task.debug]<message>  (shown by the agent only when System.Debug is true)
std::string debug(std::string_view message);

// ##vso[task.uploadsummary]<path>: attaches a Markdown file to the run's summary page (a section named after
// the file). Blocked when the step's commands are restricted (the agent then only warns).
std::string upload_summary(std::string_view path);

// A plain log line: CR/LF become spaces and every "##" is broken up as "# #".
std::string info(std::string_view text);

// The gate for one rendered line of the task's log (core/text_gate.hpp); the one stdout writer
// (run/log_writer.cpp) writes every line through it. The lines that carry values (task.setsecret and
// task.setvariable) stay exact: their data is the value. Any other command's data is unescaped, gated and
// escaped again (its properties are the task's own); a plain line is gated and rendered again with info(),
// so that removing a character cannot join a "##".
std::string gate_line(std::string_view line, const SecretIndex& held);
// True for the lines gate_line leaves exact: task.setsecret and task.setvariable (their data is a value).
bool carries_value(std::string_view line);

}  // namespace fkv::agent
