#include "agent/outcome.hpp"

namespace fkv::agent {

std::string describe(const Error& e) {
  std::string text = e.message;
  if (!e.hint.empty()) text += (text.empty() ? "" : " ") + e.hint;
  std::string details = to_string(e.stage);
  auto add = [&](const std::string& item) { details += (details.empty() ? "" : ", ") + item; };
  if (e.http_status != 0) add("HTTP " + std::to_string(e.http_status));
  if (!e.service_code.empty()) add(e.service_code);
  for (const auto& [name, value] : e.correlation) add(name + ": " + value);
  if (!details.empty()) text += " (" + details + ")";
  return text;
}

std::string error_line(const Error& e) { return log_issue(IssueType::error, describe(e)); }

Conclusion conclude(const std::string& vault_name, const std::optional<Error>& fatal,
                    const std::vector<Error>& secret_failures, std::size_t secrets_set) {
  Conclusion c;
  if (fatal) {
    c.lines.push_back(error_line(*fatal));
    c.result = TaskResult::Failed;
    c.exit_code = 1;
    c.lines.push_back(complete(c.result, fatal->message));
    return c;
  }
  if (!secret_failures.empty()) {
    std::string names;
    for (const auto& e : secret_failures) {
      c.lines.push_back(error_line(e));
      names += (names.empty() ? "" : ", ") + e.subject;
    }
    c.result = TaskResult::Failed;
    c.exit_code = 1;
    c.lines.push_back(complete(c.result, std::to_string(secret_failures.size()) + " of " +
                                             std::to_string(secret_failures.size() + secrets_set) +
                                             " secrets from vault '" + vault_name + "' could not be set: " + names +
                                             "."));
    return c;
  }
  c.lines.push_back(complete(TaskResult::Succeeded, std::to_string(secrets_set) + " secrets from vault '" +
                                                        vault_name + "' set as secret variables."));
  return c;
}

}  // namespace fkv::agent
