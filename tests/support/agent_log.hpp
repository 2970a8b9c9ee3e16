// A test-side model of how the Azure Pipelines agent reads a task's stdout
// (agent-task-contract.md §3.1-3.3, Command.TryParse + TaskCommandExtension at agent HEAD).
// Written independently of native/src/agent/commands.cpp so tests check the binary's output
// against the agent's rules, not against our own renderer.
//
// Rules modelled:
// - lines end at CR, LF or CRLF;
// - a command starts at the first "##vso[" anywhere in the line (case-sensitive, as Command.TryParse);
//   the header ends at the first "]" after it; the rest of the line is data;
// - the header splits at the first space into "area.event" (exactly two non-empty parts) and props;
// - props split on ";" (empty pieces dropped), each on its first "="; no trimming; pairs with an empty
//   value are dropped; keys are case-insensitive;
// - values and data are unescaped: %3B, %0D, %0A, %5D, then %AZP25 (DECODE_PERCENTS default);
// - task.setvariable: empty name -> rejected; issecret/… parsed like .NET Boolean.TryParse;
//   a secret whose value contains LF is rejected unless the variable SYSTEM_UNSAFEALLOWMULTILINESECRET
//   is "true"; a secret value is registered with the masker.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fkv::test {

struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

struct AgentCommand {
  std::string area;
  std::string event;
  std::map<std::string, std::string, CaseInsensitiveLess> properties;
  std::string data;
};

std::string agent_unescape(std::string_view text);
std::vector<std::string> agent_split_lines(std::string_view text);
// nullopt when the line holds no legal command (including lines without "##vso[").
std::optional<AgentCommand> agent_parse_line(std::string_view line);
bool agent_bool(std::string_view text);  // .NET Boolean.TryParse semantics (false when unparsable)

struct AgentVariable {
  std::string value;
  bool secret = false;
};

struct AgentLog {
  std::map<std::string, AgentVariable, CaseInsensitiveLess> variables;
  std::vector<std::string> variable_order;  // names in the order they were (first) set
  std::vector<std::string> masked;          // every value registered with the masker, in order
  std::vector<std::string> errors;          // task.logissue type=error messages
  std::vector<std::string> warnings;        // task.logissue type=warning messages
  std::vector<std::string> debug;           // task.debug messages
  std::vector<std::string> rejected;        // commands the agent would refuse (raw line)
  std::vector<std::string> plain;           // lines that are not commands
  std::optional<std::string> result;        // last task.complete result
  std::string result_message;
};

AgentLog parse_agent_log(std::string_view stdout_text);

}  // namespace fkv::test
