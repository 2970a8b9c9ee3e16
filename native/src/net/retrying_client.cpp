#include "net/retrying_client.hpp"

#include <algorithm>
#include <functional>
#include <random>
#include <thread>

namespace fkv::net {
namespace {

std::string describe(const Outcome& outcome) {
  if (const auto* response = std::get_if<Response>(&outcome)) return "HTTP " + std::to_string(response->status);
  return to_string(std::get<TransportError>(outcome).kind);
}

double thread_jitter() {
  thread_local std::minstd_rand generator(static_cast<std::minstd_rand::result_type>(
      std::chrono::steady_clock::now().time_since_epoch().count() ^
      static_cast<long long>(std::hash<std::thread::id>{}(std::this_thread::get_id()))));
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

}  // namespace

RetryHooks RetryHooks::real() {
  RetryHooks hooks;
  hooks.sleep = [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); };
  hooks.now = [] { return std::chrono::system_clock::now(); };
  hooks.jitter = thread_jitter;
  return hooks;
}

RetryingClient::RetryingClient(HttpClient& inner, RetryPolicy policy, RetryHooks hooks)
    : inner_(inner), policy_(policy), hooks_(std::move(hooks)) {
  const RetryHooks defaults = RetryHooks::real();
  if (!hooks_.sleep) hooks_.sleep = defaults.sleep;
  if (!hooks_.now) hooks_.now = defaults.now;
  if (!hooks_.jitter) hooks_.jitter = defaults.jitter;
}

namespace {
constexpr std::chrono::milliseconds kMinAttemptTime{500};
}  // namespace

Outcome RetryingClient::send(const Request& request) {
  Request bounded = request;
  for (int attempt = 1;; ++attempt) {
    if (hooks_.stopped && hooks_.stopped()) {
      return TransportError{TransportError::Kind::cancelled,
                            "the run was cancelled before the request to " + request.url.authority() + " was sent",
                            TransportError::Phase::none};
    }
    if (hooks_.remaining) {
      const auto left = hooks_.remaining();
      if (left <= std::chrono::milliseconds{0}) {
        return TransportError{TransportError::Kind::timeout,
                              "the run's time limit was reached before the request to " + request.url.authority() +
                                  " was sent",
                              TransportError::Phase::none};
      }
      bounded.timeout = std::min(request.timeout, left);
    }
    Outcome outcome = inner_.send(bounded);
    const auto delay = retry_delay(policy_, attempt, outcome, hooks_.now(), hooks_.jitter());
    if (!delay) return outcome;
    // No retry that would start with less than kMinAttemptTime left: it could only fail in its first
    // phase and hide the real failure (e.g. "name resolution did not finish within 0 s").
    if (hooks_.remaining && *delay + kMinAttemptTime >= hooks_.remaining()) return outcome;
    if (hooks_.on_retry) {
      hooks_.on_retry(RetryEvent{request.method, request.url.authority(), attempt, describe(outcome), *delay});
    }
    hooks_.sleep(*delay);
  }
}

}  // namespace fkv::net
