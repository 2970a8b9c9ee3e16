// Retry policy for the HTTP seam. Pure: every input (attempt number, outcome, clock, jitter) is a
// parameter, so the decisions are table-tested without sockets or sleeping.
//
// What is retried:
// - transport errors that may be transient: connect, reset, timeout, resolve_failed. Not
//   resolve_not_found (the name does not exist), tls (verification will fail again), protocol
//   or refused (our own decision).
// - HTTP 408, 429, 500, 502, 503, 504. Never any other status (400, 401, 403, 404, ...).
// All methods are retried, POST included: the only POSTs the task sends are the Azure DevOps OIDC
// request and the Entra token request, which create nothing and may be repeated safely.
//
// How long to wait before attempt n+1 (after attempt n failed, n >= 1):
// - the server's delay when it gave one: `retry-after-ms`, then `x-ms-retry-after-ms` (ms), then
//   `Retry-After` (delta seconds, or an HTTP-date relative to `now`), capped at max_server_delay;
// - otherwise exponential backoff base_delay * 2^(n-1), scaled by a jitter factor in [0.8, 1.3),
//   capped at max_backoff.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "net/http.hpp"

namespace fkv::net {

struct RetryPolicy {
  int max_attempts = 4;  // total, first attempt included
  // false: throttled answers (is_throttled) are returned at once, for a caller that paces them itself
  // (the Key Vault client's throttle controller, vault/throttle.hpp).
  bool retry_throttled = true;
  std::chrono::milliseconds base_delay{800};
  std::chrono::milliseconds max_backoff{10'000};       // cap of one computed wait
  std::chrono::milliseconds max_server_delay{60'000};  // cap of one server-requested wait
  // Beyond the statuses above: more statuses that are transient for this service (IMDS: 404 while an
  // identity is attached, 410 while IMDS updates), and every 5xx instead of 500/502/503/504.
  std::vector<int> also_retry_statuses = {};
  bool retry_every_5xx = false;
  // false: a transport failure before a connection existed (connect, resolve_failed, a connect-phase
  // timeout) is final: nothing answers there (IMDS on a machine that is not an Azure VM).
  bool retry_unconnected = true;
};

// The policy for the Azure Instance Metadata Service (IMDS guidance): 404, 410, 429 and every 5xx, at
// most 5 attempts, backoff 500 ms * 2^(n-1) capped at 4 s, a server's Retry-After capped at 10 s, and an
// IMDS that cannot be connected to is not retried.
RetryPolicy imds_retry_policy();

// True when the outcome is one of the transient failures listed above (for `policy`; the one-argument
// form uses the default policy).
bool is_retryable(const Outcome& outcome);
bool is_retryable(const RetryPolicy& policy, const Outcome& outcome);

// The delay the server asked for, if any (see above for header precedence). Unparseable values
// are ignored, and so are a zero delay and a date that is not in the future: they are "no delay given"
// (the caller's own backoff or, for Key Vault, the throttle controller's pause and probe). Not capped.
std::optional<std::chrono::milliseconds> server_retry_delay(const Response& response,
                                                            std::chrono::system_clock::time_point now);

// A throttling answer: 429, or 503 with a server delay (Key Vault's and Azure's "come back later").
bool is_throttled(const Response& response, std::chrono::system_clock::time_point now);

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the form RFC 9110 requires senders to use.
// Years outside 1900-2200 are rejected (the clock cannot hold every 4-digit year).
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

// How long to wait before the next attempt, or nullopt for "do not retry".
// `attempt` is the number of the attempt that produced `outcome` (1 for the first).
// `jitter` is a uniform random value in [0, 1), injected so tests are deterministic.
std::optional<std::chrono::milliseconds> retry_delay(const RetryPolicy& policy, int attempt, const Outcome& outcome,
                                                     std::chrono::system_clock::time_point now, double jitter);

}  // namespace fkv::net
