#include "vault/report.hpp"

#include <ctime>

#include "agent/commands.hpp"
#include "vault/variable_policy.hpp"

namespace fkv::vault {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::string utc_time(std::int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

Report report_download(const std::string& vault_name, DownloadResult result) {
  using agent::info;
  Report report;
  const ListStats& list = result.list;
  if (list.listed) {
    if (list.found == 0) {
      report.lines.push_back(info("No secrets found in: " + vault_name));
    } else {
      report.lines.push_back(info("Number of secrets found in " + vault_name + ": " + std::to_string(list.found)));
      report.lines.push_back(info("Number of enabled and unexpired secrets found in " + vault_name + ": " +
                                  std::to_string(list.kept())));
    }
    if (!list.disabled.empty()) {
      report.lines.push_back(info("Skipped " + std::to_string(list.disabled.size()) + " disabled secrets: " +
                                  join(list.disabled) + "."));
    }
    if (!list.expired.empty()) {
      report.lines.push_back(info("Skipped " + std::to_string(list.expired.size()) + " expired secrets: " +
                                  join(list.expired) + "."));
    }
    if (list.invalid_names > 0) {
      report.lines.push_back(agent::log_issue(agent::IssueType::warning,
                                              "Skipped " + std::to_string(list.invalid_names) +
                                                  " list entries without a valid, unique secret name."));
    }
  }

  std::vector<DownloadedSecret> downloaded;
  for (auto& s : result.secrets) {
    if (s.error) {
      report.failures.push_back(std::move(*s.error));
      continue;
    }
    if (s.not_before) {
      report.lines.push_back(agent::log_issue(agent::IssueType::warning,
                                              "Secret '" + s.ref.text() + "' is not valid before " +
                                                  utc_time(*s.not_before) + " (nbf), it is set anyway."));
    }
    downloaded.push_back(DownloadedSecret{s.ref, s.value ? std::move(*s.value) : std::string()});
  }
  VariablePlan plan = plan_variables(downloaded);
  for (auto& l : plan.lines) report.lines.push_back(std::move(l));
  for (auto& f : plan.failures) report.failures.push_back(std::move(f));
  report.secrets_set = plan.secrets_set;
  return report;
}

}  // namespace fkv::vault
