// federated-keyvault: wiring only. Reads the agent's environment, gets a Key Vault token with the service
// connection's scheme (auth/credential.hpp), downloads the selected secrets and writes ##vso commands to stdout.
//
// Contract with the launcher: stdout carries logging commands and plain log lines, one per line, each
// flushed; stdin is never read (the agent closes it); exit code 0 = success, 1 = failure (the last line is
// then `##vso[task.complete result=Failed]…`), 2 = bad command-line usage. Errors are printed only here.
//
// Streaming: each secret's commands are written as soon as its value is in, so a killed step keeps what
// was written and memory does not grow with the vault. The whole run is bounded by TimeoutSeconds
// (RunControl); SIGTERM/SIGINT stop it cleanly: requests in flight are aborted, no line is ever cut, the
// conclusion names what was not set, and the exit code is 1.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "agent/commands.hpp"
#include "agent/environment.hpp"
#include "agent/outcome.hpp"
#include "agent/request_meter.hpp"
#include "agent/run_summary.hpp"
#include "auth/credential.hpp"
#include "auth/jwt_claims.hpp"
#include "auth/messages.hpp"
#include "diagnose/checks.hpp"
#include "diagnose/facts.hpp"
#include "core/redaction.hpp"
#include "core/run_control.hpp"
#include "net/https_client.hpp"
#include "net/imds_client.hpp"
#include "net/proxy.hpp"
#include "net/retrying_client.hpp"
#include "net/tls.hpp"
#include "net/trust_store.hpp"
#include "vault/client.hpp"
#include "platform/process.hpp"
#include "platform/resolve.hpp"
#include "platform/secret_file.hpp"
#include "vault/report.hpp"

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#endif

namespace {

using namespace fkv;

// The single stdout writer: whole lines, flushed, one at a time (GET workers and token callbacks may
// write concurrently).
class Output {
 public:
  void line(std::string_view text) {
    std::lock_guard lock(mutex_);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
  void lines(const std::vector<std::string>& all) {
    for (const auto& l : all) line(l);
  }

 private:
  std::mutex mutex_;
};

std::optional<std::string> process_env(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

// Random lower-case hex, for names that must not repeat (the summary file, diagnose's probe secret).
std::string random_hex(std::size_t bytes) {
  std::random_device device;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    const unsigned v = device() & 0xffu;
    out += kHex[v >> 4];
    out += kHex[v & 0xfu];
  }
  return out;
}

// The run summary (agent/run_summary.hpp): a record filled as the run goes, written once at its end,
// whatever the end (finish()). Thread-safe.
class Report {
 public:
  template <typename F>
  void update(F&& change) {
    std::lock_guard lock(mutex_);
    change(record_);
  }
  void set_temp_directory(std::string dir) { temp_directory_ = std::move(dir); }
  void set_meter(const agent::MeterStats* meter) { meter_ = meter; }

  // Renders the record, writes it under Agent.TempDirectory (owner-only, no link followed) and returns the
  // uploadsummary line, or a warning when it cannot be written; nothing without a temp directory.
  std::optional<std::string> write() {
    std::lock_guard lock(mutex_);
    if (temp_directory_.empty()) return std::nullopt;
    if (meter_) record_.phases = meter_->phases();
    record_.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const std::string relative = "federated-keyvault/summary-" + (record_.vault.empty() ? std::string("run") : record_.vault) +
                                 "-" + random_hex(8) + ".md";
    auto path = platform::write_secret_file(temp_directory_, relative, agent::render_summary(record_));
    if (!path) {
      return agent::log_issue(agent::IssueType::warning, "The run summary could not be written: " + path.error().message);
    }
    return agent::upload_summary(*path);
  }

 private:
  std::mutex mutex_;
  agent::RunRecord record_;
  std::string temp_directory_;
  const agent::MeterStats* meter_ = nullptr;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

Report& report() {
  static Report instance;
  return instance;
}

// The last lines of every run: the conclusion, the summary's upload before its task.complete line.
int conclude_with(Output& out, agent::TaskResult result, const std::string& message, std::vector<std::string> lines,
                  int exit_code) {
  report().update([&](agent::RunRecord& r) {
    r.result = result;
    r.conclusion = message;
  });
  // The summary is attached after the error issues, right before task.complete (always the last line).
  const std::string last = lines.empty() ? std::string() : lines.back();
  if (!lines.empty()) lines.pop_back();
  out.lines(lines);
  if (auto upload = report().write()) out.line(*upload);
  if (!last.empty()) out.line(last);
  return exit_code;
}

int finish(Output& out, const std::string& vault, const agent::RunResult& result) {
  auto conclusion = agent::conclude(vault, result);
  report().update([&](agent::RunRecord& r) {
    r.failures = agent::summary_failures(result);
    for (const auto& name : result.missing) r.skipped.push_back({name, "not found (MissingSecrets is 'warn')"});
  });
  return conclude_with(out, conclusion.result, conclusion.message, std::move(conclusion.lines), conclusion.exit_code);
}

int fail(Output& out, const std::string& vault, Error error) {
  agent::RunResult result;
  result.fatal = std::move(error);
  return finish(out, vault, result);
}

void record_config(const agent::TaskConfig& cfg) {
  report().update([&](agent::RunRecord& r) {
    r.diagnose = cfg.mode == agent::Mode::diagnose;
    r.vault = cfg.vault_name;
    r.vault_url = cfg.vault_url().str();
    r.connection_id = cfg.connection.id;
    r.scheme = cfg.connection.scheme.empty() ? std::string(describe(cfg.connection.auth)) : cfg.connection.scheme;
    r.tenant_id = cfg.connection.tenant_id;
    r.client_id = cfg.connection.client_id;
  });
}

// Mode: diagnose. Every check, every finding, no variable set.
int diagnose_run(Output& out, const agent::TaskConfig& cfg, const RunControl& run_control, net::HttpClient& http,
                 net::HttpClient& vault_http, const auth::Credential& credential, const auth::SecretSink& register_secret,
                 const net::ProxySettings& proxy, std::vector<agent::SummaryFinding> facts) {
  diagnose::Input input;
  input.config = &cfg;
  input.credential = credential;
  input.scope = cfg.connection.vault_resource + "/.default";
  input.http = &http;
  input.vault_http = &vault_http;
  input.register_secret = register_secret;
  input.resolve = [&run_control](const std::string& host, std::string& address) {
    using namespace std::chrono_literals;
    return platform::resolve_host(host, address, std::min<std::chrono::milliseconds>(run_control.remaining(), 10s),
                                  run_control.stop_flag().get());
  };
  input.proxy = &proxy;
  input.facts = std::move(facts);
  input.probe_name = "fkv-diagnose-" + random_hex(8);
  input.run = &run_control;
  input.on_finding = [&out](const agent::SummaryFinding& finding) { out.lines(diagnose::finding_lines({finding})); };
  input.now = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
  auto result = diagnose::run_checks(input);
  const auto verdict = diagnose::verdict(cfg.vault_name, result.findings);
  report().update([&](agent::RunRecord& r) { r.findings = result.findings; });
  return conclude_with(out, verdict.result, verdict.message, {agent::complete(verdict.result, verdict.message)},
                       verdict.result == agent::TaskResult::Failed ? 1 : 0);
}

int run(Output& out) {
  report().set_temp_directory(process_env("AGENT_TEMPDIRECTORY").value_or(""));
  auto config = agent::read_task_config(process_env);
  if (!config) return fail(out, "", config.error());
  const agent::TaskConfig& cfg = *config;
  const std::string& vault_name = cfg.vault_name;
  record_config(cfg);

  // Static: the signal handlers keep a pointer to it until the process exits.
  static RunControl run_control(cfg.timeout);
  platform::install_cancel_handlers(run_control);

  out.line(agent::info("Key vault name: " + vault_name + "."));
  if (cfg.debug) {
    out.line(agent::debug("Service connection " + cfg.connection.id + " (" +
                          std::string(describe(cfg.connection.auth)) + "), environment " + cfg.connection.environment +
                          ", authority " + cfg.connection.authority.str() + ", vault " + cfg.vault_url().str() +
                          ", RunAsPreJob " + (cfg.run_as_prejob ? "true" : "false") + ", TimeoutSeconds " +
                          std::to_string(cfg.timeout.count()) + "."));
  }

  net::HttpsOptions https_options;
  https_options.trust = net::TrustSettings{net::trust_environment_from_process(), {}};
  // One connection more than GET workers: the list's page chain never waits for a connection.
  https_options.max_connections_per_host = cfg.concurrency + 1;
  https_options.stop = run_control.stop_flag();
  if (auto warning = net::skip_validation_warning(https_options.trust.environment)) {
    out.line(agent::log_issue(agent::IssueType::warning, *warning));
  }
  // Proxy (net/proxy.hpp): its password goes to the masker before anything about the proxy is printed.
  auto proxy = net::read_proxy_settings(process_env);
  if (!proxy) return fail(out, vault_name, proxy.error());
  for (const auto& secret : proxy->secrets) {
    hold_secret(secret);
    out.line(agent::set_secret(secret));
  }
  for (const auto& warning : proxy->warnings) out.line(agent::log_issue(agent::IssueType::warning, warning));
  // (IMDS, for a managed identity, is never reached through a proxy and is not among them.)
  std::vector<net::Url> destinations{cfg.connection.authority, cfg.vault_url()};
  if (cfg.connection.auth == AuthScheme::managed_identity) destinations.erase(destinations.begin());
  if (cfg.connection.auth == AuthScheme::workload_identity_federation) {
    destinations.insert(destinations.begin(), cfg.oidc_request_url);
  }
  if (auto line = net::describe(*proxy, destinations)) {
    out.line(agent::info(*line));
  }
  const net::ProxySettings proxy_settings = *proxy;
  https_options.proxy = std::move(*proxy);
  auto https = net::HttpsClient::create(https_options);
  if (!https) return fail(out, vault_name, https.error());
  // Connection set-up leaves the critical path: while the token is being acquired, Entra's connection
  // (when the OIDC request comes first) and the vault's connections are opened in the background.
  if (cfg.connection.auth == AuthScheme::workload_identity_federation) {
    (**https).preconnect(cfg.connection.authority, 1, run_control.remaining());
  }
  // Diagnose makes a few requests one after another: one connection serves them.
  const std::size_t vault_connections =
      cfg.mode == agent::Mode::diagnose ? 1
      : cfg.selection.all             ? std::size_t{cfg.concurrency} + 1
                                      : std::min<std::size_t>(cfg.selection.names.size(), cfg.concurrency);
  (**https).preconnect(cfg.vault_url(), vault_connections, run_control.remaining());
  // Requests and attempts per phase, for the run summary (agent/request_meter.hpp). Static: the report
  // reads it at the very end.
  static agent::MeterStats meter(agent::PhaseClassifier{
      cfg.connection.auth == AuthScheme::workload_identity_federation ? cfg.oidc_request_url.host : std::string(),
      cfg.connection.authority.host, cfg.vault_url().host});
  report().set_meter(&meter);
  agent::MeteredClient attempts(**https, meter, agent::MeteredClient::Layer::attempts);

  net::RetryHooks hooks = net::RetryHooks::real();
  hooks.sleep = [](std::chrono::milliseconds delay) { run_control.sleep_for(delay); };
  hooks.remaining = [] { return run_control.remaining(); };
  hooks.stopped = [] { return run_control.cancelled(); };
  if (cfg.debug) {
    hooks.on_retry = [&out](const net::RetryEvent& e) {
      out.line(agent::debug("Retrying " + e.method + " " + e.host + " after " + e.reason + " (attempt " +
                            std::to_string(e.failed_attempt) + "), waiting " + std::to_string(e.delay.count()) +
                            " ms."));
    };
  }
  net::RetryingClient http_retrying(attempts, net::RetryPolicy{}, hooks);
  agent::MeteredClient http(http_retrying, meter, agent::MeteredClient::Layer::calls);
  // Key Vault's throttling is paced by the vault client's throttle controller, not retried per request.
  net::RetryPolicy vault_policy;
  vault_policy.retry_throttled = false;
  net::RetryingClient vault_retrying(attempts, vault_policy, hooks);
  agent::MeteredClient vault_http(vault_retrying, meter, agent::MeteredClient::Layer::calls);

  // Every token is registered with the agent's masker the moment it exists, and held for redaction of
  // server texts that might echo it (core/redaction.hpp).
  hold_secret(cfg.job_token);
  const bool federated = cfg.connection.auth == AuthScheme::workload_identity_federation;
  const auth::SecretSink register_secret = [&out, federated](std::string_view secret) {
    hold_secret(secret);
    out.line(agent::set_secret(secret));
    // The summary shows the OIDC token's issuer and subject (never the token): with federation it is the
    // first token registered. Decoded without verification, for diagnostics only.
    if (!federated) return;
    report().update([&](agent::RunRecord& r) {
      if (!r.token_issuer.empty()) return;
      if (auto claims = auth::decode_jwt_claims(secret)) {
        r.token_issuer = claims->iss;
        r.token_subject = claims->sub;
      }
    });
  };
  auth::Credential credential;
  credential.scheme = cfg.connection.auth;
  credential.connection_id = cfg.connection.id;
  credential.authority = cfg.connection.authority;
  credential.tenant_id = cfg.connection.tenant_id;
  credential.client_id = cfg.connection.client_id;
  credential.settings_url = cfg.connection.settings_url;
  credential.oidc_request_url = cfg.oidc_request_url;
  credential.job_token = cfg.job_token;
  credential.client_secret = cfg.connection.client_secret;
  credential.certificate_pem = cfg.connection.certificate_pem;
  credential.msi_client_id = cfg.connection.msi_client_id;
  // Managed identity: plain HTTP to 169.254.169.254 only, never through the proxy (net/imds_client.hpp);
  // its retries follow the IMDS guidance (auth/managed_identity.hpp), within the run's deadline.
  net::ImdsOptions imds_options;
  imds_options.stop = run_control.stop_flag();
  net::ImdsClient imds(imds_options);
  credential.imds.http = &imds;
  credential.imds.sleep = hooks.sleep;
  credential.imds.remaining = hooks.remaining;
  credential.imds.stopped = hooks.stopped;
  credential.imds.jitter = hooks.jitter;
  for (const auto& warning : auth::credential_warnings(credential)) {
    out.line(agent::log_issue(agent::IssueType::warning, warning));
  }
  if (cfg.mode == agent::Mode::diagnose) {
    return diagnose_run(out, cfg, run_control, http, vault_http, credential, register_secret, proxy_settings,
                        diagnose::facts(cfg, https_options.trust.environment, proxy_settings, destinations, process_env));
  }
  const std::string scope = cfg.connection.vault_resource + "/.default";
  auto token = auth::acquire_access_token_for(http, credential, scope, register_secret);
  if (!token) return fail(out, vault_name, agent::explain_stop(token.error(), run_control));

  // A 401 challenge (already checked to name the vault's own resource) asks for a token with another scope.
  const vault::TokenSource reacquire = [&](const std::string& challenge_scope) -> Expected<std::string> {
    auto fresh = auth::acquire_access_token_for(http, credential, challenge_scope, register_secret);
    if (!fresh) return fresh.error();
    return std::move(fresh->token);
  };

  vault::ClientOptions options;
  options.vault_url = cfg.vault_url();
  options.vault_name = vault_name;
  options.vault_dns_suffix = cfg.connection.vault_dns_suffix;
  options.concurrency = cfg.concurrency;
  options.worker_started = platform::lower_current_thread_priority;
  options.run = &run_control;
  options.now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  // read_task_config already made this plan once, so it cannot fail here (agent/secret_plan.hpp).
  auto planned = agent::SecretPlan::make(cfg.selection, cfg.variable_prefix);
  if (!planned) return fail(out, vault_name, planned.error());
  agent::SecretPlan& plan = *planned;
  if (plan.lists()) {
    out.line(agent::info("Downloading secrets using: " + vault::list_url(options.vault_url).str() + "."));
  }
  const auto started = std::chrono::steady_clock::now();

  // Each outcome is written the moment it arrives; the emitter and the writer are serialised together so
  // the multi-line switch always precedes the secret that needs it. The plan has a lock of its own: the
  // listing thread asks it about every listed name and must never wait behind workers writing their
  // lines (that wait was ~0.5 ms per page at 32 workers, on the run's critical path). Lock order:
  // emit_mutex, then plan_mutex.
  std::mutex emit_mutex;
  std::mutex plan_mutex;
  vault::EmitOptions emit_options;
  emit_options.vault_name = vault_name;
  emit_options.output_variables = cfg.output_variables;
  emit_options.missing_warn = cfg.missing == agent::MissingSecrets::warn;
  emit_options.destination = [&plan, &plan_mutex](const agent::SecretRef& ref) {
    std::lock_guard lock(plan_mutex);
    return plan.destination(ref);
  };
  emit_options.write_file = [&cfg](const std::string& relative, std::string_view bytes) {
    return platform::write_secret_file(cfg.temp_directory, relative, bytes);
  };
  vault::SecretEmitter emitter(std::move(emit_options));
  vault::FetchSource source;
  source.list = plan.lists();
  source.before = plan.before();
  source.take = [&](const std::string& name) {
    bool taken = false;
    {
      std::lock_guard lock(plan_mutex);
      taken = plan.take(name);
    }
    if (!taken) report().update([&](agent::RunRecord& r) { r.skipped.push_back({name, "not selected by the secrets filter"}); });
    return taken;
  };
  source.after = [&] {
    std::lock_guard lock(plan_mutex);
    return plan.after();
  };
  vault::DownloadHooks download_hooks;
  download_hooks.secret = [&](vault::SecretOutcome outcome) {
    std::lock_guard lock(emit_mutex);
    const bool early = outcome.value && outcome.not_before;
    const std::string name = outcome.ref.text();
    const auto lines = emitter.emit(std::move(outcome));
    out.lines(lines);
    report().update([&](agent::RunRecord& r) {
      for (const auto& line : lines) {
        if (auto variable = agent::variable_of_command(line)) agent::add_variable(r, std::move(*variable));
      }
      if (early) r.not_yet_valid.push_back(name);
    });
  };
  download_hooks.listed = [&](const vault::ListStats& stats) {
    std::lock_guard lock(emit_mutex);
    out.lines(vault::list_summary_lines(vault_name, stats));
    report().update([&](agent::RunRecord& r) {
      for (const auto& name : stats.disabled) r.skipped.push_back({name, "disabled"});
      for (const auto& name : stats.expired) r.skipped.push_back({name, "expired"});
    });
  };
  auto summary = vault::download_secrets(vault_http, options, source, token->token, reacquire, download_hooks);

  std::lock_guard lock(emit_mutex);  // every worker has been joined; this only orders the final lines
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.1f", seconds);
  out.line(agent::info("Downloaded " + std::to_string(emitter.secrets_set()) + " secrets in " + elapsed + " s."));
  if (summary.throttle.throttled > 0) {
    char paused[32];
    std::snprintf(paused, sizeof paused, "%.1f", static_cast<double>(summary.throttle.paused.count()) / 1000.0);
    out.line(agent::info("Key Vault throttled " + std::to_string(summary.throttle.throttled) +
                         " requests (HTTP 429): downloads paused for " + paused + " s in all, at most " +
                         std::to_string(summary.throttle.lowest_limit) + " at a time at the lowest."));
  }

  agent::RunResult result;
  result.secret_failures = emitter.failures();
  result.list_failure = std::move(summary.list_failure);
  result.stopped = std::move(summary.stopped);
  for (const auto& ref : summary.not_fetched) result.not_fetched.push_back(ref.text());
  result.secrets_set = emitter.secrets_set();
  result.conflicts = plan.conflicts();
  result.missing = emitter.missing();
  return finish(out, vault_name, result);
}

}  // namespace

int main(int argc, char** argv) {
#ifdef _WIN32
  // UTF-8 bytes as they are: no "\n" -> "\r\n" translation (the agent splits lines on either anyway).
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
#else
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout or socket must surface as an error, not kill us
#endif
  if (argc > 1) {
    const std::string_view arg = argv[1];
    if (argc == 2 && (arg == "--version" || arg == "-V")) {
      std::printf("federated-keyvault %s\n", FKV_VERSION);
      return 0;
    }
    std::fprintf(stderr, "usage: federated-keyvault [--version]\n"
                         "Reads its inputs from the Azure Pipelines agent's environment; takes no arguments.\n");
    return 2;
  }
  fkv::platform::disable_crash_dumps();
  fkv::platform::limit_malloc_arenas();  // before any thread starts
  fkv::net::init_openssl();
  Output out;
  int code = 1;
  try {
    code = run(out);
  } catch (const std::exception& e) {
    fkv::Error error;
    error.message = std::string("Internal error: ") + e.what();
    error.hint = "Run the job again; if it happens again, report it with this log at " FKV_ISSUES_URL ".";
    code = fail(out, "", error);
  }
  fkv::platform::mark_finished();
  return code;
}
