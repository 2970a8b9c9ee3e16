// Waiting for a new role assignment (issue 19, item 5): AccessWaitSeconds.
//
// Infrastructure pipelines create a vault and a role assignment (or access policy), then read the vault in the
// next step; Azure RBAC takes minutes to apply and Key Vault answers 403 meanwhile. With AccessWaitSeconds = N
// (0: off), a list page or GET answered 403 ForbiddenByRbac or 403 AccessDenied (an access policy) is sent again
// after growing pauses (1, 2, 4, 8, 8, ... s) until it succeeds or N seconds have passed since the run's FIRST
// such 403 (one window for the whole run, not one per request). Never for other answers: firewall and private
// link refusals (ForbiddenByFirewall, ForbiddenByConnection), a disabled secret, 401, 404 are final at once. A
// pause never reaches into the last `deadline_margin` of the run (TimeoutSeconds), so the answer that ends the
// waiting is the 403 itself, with its message. Each request waits on its own thread: other requests go on.
// The decisions are pure (on_denied, table-tested on an injected clock); AccessWait adds the lock.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string_view>

#include "net/http.hpp"

namespace fkv::vault {

// "ForbiddenByRbac" or "AccessDenied" for a 403 with that innererror.code (a refusal a recent role assignment or
// access policy could lift); nullopt for every other answer.
std::optional<std::string_view> access_denial(const net::Response& response);

struct AccessWaitSettings {
  std::chrono::seconds wait{0};  // AccessWaitSeconds; 0 turns waiting off
  std::chrono::milliseconds first_pause{1'000};
  std::chrono::milliseconds max_pause{8'000};
  std::chrono::milliseconds deadline_margin{2'000};  // left for the last attempt before TimeoutSeconds
};

struct AccessWaitState {
  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> first_denied;  // the run's first access-denied answer
  bool announced = false;                         // the log line was asked for
};

struct AccessWaitDecision {
  std::optional<std::chrono::milliseconds> pause;  // wait this long and send again; nullopt: the 403 is final
  bool announce = false;                           // the first pause of the run: say so in the log, once
};

// A request answered access-denied at `now`, after `retries` earlier pauses of its own; `remaining` is what is
// left of the run (TimeoutSeconds), nullopt when unbounded.
AccessWaitDecision on_denied(AccessWaitState& state, AccessWaitState::Clock::time_point now, unsigned retries,
                             std::optional<std::chrono::milliseconds> remaining, const AccessWaitSettings& settings);

// The run-wide window, shared by the listing thread and the GET workers.
class AccessWait {
 public:
  using Clock = AccessWaitState::Clock;
  explicit AccessWait(AccessWaitSettings settings) : settings_(settings) {}
  bool enabled() const { return settings_.wait.count() > 0; }
  AccessWaitDecision denied(Clock::time_point now, unsigned retries,
                            std::optional<std::chrono::milliseconds> remaining) {
    std::lock_guard lock(mutex_);
    return on_denied(state_, now, retries, remaining, settings_);
  }

 private:
  AccessWaitSettings settings_;
  std::mutex mutex_;
  AccessWaitState state_;
};

}  // namespace fkv::vault
