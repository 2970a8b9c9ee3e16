#include "run/run_record.hpp"

#include "agent/commands.hpp"
#include "core/random.hpp"
#include "core/utc_time.hpp"
#include "core/redaction.hpp"
#include "platform/secret_file.hpp"

namespace fkv::run {

void RunRecord::secret(const SecretDone& done) {
  std::lock_guard lock(mutex_);
  std::string written;
  for (const auto& step : done.result.steps) {
    if (step.kind == secrets::Step::Kind::write_file) written = step.text;
    if (step.kind != secrets::Step::Kind::set_variable) continue;
    agent::add_variable(record_, agent::SummaryVariable{step.name, step.secret, step.output, step.path,
                                                        done.result.json_expanded,
                                                        done.expires ? utc_time(*done.expires).substr(0, 10) : ""});
  }
  if (const auto& c = done.result.certificate; c && done.result.set) {
    record_.certificates.push_back({done.ref.text(), written, c->format, c->thumbprint, c->not_after});
  }
  if (done.not_yet_valid) record_.not_yet_valid.push_back(done.ref.text());
}

void RunRecord::listed(const Listed& list) {
  std::lock_guard lock(mutex_);
  for (const auto& name : list.disabled) record_.skipped.push_back({name, "disabled"});
  for (const auto& name : list.expired) record_.skipped.push_back({name, "expired"});
}

void RunRecord::not_selected(const NotSelected& skip) {
  std::lock_guard lock(mutex_);
  record_.skipped.push_back({skip.name, "not selected by the secrets filter"});
}

std::optional<std::string> RunRecord::write() {
  std::lock_guard lock(mutex_);
  if (directory_.path.empty()) {
    if (directory_.problem == "not set.") return std::nullopt;
    return agent::log_issue(agent::IssueType::warning, "The run summary was not written: Agent.TempDirectory "
                                                       "(AGENT_TEMPDIRECTORY) is " +
                                                           directory_.problem);
  }
  if (meter_) record_.phases = meter_->phases();
  record_.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const std::string relative = "federated-keyvault/summary-" +
                               (record_.vault.empty() ? std::string("run") : record_.vault) + "-" + random_hex(8) +
                               ".md";
  const std::string text = with_held_secrets([this](const SecretIndex& held) {
    return agent::render_summary(record_, held);
  });
  auto path = platform::write_secret_file(directory_.path, relative, text);
  if (!path) {
    return agent::log_issue(agent::IssueType::warning, "The run summary could not be written: " + path.error().message);
  }
  return agent::upload_summary(*path);
}

}  // namespace fkv::run
