// The ##vso escaping round trip (agent/commands.hpp, read back with the agent's parser model in
// tests/support/agent_log.hpp). The input is split at the first 0x00 byte into a name and a value
// (no 0x00: all value, name "v"). Properties, per the escaping contract:
// - every command renders as one line starting with "##vso[", and the agent reads back exactly the
//   data given (setsecret, setvariable, logissue, debug, complete);
// - a non-empty property value (the variable name) is read back exactly; an empty one is dropped by
//   the agent (its documented rule), so the command is rejected and never misread;
// - info() never yields "##" (so never a command or a ##[ decoration) nor a line break.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/commands.hpp"
#include "agent_log.hpp"
#include "fuzz_support.hpp"

namespace {

fkv::test::AgentCommand read_back(const std::string& line) {
  FKV_FUZZ_CHECK(line.rfind("##vso[", 0) == 0);
  FKV_FUZZ_CHECK(line.find_first_of("\r\n") == std::string::npos);
  const auto lines = fkv::test::agent_split_lines(line + "\n");
  FKV_FUZZ_CHECK(lines.size() == 1 && lines[0] == line);
  const auto command = fkv::test::agent_parse_line(line);
  FKV_FUZZ_CHECK(command && command->area == "task");
  return *command;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fkv::fuzz::as_text(data, size);
  const auto zero = text.find('\0');
  const std::string name(zero == std::string_view::npos ? std::string_view("v") : text.substr(0, zero));
  const std::string value(zero == std::string_view::npos ? text : text.substr(zero + 1));

  FKV_FUZZ_CHECK(fkv::test::agent_unescape(fkv::agent::escape(value)) == value);

  const auto secret = read_back(fkv::agent::set_secret(value));
  FKV_FUZZ_CHECK(secret.event == "setsecret" && secret.data == value);

  for (const bool is_secret : {true, false}) {
    const auto variable = read_back(fkv::agent::set_variable(name, value, is_secret));
    FKV_FUZZ_CHECK(variable.event == "setvariable" && variable.data == value);
    const auto it = variable.properties.find("variable");
    if (name.empty()) {
      FKV_FUZZ_CHECK(it == variable.properties.end());
    } else {
      FKV_FUZZ_CHECK(it != variable.properties.end() && it->second == name);
    }
    const auto flag = variable.properties.find("issecret");
    FKV_FUZZ_CHECK(flag != variable.properties.end() && fkv::test::agent_bool(flag->second) == is_secret);
    FKV_FUZZ_CHECK(variable.properties.size() == (name.empty() ? 1u : 2u));
  }

  for (const auto type : {fkv::agent::IssueType::error, fkv::agent::IssueType::warning}) {
    const auto issue = read_back(fkv::agent::log_issue(type, value));
    FKV_FUZZ_CHECK(issue.event == "logissue" && issue.data == value);
  }
  const auto debug = read_back(fkv::agent::debug(value));
  FKV_FUZZ_CHECK(debug.event == "debug" && debug.data == value);
  const auto complete = read_back(fkv::agent::complete(fkv::agent::TaskResult::Failed, value));
  FKV_FUZZ_CHECK(complete.event == "complete" && complete.data == value);

  const std::string plain = fkv::agent::info(text);
  FKV_FUZZ_CHECK(plain.find("##") == std::string::npos);
  FKV_FUZZ_CHECK(plain.find_first_of("\r\n") == std::string::npos);
  return 0;
}
