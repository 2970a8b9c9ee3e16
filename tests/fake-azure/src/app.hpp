// The whole fake behind one call: handle(request) -> response. Routes by Host, applies scenario
// faults and latency, and classifies the credential each request carried (for the request log).
// Thread-safe; owns the mutable state.
#pragma once
#include "crypto.hpp"
#include "http_types.hpp"
#include "scenario.hpp"
#include "services.hpp"
#include "state.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace fake {

class App {
 public:
  explicit App(Scenario scenario, std::function<std::int64_t()> now_ms = {});
  // The answer, with what the request log records of the request (token class; User-Agent and request ids).
  HttpResponse handle(const HttpRequest& req);

  // What to do with a new connection once its TLS ClientHello named `sni` ("" without SNI): the
  // "stall": "accept" rules match by host only and count connections.
  struct ConnectionPlan {
    bool stall = false;  // true: never complete the handshake; hold for hold_ms
    int hold_ms = 0;
    std::string fault;  // "faults[i]"
  };
  ConnectionPlan on_connection(const std::string& sni);

  const Scenario& scenario() const { return scenario_; }
  const Rs256Key& key() const { return *key_; }
  Services& services() { return services_; }
  // "none", "job", "oidc", "access:<id>" or "unknown" for the Authorization header of a request.
  std::string classify_token(const HttpRequest& req) const;

 private:
  HttpResponse answer(const HttpRequest& req);
  Scenario scenario_;
  std::unique_ptr<Rs256Key> key_;
  TokenRegistry tokens_;
  RateWindows rates_;
  Counters fault_counters_;
  Counters imds_calls_;
  FirstTimes first_refusals_;
  Services services_;
};

struct LogEntry {
  std::uint64_t seq = 0, connection = 0;
  std::string method, host, target;
  int status = 0;                   // 0 when the connection was reset instead of answered
  double start_ms = 0, end_ms = 0;  // monotonic, since the fake started
  std::int64_t epoch_ms = 0;        // wall clock at start
  LogInfo info;
};
std::string format_log_line(const LogEntry& e);  // one JSON object, no newline

}  // namespace fake
