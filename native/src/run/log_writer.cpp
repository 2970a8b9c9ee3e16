#include "run/log_writer.hpp"

#include <cstdio>

#include "agent/commands.hpp"
#include "core/redaction.hpp"

namespace fkv::run {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string one_decimal(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

}  // namespace

std::vector<std::string> secret_lines(const SecretDone& done, bool& multiline_allowed) {
  using Kind = secrets::Step::Kind;
  std::vector<std::string> lines;
  for (const auto& step : done.result.steps) {
    switch (step.kind) {
      case Kind::warning: lines.push_back(agent::log_issue(agent::IssueType::warning, step.text)); break;
      case Kind::info: lines.push_back(agent::info(step.text)); break;
      case Kind::mask: lines.push_back(agent::set_secret(step.text)); break;
      case Kind::allow_multiline:
        if (!multiline_allowed) {
          lines.push_back(agent::set_variable(secrets::kMultilineSecretSwitch, "true", false));
          multiline_allowed = true;
        }
        break;
      case Kind::write_file: break;  // the file's path is the value of the path variable that follows
      case Kind::set_variable:
        lines.push_back(step.output ? agent::set_output_variable(step.name, step.text, step.secret)
                                    : agent::set_variable(step.name, step.text, step.secret));
        break;
    }
  }
  return lines;
}

std::vector<std::string> list_summary_lines(const std::string& vault_name, const Listed& list) {
  using agent::info;
  std::vector<std::string> lines;
  if (list.found == 0) {
    lines.push_back(info("No secrets found in: " + vault_name));
  } else {
    lines.push_back(info("Number of secrets found in " + vault_name + ": " + std::to_string(list.found)));
    lines.push_back(
        info("Number of enabled and unexpired secrets found in " + vault_name + ": " + std::to_string(list.kept())));
  }
  if (!list.disabled.empty()) {
    lines.push_back(
        info("Skipped " + std::to_string(list.disabled.size()) + " disabled secrets: " + join(list.disabled) + "."));
  }
  if (!list.expired.empty()) {
    lines.push_back(
        info("Skipped " + std::to_string(list.expired.size()) + " expired secrets: " + join(list.expired) + "."));
  }
  if (list.invalid_names > 0) {
    lines.push_back(agent::log_issue(agent::IssueType::warning,
                                     "Skipped " + std::to_string(list.invalid_names) +
                                         " list entries without a valid, unique secret name."));
  }
  return lines;
}

std::string access_waiting_line(const AccessWaiting& waiting) {
  const bool policy = waiting.code == "AccessDenied";
  return agent::info("Access to vault '" + waiting.vault_name + "' was denied (HTTP 403 " + waiting.code +
                     "): waiting up to " + std::to_string(waiting.wait.count()) +
                     " s (AccessWaitSeconds) for a recent " + (policy ? "access policy change" : "role assignment") +
                     " to apply.");
}

std::vector<std::string> env_block_debug_lines(const std::string& block) {
  std::vector<std::string> lines;
  if (block.empty()) return lines;
  lines.push_back(agent::debug("Environment for scripts: secret variables are not in a script's environment, so paste "
                               "this into the step that needs them:"));
  std::size_t start = 0;
  while (start < block.size()) {
    const auto end = block.find('\n', start);
    const auto line = block.substr(start, end == std::string::npos ? std::string::npos : end - start);
    lines.push_back(agent::debug(line));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> downloaded_lines(const Downloaded& done) {
  std::vector<std::string> lines;
  lines.push_back(agent::info("Downloaded " + std::to_string(done.secrets_set) + " secrets in " +
                              one_decimal(done.elapsed.count()) + " s."));
  if (done.throttle.throttled > 0) {
    lines.push_back(agent::info("Key Vault throttled " + std::to_string(done.throttle.throttled) +
                                " requests (HTTP 429): downloads paused for " +
                                one_decimal(static_cast<double>(done.throttle.paused.count()) / 1000.0) +
                                " s in all, at most " + std::to_string(done.throttle.lowest_limit) +
                                " at a time at the lowest."));
  }
  return lines;
}

void LogWriter::write_locked(std::string_view text) {
  // The gate (agent::gate_line): no line reaches stdout without it. The lines it leaves exact (values) are
  // written without taking the held secrets' lock or copying them.
  std::string gated;
  if (!agent::carries_value(text)) {
    gated = with_held_secrets([text](const SecretIndex& held) { return agent::gate_line(text, held); });
    text = gated;
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void LogWriter::line(std::string_view text) {
  std::lock_guard lock(mutex_);
  write_locked(text);
}

void LogWriter::lines(const std::vector<std::string>& all) {
  std::lock_guard lock(mutex_);
  for (const auto& l : all) write_locked(l);
}

void LogWriter::info(std::string_view text) { line(agent::info(text)); }
void LogWriter::warning(std::string_view text) { line(agent::log_issue(agent::IssueType::warning, text)); }
void LogWriter::debug(std::string_view text) { line(agent::debug(text)); }
void LogWriter::set_secret(std::string_view value) {
  hold_secret(value);
  line(agent::set_secret(value));
}

void LogWriter::secret(const SecretDone& done) {
  for (const auto& step : done.result.steps) {
    if (step.kind == secrets::Step::Kind::mask) hold_secret(step.text);
  }
  std::lock_guard lock(mutex_);
  for (const auto& l : secret_lines(done, multiline_allowed_)) write_locked(l);
}

void LogWriter::listed(const std::string& vault_name, const Listed& list) {
  lines(list_summary_lines(vault_name, list));
}

void LogWriter::downloaded(const Downloaded& done) { lines(downloaded_lines(done)); }
void LogWriter::access_waiting(const AccessWaiting& waiting) { line(access_waiting_line(waiting)); }
void LogWriter::env_block(const std::string& block) { lines(env_block_debug_lines(block)); }

}  // namespace fkv::run
