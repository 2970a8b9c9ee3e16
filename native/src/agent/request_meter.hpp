// Counting requests per phase of the run for the run summary (issue 12): an HttpClient decorator used
// twice around the retrying client, so both the requests callers make and the attempts actually sent are
// seen. Holds no request data: only the phase, counts, 429s and times.
//
//   MeterStats stats(classifier);
//   MeteredClient attempts(https, stats, MeteredClient::Layer::attempts);   // below RetryingClient
//   RetryingClient retrying(attempts, ...);
//   MeteredClient calls(retrying, stats, MeteredClient::Layer::calls);       // what the callers use
//
// A phase's time runs from the start of its first call to the end of its last one (wall clock; the
// downloads' requests overlap). Retries = attempts - calls (Key Vault's 429s are re-sent by the vault
// client's throttle controller, above the meter: they count as calls and as 429 answers).
// Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "agent/run_summary.hpp"
#include "net/http.hpp"

namespace fkv::agent {

enum class RequestPhase { imds, oidc, entra, listing, downloads, other };
inline constexpr std::size_t kRequestPhases = 6;
// "Managed identity token", "OIDC token", "Entra token exchange", "Listing", "Downloads", "Other"
const char* to_string(RequestPhase phase);

// The phase of a request by its host and path: IMDS (169.254.169.254), the OIDC host, the authority's
// host, the vault's host (GET /secrets is the listing, anything below /secrets/ a download). Pure.
struct PhaseClassifier {
  std::string oidc_host;
  std::string authority_host;
  std::string vault_host;
  RequestPhase operator()(const net::Request& request) const;
};

class MeterStats {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit MeterStats(
      PhaseClassifier classify, Clock now = [] { return std::chrono::steady_clock::now(); })
      : classify_(std::move(classify)), now_(std::move(now)) {}

  // The phases that saw a request, in the order of RequestPhase.
  std::vector<SummaryPhase> phases() const;

 private:
  friend class MeteredClient;
  struct Counts {
    std::size_t calls = 0, attempts = 0, throttled = 0;
    bool started = false;
    std::chrono::steady_clock::time_point first{}, last{};
  };
  PhaseClassifier classify_;
  Clock now_;
  mutable std::mutex mutex_;
  std::array<Counts, kRequestPhases> counts_{};
};

class MeteredClient : public net::HttpClient {
 public:
  enum class Layer { calls, attempts };
  MeteredClient(net::HttpClient& inner, MeterStats& stats, Layer layer) : inner_(inner), stats_(stats), layer_(layer) {}
  net::Outcome send(const net::Request& request) override;

 private:
  net::HttpClient& inner_;
  MeterStats& stats_;
  Layer layer_;
};

}  // namespace fkv::agent
