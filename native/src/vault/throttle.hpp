// One throttle controller for every Key Vault request of a run (issue 9).
//
// Key Vault admits about 4000 secret GETs per 10 s per vault and answers the rest 429, with or without
// Retry-After. Retrying each refused request on its own (16-32 workers, each with its own backoff) spends
// the retries inside the same window and loses secrets. Instead:
// - A 429 (or a 503 with a server delay) pauses the whole pool: no vault request starts until the pause
//   ends. The pause is the server's delay (capped at max_server_delay). Without one (and a zero delay or a
//   Retry-After date that is not in the future is none: net/retry.hpp), nothing says when the
//   window frees again, so the pauses are short (0.5, 1, 1, ... s for consecutive pauses) and each ends
//   with a single probe: one GET at a time until one succeeds, so a window that is still closed costs one
//   429 per pause instead of one per worker (about ten in a 10 s window), and the run resumes at most
//   ~1 s after the window frees (with a 2 s cap the benchmark's limit cell overshot by up to 2 s,
//   1.09x-1.23x its floor depending on where the probes fell). One probe is also placed where the window
//   is expected to free: Key Vault's limits are per 10 s, so what a burst used is free again `window`
//   after the burst's first success at the latest (a pause is only ever shortened by this; a probe that
//   comes too early costs one 429 and the backoff goes on). Answers that were already in flight when a pause began
//   (throttled too, as a rule) neither extend nor escalate it, and successes that arrive during a pause
//   neither end it nor its probing.
// - The concurrency limit is halved (at most once per pause) and grows back by one after `limit`
//   successes in a row (AIMD), up to max_concurrency.
// - List pages ride a lane of their own: they wait for pauses but not for the GET limit, so the page chain
//   is never queued behind GETs.
// - Throttled answers are retried here, not by the failure retry policy (net/retry.hpp), so they do not
//   use up the attempts meant for failures. Everything stays inside the run's deadline (RunControl).
// The decisions are pure (ThrottleState, on_throttled, on_success), table-tested; Throttle adds the waiting.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>

#include "core/run_control.hpp"

namespace fkv::vault {

struct ThrottleSettings {
  unsigned max_concurrency = 32;
  unsigned min_concurrency = 2;
  std::chrono::milliseconds max_server_delay{60'000};
  std::chrono::milliseconds first_backoff{500};  // without a server delay: 0.5, 1, 1, ... s
  std::chrono::milliseconds max_backoff{1'000};
  std::chrono::milliseconds window{10'000};  // Key Vault's limit window
};

struct ThrottleState {
  using Clock = std::chrono::steady_clock;
  unsigned limit = 32;               // GETs that may be in flight
  unsigned successes = 0;            // in a row, since the last change of `limit`
  unsigned consecutive_pauses = 0;   // pauses since the last success
  bool probing = false;              // after a pause without a server delay: one GET until a success
  Clock::time_point paused_until{};  // no request starts before this
  bool decreased_this_pause = false;
  // A burst: the successes since a pause ended (or since the start). Its window frees `window` after
  // its first success; the last burst is kept through the pauses that follow it.
  bool burst_open = false;  // a success since the last pause began
  std::optional<Clock::time_point> burst_began;
};

// Pure transitions.
ThrottleState on_throttled(ThrottleState state, ThrottleState::Clock::time_point now,
                           std::optional<std::chrono::milliseconds> server_delay, const ThrottleSettings& settings);
ThrottleState on_success(ThrottleState state, ThrottleState::Clock::time_point now, const ThrottleSettings& settings);

enum class Lane { list, get };

struct ThrottleStats {
  std::size_t throttled = 0;            // throttled answers (429, or 503 with a delay)
  std::chrono::milliseconds paused{0};  // wall time during which the pool was paused
  unsigned lowest_limit = 0;
};

class Throttle {
 public:
  using Clock = ThrottleState::Clock;
  explicit Throttle(ThrottleSettings settings = {}, const RunControl* run = nullptr,
                    std::function<Clock::time_point()> now = nullptr);

  // Waits until a request of `lane` may start. False when the run stopped (cancelled, deadline) first.
  bool acquire(Lane lane);
  // After the request's answer. `throttled` with the server's delay, if it gave one.
  void release(Lane lane, bool throttled, std::optional<std::chrono::milliseconds> server_delay);

  ThrottleStats stats() const;

 private:
  Clock::time_point now() const { return now_ ? now_() : Clock::now(); }

  ThrottleSettings settings_;
  const RunControl* run_;
  std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  ThrottleState state_;
  unsigned in_flight_ = 0;
  ThrottleStats stats_;
  Clock::time_point counted_pause_until_{};  // pause time already added to stats_
};

}  // namespace fkv::vault
