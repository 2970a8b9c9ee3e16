#include "agent/commands.hpp"

namespace fkv::agent {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    switch (c) {
      case '%': out += "%AZP25"; break;  // first, so the agent's later %AZP25 decode cannot create a sequence
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ';': out += "%3B"; break;
      case ']': out += "%5D"; break;
      default: out += c;
    }
  }
  return out;
}

std::string set_secret(std::string_view value) { return "##vso[task.setsecret]" + escape(value); }

std::string set_variable(std::string_view name, std::string_view value, bool secret) {
  return "##vso[task.setvariable variable=" + escape(name) + ";issecret=" + (secret ? "true" : "false") + "]" +
         escape(value);
}

std::string set_output_variable(std::string_view name, std::string_view value, bool secret) {
  return "##vso[task.setvariable variable=" + escape(name) + ";isoutput=true;issecret=" + (secret ? "true" : "false") +
         "]" + escape(value);
}

std::string log_issue(IssueType type, std::string_view message) {
  return std::string("##vso[task.logissue type=") + (type == IssueType::error ? "error" : "warning") + "]" +
         escape(message);
}

const char* to_string(TaskResult result) {
  switch (result) {
    case TaskResult::Succeeded: return "Succeeded";
    case TaskResult::SucceededWithIssues: return "SucceededWithIssues";
    case TaskResult::Failed: return "Failed";
  }
  return "Failed";
}

std::string complete(TaskResult result, std::string_view message) {
  return std::string("##vso[task.complete result=") + to_string(result) + "]" + escape(message);
}

std::string debug(std::string_view message) { return "##vso[task.debug]" + escape(message); }

std::string upload_summary(std::string_view path) { return "##vso[task.uploadsummary]" + escape(path); }

std::string info(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\r' || c == '\n') c = ' ';
    if (c == '#' && !out.empty() && out.back() == '#') out += ' ';
    out += c;
  }
  return out;
}

}  // namespace fkv::agent
