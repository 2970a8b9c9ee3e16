#include "agent/commands.hpp"

#include "core/text_gate.hpp"

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

std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto at = [&](std::string_view code) { return text.substr(i, code.size()) == code; };
    if (at("%3B")) {
      out += ';';
      i += 2;
    } else if (at("%0D")) {
      out += '\r';
      i += 2;
    } else if (at("%0A")) {
      out += '\n';
      i += 2;
    } else if (at("%5D")) {
      out += ']';
      i += 2;
    } else out += text[i];
  }
  std::string result;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out.compare(i, 6, "%AZP25") == 0) {
      result += '%';
      i += 5;
    } else result += out[i];
  }
  return result;
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

namespace fkv::agent {

bool carries_value(std::string_view line) {
  return line.starts_with("##vso[task.setsecret]") || line.starts_with("##vso[task.setvariable ");
}

std::string gate_line(std::string_view line, const SecretIndex& held) {
  constexpr std::string_view kCommand = "##vso[";
  if (carries_value(line)) return std::string(line);
  if (line.starts_with(kCommand)) {
    const auto close = line.find(']');
    if (close != std::string_view::npos) {
      return std::string(line.substr(0, close + 1)) + escape(gate_text(unescape(line.substr(close + 1)), held));
    }
  }
  return info(gate_text(line, held));
}

}  // namespace fkv::agent
