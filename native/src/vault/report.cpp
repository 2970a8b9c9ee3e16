#include "vault/report.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "agent/commands.hpp"
#include "agent/variable_names.hpp"
#include "core/base64.hpp"
#include "core/text.hpp"

namespace fkv::vault {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

// Pure and portable (no gmtime_r/gmtime_s): the <chrono> calendar types. The instant is first clamped to
// 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z: four-digit years, and day counts far inside a 32-bit
// days::rep (`long` on Windows), so no calendar conversion can overflow.
std::string utc_time(std::int64_t unix_seconds) {
  using namespace std::chrono;
  constexpr std::int64_t kFirst = -62'135'596'800;  // 0001-01-01T00:00:00Z
  constexpr std::int64_t kLast = 253'402'300'799;   // 9999-12-31T23:59:59Z
  const sys_seconds instant{seconds{std::clamp(unix_seconds, kFirst, kLast)}};
  const sys_days day = floor<days>(instant);
  const year_month_day date{day};
  const hh_mm_ss<seconds> time{instant - day};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buffer;
}

std::vector<std::string> list_summary_lines(const std::string& vault_name, const ListStats& list) {
  using agent::info;
  std::vector<std::string> lines;
  if (list.found == 0) {
    lines.push_back(info("No secrets found in: " + vault_name));
  } else {
    lines.push_back(info("Number of secrets found in " + vault_name + ": " + std::to_string(list.found)));
    lines.push_back(info("Number of enabled and unexpired secrets found in " + vault_name + ": " +
                         std::to_string(list.kept())));
  }
  if (!list.disabled.empty()) {
    lines.push_back(info("Skipped " + std::to_string(list.disabled.size()) + " disabled secrets: " +
                         join(list.disabled) + "."));
  }
  if (!list.expired.empty()) {
    lines.push_back(info("Skipped " + std::to_string(list.expired.size()) + " expired secrets: " +
                         join(list.expired) + "."));
  }
  if (list.invalid_names > 0) {
    lines.push_back(agent::log_issue(agent::IssueType::warning,
                                     "Skipped " + std::to_string(list.invalid_names) +
                                         " list entries without a valid, unique secret name."));
  }
  return lines;
}

std::vector<std::string> SecretEmitter::emit(SecretOutcome outcome) {
  std::vector<std::string> lines;
  agent::Destination destination;
  if (options_.destination) {
    destination = options_.destination(outcome.ref);
  } else {
    destination.named = true;
  }
  if (outcome.error) {
    const Error& e = *outcome.error;
    if (options_.missing_warn && destination.named && e.http_status == 404 &&
        (e.service_code.empty() || iequals(e.service_code, "SecretNotFound"))) {
      lines.push_back(agent::log_issue(agent::IssueType::warning,
                                       "Secret '" + outcome.ref.text() + "' was not found in vault '" +
                                           options_.vault_name + "': it is skipped because MissingSecrets is 'warn'."));
      missing_.push_back(outcome.ref.text());
      return lines;
    }
    failures_.push_back(std::move(*outcome.error));
    return lines;
  }
  if (outcome.not_before) {
    lines.push_back(agent::log_issue(agent::IssueType::warning,
                                     "Secret '" + outcome.ref.text() + "' is not valid before " +
                                         utc_time(*outcome.not_before) + " (nbf), it is set anyway."));
  }
  std::string value = outcome.value ? std::move(*outcome.value) : std::string();
  auto fail = [&](std::string message, std::string hint) {
    Error e;
    e.stage = Stage::emit;
    e.subject = outcome.ref.text();
    e.message = std::move(message);
    e.hint = std::move(hint);
    failures_.push_back(std::move(e));
  };

  if (!destination.file.empty()) {
    const std::string& path_variable = destination.path_variable;
    if (agent::is_read_only_variable(path_variable)) {
      fail("Secret '" + outcome.ref.text() + "' was not written: '" + path_variable +
               "' (its path variable) is a read-only pipeline variable name.",
           "Set VariablePrefix, or remove the secret from SecretsFilter.");
      return lines;
    }
    for (auto& l : mask_lines(value)) lines.push_back(std::move(l));
    std::string bytes = value;
    if (iequals(trim(outcome.content_type), "application/x-pkcs12")) {
      auto decoded = base64_decode(value);
      if (!decoded) {
        fail("Secret '" + outcome.ref.text() + "' has the contentType application/x-pkcs12 but its value is not "
                 "base64, so '" + destination.file + "' was not written.",
             "Store the PFX as base64 (as Key Vault does for certificates), or clear the secret's contentType.");
        return lines;
      }
      bytes = std::move(*decoded);
    }
    auto written = options_.write_file ? options_.write_file(destination.file, bytes)
                                       : Expected<std::string>(Error{Stage::emit, 0, "", "no file writer", "", "", {}});
    if (!written) {
      Error e = written.error();
      e.stage = Stage::emit;
      e.subject = outcome.ref.text();
      e.message = "Secret '" + outcome.ref.text() + "' was not written to '" + destination.file + "': " + e.message;
      failures_.push_back(std::move(e));
      return lines;
    }
    lines.push_back(agent::set_variable(path_variable, *written, false));
    if (options_.output_variables) lines.push_back(agent::set_output_variable(path_variable, *written, false));
    if (destination.variables.empty()) {
      ++secrets_set_;
      return lines;
    }
  }

  DownloadedSecret secret{std::move(outcome.ref), std::move(value), destination.variables, options_.output_variables};
  VariablePlan plan = variables_.emit(secret);
  for (auto& l : plan.lines) lines.push_back(std::move(l));
  for (auto& f : plan.failures) failures_.push_back(std::move(f));
  if (plan.secrets_set > 0 || !destination.file.empty()) ++secrets_set_;
  return lines;
}

}  // namespace fkv::vault
