#include "agent/outcome.hpp"

#include <algorithm>

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

namespace {

Conclusion failed_with(const Error& error) {
  Conclusion c;
  c.lines.push_back(error_line(error));
  c.result = TaskResult::Failed;
  c.exit_code = 1;
  c.message = error.message;
  c.lines.push_back(complete(c.result, error.message));
  return c;
}

std::string name_list(const std::vector<std::string>& names, std::size_t at_most) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < at_most; ++i) out += (out.empty() ? "" : ", ") + names[i];
  if (names.size() > at_most) out += " and " + std::to_string(names.size() - at_most) + " more";
  return out;
}

}  // namespace

Error list_but_not_read(const std::string& vault_name, const std::string& client_id) {
  Error e;
  e.stage = Stage::vault_get;
  e.http_status = 403;
  e.service_code = "ForbiddenByRbac";
  e.subject = vault_name;
  e.message = "The service connection's identity can list the secrets of vault '" + vault_name +
              "' but not read their values (Azure RBAC refused every secret with 403 ForbiddenByRbac): that is what "
              "the Key Vault Reader role grants.";
  e.hint = "Assign the Key Vault Secrets User role on the vault: az role assignment create --role \"Key Vault "
           "Secrets User\" --assignee " +
           (client_id.empty() ? std::string("<the identity's client id>") : client_id) +
           " --scope $(az keyvault show --name " + vault_name +
           " --query id --output tsv). Role assignments can take a few minutes to apply.";
  return e;
}

bool lists_but_cannot_read(const RunResult& run) {
  if (!run.listed || run.fatal || run.list_failure || run.stopped || run.secrets_set != 0 ||
      run.secret_failures.empty()) {
    return false;
  }
  return std::all_of(run.secret_failures.begin(), run.secret_failures.end(),
                     [](const Error& e) { return e.http_status == 403 && e.service_code == "ForbiddenByRbac"; });
}

Conclusion conclude(const std::string& vault_name, const RunResult& run) {
  if (run.fatal) return failed_with(*run.fatal);
  if (lists_but_cannot_read(run)) {
    Conclusion c = failed_with(list_but_not_read(vault_name, run.identity));
    std::vector<std::string> unset;
    for (const auto& e : run.secret_failures) unset.push_back(e.subject);
    for (const auto& conflict : run.conflicts)
      unset.insert(unset.end(), conflict.secrets.begin(), conflict.secrets.end());
    c.lines.insert(c.lines.end() - 1, info("Not set (" + std::to_string(unset.size()) +
                                           " secrets): " + name_list(unset, unset.size()) + "."));
    return c;
  }
  const bool nothing_else = run.secret_failures.empty() && run.not_fetched.empty() && run.secrets_set == 0 &&
                            run.conflicts.empty();
  if (nothing_else && run.list_failure && !run.stopped) return failed_with(*run.list_failure);
  if (nothing_else && run.stopped && !run.list_failure) return failed_with(*run.stopped);

  Conclusion c;
  if (run.secret_failures.empty() && run.not_fetched.empty() && !run.list_failure && !run.stopped &&
      run.conflicts.empty()) {
    std::string message = std::to_string(run.secrets_set) + " secrets from vault '" + vault_name +
                          "' set as secret variables";
    if (!run.missing.empty()) {
      message += ". Not found and skipped (MissingSecrets is 'warn'): " + name_list(run.missing, 20);
    }
    c.message = message + ".";
    c.lines.push_back(complete(TaskResult::Succeeded, c.message));
    return c;
  }
  std::vector<std::string> unset;
  for (const auto& conflict : run.conflicts) {
    c.lines.push_back(error_line(conflict.error));
    unset.insert(unset.end(), conflict.secrets.begin(), conflict.secrets.end());
  }
  for (const auto& e : run.secret_failures) {
    c.lines.push_back(error_line(e));
    unset.push_back(e.subject);
  }
  if (run.list_failure) c.lines.push_back(error_line(*run.list_failure));
  if (run.stopped) c.lines.push_back(error_line(*run.stopped));
  if (!run.not_fetched.empty()) {
    c.lines.push_back(log_issue(IssueType::error,
                                "Not fetched because the run stopped (" + std::to_string(run.not_fetched.size()) +
                                    " secrets): " + name_list(run.not_fetched, run.not_fetched.size()) + "."));
    unset.insert(unset.end(), run.not_fetched.begin(), run.not_fetched.end());
  }

  std::string summary;
  if (!unset.empty()) {
    summary = std::to_string(unset.size()) + " of " + std::to_string(unset.size() + run.secrets_set) +
              " secrets from vault '" + vault_name + "' could not be set: " + name_list(unset, 20) + ".";
  } else {
    summary = std::to_string(run.secrets_set) + " secrets from vault '" + vault_name + "' were set.";
  }
  if (run.list_failure) {
    summary += " The list of secrets is incomplete, so secrets on later pages were not set: " +
               run.list_failure->message;
  }
  if (run.stopped) summary += " " + run.stopped->message;
  c.result = TaskResult::Failed;
  c.exit_code = 1;
  c.message = summary;
  c.lines.push_back(complete(c.result, summary));
  return c;
}

Error explain_stop(Error error, const RunControl& run) {
  if (run.cancelled()) {
    error.message = std::string("The run was cancelled (") + signal_name(run.cancel_signal()) +
                    ") before any secret was fetched.";
    error.hint = "The job was cancelled or reached its own timeout.";
    error.http_status = 0;
    error.service_code.clear();
    error.correlation.clear();
  } else if (run.expired()) {
    error.hint = "The run reached its time limit of " + std::to_string(run.budget().count()) +
                 " s (TimeoutSeconds) here. " + error.hint;
  }
  return error;
}

}  // namespace fkv::agent
