#include "run/download.hpp"

#include <chrono>
#include <mutex>

#include "agent/secret_plan.hpp"
#include "platform/process.hpp"
#include "platform/secret_file.hpp"
#include "secrets/become.hpp"

namespace fkv::run {
namespace {

vault::ClientOptions client_options(const agent::TaskConfig& cfg, const RunControl& run) {
  vault::ClientOptions options;
  options.vault_url = cfg.vault_url();
  options.vault_name = cfg.vault_name;
  options.vault_dns_suffix = cfg.connection.vault_dns_suffix;
  options.concurrency = cfg.concurrency;
  options.worker_started = platform::lower_current_thread_priority;
  options.run = &run;
  options.access_wait.wait = cfg.access_wait;
  options.now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return options;
}

}  // namespace

SecretDone SecretHandler::handle(const vault::SecretOutcome& outcome) const {
  using Kind = secrets::Step::Kind;
  SecretDone done{outcome.ref, secrets::become(outcome, destination_(outcome.ref), rules_),
                  outcome.value && outcome.not_before, outcome.value ? outcome.expires : std::nullopt};
  auto& steps = done.result.steps;
  std::string written;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    secrets::Step& step = steps[i];
    if (step.kind == Kind::set_variable && step.path) step.text = written;
    if (step.kind != Kind::write_file) continue;
    auto path = write_file_ ? write_file_(step.text, step.bytes)
                            : Expected<std::string>(Error{Stage::emit, 0, "", "no file writer", "", "", {}});
    step.bytes.clear();
    if (!path) {
      Error e = path.error();
      e.stage = Stage::emit;
      e.subject = done.ref.text();
      e.message = "Secret '" + done.ref.text() + "' was not written to '" + step.text + "': " + e.message;
      done.result.failure = std::move(e);
      done.result.set = false;
      steps.resize(i);
      break;
    }
    written = std::move(*path);
  }
  return done;
}

agent::RunResult download(const DownloadContext& context) {
  const agent::TaskConfig& cfg = context.cfg;
  Connection& connection = context.connection;
  agent::RunResult result;
  const std::string scope = cfg.connection.vault_resource + "/.default";
  auto token = auth::acquire_access_token_for(connection.token_clients(), connection.credential(), scope,
                                              context.register_secret);
  if (!token) {
    result.fatal = agent::explain_stop(token.error(), context.run);
    return result;
  }
  // A 401 challenge (already checked to name the vault's own resource) asks for a token with another scope.
  const vault::TokenSource reacquire = [&](const std::string& challenge_scope) -> Expected<std::string> {
    auto fresh = auth::acquire_access_token_for(connection.token_clients(), connection.credential(), challenge_scope,
                                                context.register_secret);
    if (!fresh) return fresh.error();
    return std::move(fresh->token);
  };

  const vault::ClientOptions options = client_options(cfg, context.run);
  // The reader's plan (read_task_config made it and checked its conflicts, so this cannot fail).
  auto planned = agent::plan_of(cfg);
  if (!planned) {
    result.fatal = planned.error();
    return result;
  }
  agent::SecretPlan& plan = *planned;
  if (plan.lists()) context.log.info("Downloading secrets using: " + vault::list_url(options.vault_url).str() + ".");
  const auto started = std::chrono::steady_clock::now();

  std::mutex emit_mutex;  // then the plan's lock (see download.hpp)
  std::mutex plan_mutex;
  const secrets::Rules rules{cfg.vault_name,          cfg.output_variables, cfg.missing == agent::MissingSecrets::warn,
                             cfg.expiry_warning_days, options.now,          cfg.certificate_password,
                             cfg.variable_name_style};
  std::size_t secrets_set = 0;
  std::vector<Error> failures;
  vault::DownloadHooks hooks;
  const SecretHandler handler(
      rules,
      [&plan, &plan_mutex](const vault::SecretRef& ref) {
    std::lock_guard plan_lock(plan_mutex);
    return plan.destination(ref);
      },
      [&cfg](const std::string& relative, std::string_view bytes) {
    return platform::write_secret_file(cfg.temp_directory, relative, bytes);
  });
  hooks.secret = [&](vault::SecretOutcome outcome) {
    std::lock_guard lock(emit_mutex);
    const SecretDone done = handler.handle(outcome);
    context.log.secret(done);
    context.record.secret(done);
    if (done.result.set) ++secrets_set;
    if (done.result.failure) failures.push_back(*done.result.failure);
    if (done.result.missing) result.missing.push_back(done.ref.text());
  };
  hooks.listed = [&](const vault::ListStats& stats) {
    std::lock_guard lock(emit_mutex);
    context.log.listed(cfg.vault_name, stats);
    context.record.listed(stats);
  };
  hooks.access_waiting = [&](std::string_view code, std::chrono::seconds wait) {
    context.log.access_waiting(AccessWaiting{cfg.vault_name, std::string(code), wait});
  };
  vault::FetchSource source = agent::fetch_source(plan, plan_mutex, [&](const std::string& name) {
    context.record.not_selected(NotSelected{name});
  });
  auto summary = vault::download_secrets(connection.vault_http(), options, source, token->token, reacquire, hooks);

  std::lock_guard lock(emit_mutex);  // every worker has been joined; this only orders the final lines
  context.log.downloaded(Downloaded{secrets_set, std::chrono::steady_clock::now() - started, summary.throttle});
  result.secret_failures = std::move(failures);
  result.list_failure = std::move(summary.list_failure);
  result.stopped = std::move(summary.stopped);
  for (const auto& ref : summary.not_fetched) result.not_fetched.push_back(ref.text());
  result.secrets_set = secrets_set;
  result.conflicts = plan.conflicts();
  result.listed = summary.list.listed && !summary.list_failure;
  result.identity = cfg.connection.client_id.empty() ? cfg.connection.msi_client_id : cfg.connection.client_id;
  return result;
}

}  // namespace fkv::run
