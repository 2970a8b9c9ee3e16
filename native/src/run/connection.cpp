#include "run/connection.hpp"

#include <algorithm>

#include "agent/environment.hpp"
#include "core/random.hpp"
#include "core/redaction.hpp"
#include "net/proxy.hpp"
#include "net/trust_store.hpp"

namespace fkv::run {
namespace {

bool federated(const agent::TaskConfig& cfg) { return cfg.connection.auth == AuthScheme::workload_identity_federation; }

agent::PhaseClassifier phases_of(const agent::TaskConfig& cfg) {
  return agent::PhaseClassifier{federated(cfg) ? cfg.oidc_request_url.host : std::string(),
                                cfg.connection.authority.host, cfg.vault_url().host};
}

net::ImdsOptions imds_options(const RunControl& run, const agent::TaskConfig& cfg) {
  net::ImdsOptions options;
  options.stop = run.stop_flag();
  options.user_agent = agent::user_agent(cfg.pipeline_ids);
  return options;
}

}  // namespace

Connection::Connection(const agent::TaskConfig& cfg, const RunControl& run)
    : destinations_(cfg.destinations()),
      meter_(phases_of(cfg)),
      imds_(imds_options(run, cfg)),
      credential_(agent::credential_of(cfg)) {}

Expected<std::unique_ptr<Connection>> Connection::open(const agent::TaskConfig& cfg, RunControl& run, LogWriter& log) {
  net::HttpsOptions https_options;
  https_options.trust = net::TrustSettings{cfg.network.trust, {}};
  // One connection more than GET workers: the list's page chain never waits for a connection.
  https_options.max_connections_per_host = cfg.concurrency + 1;
  https_options.stop = run.stop_flag();
  https_options.user_agent = agent::user_agent(cfg.pipeline_ids);
  if (auto warning = net::skip_validation_warning(cfg.network.trust)) log.warning(*warning);
  // Proxy (net/proxy.hpp): its password goes to the masker before anything about the proxy is printed.
  if (cfg.network.proxy_error) return *cfg.network.proxy_error;
  const net::ProxySettings& proxy = cfg.network.proxy;
  for (const auto& secret : proxy.secrets) log.set_secret(secret);
  for (const auto& warning : proxy.warnings) log.warning(warning);
  std::unique_ptr<Connection> c(new Connection(cfg, run));
  if (auto line = net::describe(proxy, c->destinations_)) log.info(*line);
  https_options.proxy = proxy;
  auto https = net::HttpsClient::create(https_options);
  if (!https) return https.error();
  c->https_ = std::move(*https);
  // Connection set-up leaves the critical path: while the token is being acquired, Entra's connection
  // (when the OIDC request comes first) and the vault's connections are opened in the background.
  if (federated(cfg)) c->https_->preconnect(cfg.connection.authority, 1, run.remaining());
  // Diagnose makes a few requests one after another: one connection serves them.
  const std::size_t vault_connections = cfg.mode == agent::Mode::diagnose ? 1
                                        : cfg.selection.all
                                            ? std::size_t{cfg.concurrency} + 1
                                            : std::min<std::size_t>(cfg.selection.names.size(), cfg.concurrency);
  c->https_->preconnect(cfg.vault_url(), vault_connections, run.remaining());

  // The pipeline (see connection.hpp for its order).
  net::RetryHooks hooks = net::RetryHooks::real();
  hooks.sleep = [&run](std::chrono::milliseconds delay) { run.sleep_for(delay); };
  hooks.remaining = [&run] { return run.remaining(); };
  hooks.stopped = [&run] { return run.cancelled(); };
  if (cfg.debug) {
    hooks.on_retry = [&log](const net::RetryEvent& e) {
      log.debug("Retrying " + e.method + " " + e.host + " after " + e.reason + " (attempt " +
                std::to_string(e.failed_attempt) + "), waiting " + std::to_string(e.delay.count()) + " ms.");
    };
  }
  using Layer = agent::MeteredClient::Layer;
  c->request_ids_.emplace(*c->https_, cfg.connection.authority.host, [] { return net::guid_from_hex(random_hex(16)); });
  c->attempts_.emplace(*c->request_ids_, c->meter_, Layer::attempts);
  c->http_retrying_.emplace(*c->attempts_, net::RetryPolicy{}, hooks);
  c->http_.emplace(*c->http_retrying_, c->meter_, Layer::calls);
  net::RetryPolicy vault_policy;
  vault_policy.retry_throttled = false;
  c->vault_retrying_.emplace(*c->attempts_, vault_policy, hooks);
  c->vault_http_.emplace(*c->vault_retrying_, c->meter_, Layer::calls);

  c->imds_attempts_.emplace(c->imds_, c->meter_, Layer::attempts);
  c->imds_retrying_.emplace(*c->imds_attempts_, net::imds_retry_policy(), hooks);
  c->imds_http_.emplace(*c->imds_retrying_, c->meter_, Layer::calls);
  return c;
}

}  // namespace fkv::run
