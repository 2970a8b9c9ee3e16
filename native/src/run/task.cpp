#include "run/task.hpp"

#include <chrono>

#include "auth/credential.hpp"
#include "auth/jwt_claims.hpp"
#include "core/random.hpp"
#include "core/redaction.hpp"
#include "core/run_control.hpp"
#include "diagnose/checks.hpp"
#include "diagnose/facts.hpp"
#include "platform/process.hpp"
#include "platform/resolve.hpp"
#include "run/connection.hpp"
#include "run/download.hpp"

namespace fkv::run {
namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void record_config(RunRecord& record, const agent::TaskConfig& cfg) {
  record.update([&](agent::RunRecord& r) {
    r.diagnose = cfg.mode == agent::Mode::diagnose;
    r.vault = cfg.vault_name;
    r.vault_url = cfg.vault_url().str();
    r.connection_id = cfg.connection.id;
    r.scheme = cfg.connection.scheme.empty() ? std::string(describe(cfg.connection.auth)) : cfg.connection.scheme;
    r.tenant_id = cfg.connection.tenant_id;
    r.client_id = cfg.connection.client_id;
    r.user_agent = agent::user_agent(cfg.pipeline_ids);
  });
}

std::string debug_line(const agent::TaskConfig& cfg) {
  return "Service connection " + cfg.connection.id + " (" + std::string(describe(cfg.connection.auth)) +
         "), environment " + cfg.connection.environment + ", authority " + cfg.connection.authority.str() + ", vault " +
         cfg.vault_url().str() + ", RunAsPreJob " + (cfg.run_as_prejob ? "true" : "false") + ", TimeoutSeconds " +
         std::to_string(cfg.timeout.count()) + ", AccessWaitSeconds " + std::to_string(cfg.access_wait.count()) + ".";
}

// Every token is registered with the agent's masker the moment it exists, and so held for redaction
// (run/log_writer.hpp, core/redaction.hpp). The summary shows the OIDC token's issuer and subject (never
// the token): with federation it is the first token registered. Decoded without verification, for
// diagnostics only.
auth::SecretSink secret_sink(LogWriter& log, RunRecord& record, bool federated) {
  return [&log, &record, federated](std::string_view secret) {
    log.set_secret(secret);
    if (!federated) return;
    record.update([&](agent::RunRecord& r) {
      if (!r.token_issuer.empty()) return;
      if (auto claims = auth::decode_jwt_claims(secret)) {
        r.token_issuer = claims->iss;
        r.token_subject = claims->sub;
      }
    });
  };
}

}  // namespace

int Task::conclude(agent::TaskResult result, const std::string& message, std::vector<std::string> lines,
                   int exit_code) {
  record_.update([&](agent::RunRecord& r) {
    r.result = result;
    r.conclusion = message;
  });
  // The summary is attached after the error issues, right before task.complete (always the last line).
  const std::string last = lines.empty() ? std::string() : lines.back();
  if (!lines.empty()) lines.pop_back();
  log_.lines(lines);
  if (auto upload = record_.write()) log_.line(*upload);
  if (!last.empty()) log_.line(last);
  return exit_code;
}

int Task::finish(const agent::RunResult& result) {
  auto conclusion = agent::conclude(vault_, result);
  std::string env;
  record_.update([&](agent::RunRecord& r) {
    r.failures = agent::summary_failures(result);
    for (const auto& name : result.missing) r.skipped.push_back({name, "not found (MissingSecrets is 'warn')"});
    if (debug_) env = agent::env_block(r.variables);
  });
  log_.env_block(env);
  return conclude(conclusion.result, conclusion.message, std::move(conclusion.lines), conclusion.exit_code);
}

int Task::fail(Error error) {
  agent::RunResult result;
  result.fatal = std::move(error);
  return finish(result);
}

int Task::internal_error(const std::string& what) {
  Error error;
  error.message = "Internal error: " + what;
  error.hint = "Run the job again; if it happens again, report it with this log at " FKV_ISSUES_URL ".";
  vault_.clear();
  return fail(std::move(error));
}

int Task::execute() {
  record_.set_directory(agent::read_temp_directory(env_));
  auto config = agent::read_task_config(env_);
  if (!config) return fail(config.error());
  const agent::TaskConfig& cfg = *config;
  vault_ = cfg.vault_name;
  record_config(record_, cfg);

  // Static, the one process-long object: the signal handlers keep a pointer to it until the process exits.
  static RunControl run_control(cfg.timeout);
  platform::install_cancel_handlers(run_control);

  // CertificatePassword: to the masker before the first line is printed.
  if (!cfg.certificate_password.empty()) {
    hold_secret(cfg.certificate_password);
    log_.set_secret(cfg.certificate_password);
  }
  log_.info("Key vault name: " + vault_ + ".");
  if (cfg.certificate_password_unused) {
    log_.warning(
        "CertificatePassword is set, but no SecretsFilter item writes a .pfx or .p12 file, so it protects nothing. "
        "Add e.g. '<certificate> => file:certs/signing.pfx', or clear CertificatePassword.");
  }
  debug_ = cfg.debug;
  if (cfg.debug) log_.debug(debug_line(cfg));
  auto connection = Connection::open(cfg, run_control, log_);
  if (!connection) return fail(connection.error());
  Connection& c = **connection;
  record_.set_meter(&c.meter());

  hold_secret(cfg.job_token);
  const bool federated = cfg.connection.auth == AuthScheme::workload_identity_federation;
  const auth::SecretSink register_secret = secret_sink(log_, record_, federated);
  for (const auto& warning : auth::credential_warnings(c.credential())) log_.warning(warning);

  if (cfg.mode == agent::Mode::diagnose) {
    diagnose::Input input;
    input.config = &cfg;
    input.credential = c.credential();
    input.scope = cfg.connection.vault_resource + "/.default";
    input.http = &c.http();
    input.imds = c.token_clients().imds;
    input.vault_http = &c.vault_http();
    input.register_secret = register_secret;
    input.resolve = [](const std::string& host, std::string& address) {
      using namespace std::chrono_literals;
      return platform::resolve_host(host, address, std::min<std::chrono::milliseconds>(run_control.remaining(), 10s),
                                    run_control.stop_flag().get());
    };
    input.proxy = &cfg.network.proxy;
    input.facts = diagnose::facts(cfg, c.destinations());
    input.probe_name = "fkv-diagnose-" + random_hex(8);
    input.run = &run_control;
    input.on_finding = [this](const agent::SummaryFinding& finding) { log_.lines(diagnose::finding_lines({finding})); };
    input.now = unix_now();
    auto result = diagnose::run_checks(input);
    const auto verdict = diagnose::verdict(cfg.vault_name, result.findings);
    record_.update([&](agent::RunRecord& r) { r.findings = result.findings; });
    return conclude(verdict.result, verdict.message, {agent::complete(verdict.result, verdict.message)},
                    verdict.result == agent::TaskResult::Failed ? 1 : 0);
  }
  return finish(download(DownloadContext{cfg, run_control, c, log_, record_, register_secret}));
}

}  // namespace fkv::run
