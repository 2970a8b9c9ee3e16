// RetryingClient: an HttpClient decorator that re-sends a request while the retry policy says so
// (see net/retry.hpp for what is retried and how long it waits).
//
// Sleeping, the wall clock and the jitter source are injected, so tests run with FakeHttpClient and
// no real waiting.
//
// Run-wide bounds (both optional): `remaining` is what is left of the run's deadline. Each attempt's
// Request::timeout is capped by it; no attempt starts once it is zero (Kind::timeout, nothing sent), and
// a retry whose wait would not end before the deadline is not made (the last outcome is returned). When
// `stopped` says the run was cancelled, no further attempt starts (Kind::cancelled). The optional `on_retry` callback reports each retry for a debug line; the event
// holds no header, body or query string (those may carry tokens), only the method and host.
// Thread-safe when the wrapped client and the hooks are (RetryHooks::real() is).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "net/http.hpp"
#include "net/retry.hpp"

namespace fkv::net {

struct RetryEvent {
  std::string method;
  std::string host;                    // Url::authority() of the request
  int failed_attempt = 0;              // 1 for the first attempt
  std::string reason;                  // "HTTP 503" or a transport error kind, e.g. "timed out"
  std::chrono::milliseconds delay{0};  // the wait before the next attempt
};

struct RetryHooks {
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::chrono::system_clock::time_point()> now;
  std::function<double()> jitter;                        // uniform in [0, 1)
  std::function<void(const RetryEvent&)> on_retry;       // optional
  std::function<std::chrono::milliseconds()> remaining;  // optional: time left in the run
  std::function<bool()> stopped;                         // optional: the run was cancelled

  // this_thread::sleep_for, system_clock::now and a per-thread pseudo-random generator; no on_retry.
  static RetryHooks real();
};

class RetryingClient : public HttpClient {
 public:
  RetryingClient(HttpClient& inner, RetryPolicy policy = {}, RetryHooks hooks = RetryHooks::real());

  Outcome send(const Request& request) override;

 private:
  HttpClient& inner_;
  RetryPolicy policy_;
  RetryHooks hooks_;
};

}  // namespace fkv::net
