// Everything a run talks to the network with, made once from the configuration: the HTTPS transport
// (trust, proxy, pre-connections), the request meter behind the run summary, the HTTP pipeline of
// decorators, the IMDS client and the service connection's credential. The download (run/download.hpp)
// and diagnose mode (diagnose/checks.hpp) both use it.
//
// The HTTP pipeline, in the order a request passes it (stated here and nowhere else):
//   http        calls meter -> RetryingClient (RetryPolicy{}) -> attempts meter -> HttpsClient
//   vault_http  calls meter -> RetryingClient (no throttle retries) -> attempts meter -> HttpsClient
//   imds_http   calls meter -> RetryingClient (net::imds_retry_policy()) -> attempts meter -> ImdsClient
//               (managed identity: plain HTTP to 169.254.169.254 only, never through the proxy)
// The calls meter counts requests, the attempts meter every attempt (agent/request_meter.hpp). Key Vault's
// 429s are left to the vault client's throttle controller (vault/throttle.hpp), so vault_http does not
// retry them. Retries wait on the run's clock: they never outlast the deadline and stop on cancellation.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "agent/request_meter.hpp"
#include "agent/task_config.hpp"
#include "auth/credential.hpp"
#include "core/expected.hpp"
#include "core/run_control.hpp"
#include "net/https_client.hpp"
#include "net/imds_client.hpp"
#include "net/retrying_client.hpp"
#include "run/log_writer.hpp"

namespace fkv::run {

class Connection {
 public:
  // Prints the trust warning, registers the proxy password, prints the proxy's warnings and the line saying
  // which proxy is used, then opens the transport and starts the pre-connections. An Error (an unusable
  // proxy, a client that cannot start) ends the run.
  static Expected<std::unique_ptr<Connection>> open(const agent::TaskConfig& cfg, RunControl& run, LogWriter& log);

  net::HttpClient& http() { return *http_; }
  net::HttpClient& vault_http() { return *vault_http_; }
  // What the credential acquires tokens through (auth/credential.hpp).
  auth::TokenClients token_clients() { return auth::TokenClients{*http_, &*imds_http_}; }
  const agent::MeterStats& meter() const { return meter_; }
  const auth::Credential& credential() const { return credential_; }
  // The hosts the run reaches (OIDC, Entra, the vault), for the proxy line and diagnose's facts.
  const std::vector<net::Url>& destinations() const { return destinations_; }

 private:
  Connection(const agent::TaskConfig& cfg, const RunControl& run);

  std::vector<net::Url> destinations_;
  agent::MeterStats meter_;
  std::unique_ptr<net::HttpsClient> https_;
  std::optional<agent::MeteredClient> attempts_;
  std::optional<net::RetryingClient> http_retrying_, vault_retrying_;
  std::optional<agent::MeteredClient> http_, vault_http_;
  net::ImdsClient imds_;
  std::optional<agent::MeteredClient> imds_attempts_;
  std::optional<net::RetryingClient> imds_retrying_;
  std::optional<agent::MeteredClient> imds_http_;
  auth::Credential credential_;
};

// The hosts a run with this configuration reaches, in the order it reaches them.
std::vector<net::Url> destinations(const agent::TaskConfig& cfg);

}  // namespace fkv::run
