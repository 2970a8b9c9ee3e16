#include "vault/throttle.hpp"

#include <algorithm>

namespace fkv::vault {

using std::chrono::milliseconds;

ThrottleState on_throttled(ThrottleState state, ThrottleState::Clock::time_point now,
                           std::optional<milliseconds> server_delay, const ThrottleSettings& settings) {
  // A zero (or negative) server delay is no delay given: the controller's own pause and probe, not a hot loop.
  if (server_delay && *server_delay <= milliseconds{0}) server_delay.reset();
  state.successes = 0;
  const bool new_pause = now >= state.paused_until;
  if (!new_pause && !server_delay) return state;  // in flight before this pause began: it says nothing new
  milliseconds delay;
  if (server_delay) {
    delay = std::min(*server_delay, settings.max_server_delay);
  } else {
    const unsigned doublings = std::min(state.consecutive_pauses, 10u);
    delay = std::min(settings.first_backoff * (1u << doublings), settings.max_backoff);
    // The probe goes no later than when the burst's window is expected to free.
    if (new_pause && state.burst_began && *state.burst_began + settings.window > now) {
      delay = std::min(delay, std::chrono::duration_cast<milliseconds>(*state.burst_began + settings.window - now));
    }
  }
  if (new_pause) {
    state.burst_open = false;
    state.decreased_this_pause = false;
    ++state.consecutive_pauses;
    state.probing = !server_delay;
  } else if (server_delay) {
    state.probing = false;  // the server said when: everyone may go then
  }
  state.paused_until = std::max(state.paused_until, now + delay);
  if (!state.decreased_this_pause) {
    state.limit = std::max(settings.min_concurrency, state.limit / 2);
    state.decreased_this_pause = true;
  }
  return state;
}

ThrottleState on_success(ThrottleState state, ThrottleState::Clock::time_point now, const ThrottleSettings& settings) {
  // An answer that arrives during a pause was sent before it began: like a throttled one in flight,
  // it says nothing about the window now (and must not end the probing that follows the pause).
  if (now < state.paused_until) return state;
  if (!state.burst_open) {
    state.burst_open = true;
    state.burst_began = now;
  }
  state.consecutive_pauses = 0;
  state.probing = false;
  if (++state.successes >= state.limit) {
    state.limit = std::min(settings.max_concurrency, state.limit + 1);
    state.successes = 0;
  }
  return state;
}

Throttle::Throttle(ThrottleSettings settings, const RunControl* run, std::function<Clock::time_point()> now)
    : settings_(settings), run_(run), now_(std::move(now)) {
  state_.limit = std::max(settings_.min_concurrency, settings_.max_concurrency);
  stats_.lowest_limit = state_.limit;
}

bool Throttle::acquire(Lane lane) {
  constexpr milliseconds slice{20};  // how soon a cancellation is seen while waiting
  std::unique_lock lock(mutex_);
  for (;;) {
    if (run_ && run_->should_stop()) return false;
    const auto current = now();
    const bool paused = current < state_.paused_until;
    const bool room = lane == Lane::list || in_flight_ < (state_.probing ? 1u : state_.limit);
    if (!paused && room) {
      if (lane == Lane::get) ++in_flight_;
      return true;
    }
    auto wake = current + slice;
    if (paused) wake = std::min(wake, state_.paused_until);
    changed_.wait_until(lock, wake);
  }
}

void Throttle::release(Lane lane, bool throttled, std::optional<milliseconds> server_delay) {
  std::lock_guard lock(mutex_);
  if (lane == Lane::get && in_flight_ > 0) --in_flight_;
  if (throttled) {
    const auto current = now();
    state_ = on_throttled(state_, current, server_delay, settings_);
    ++stats_.throttled;
    // Pause time, counted once for overlapping pauses.
    const auto from = std::max(current, counted_pause_until_);
    if (state_.paused_until > from) {
      stats_.paused += std::chrono::duration_cast<milliseconds>(state_.paused_until - from);
      counted_pause_until_ = state_.paused_until;
    }
    stats_.lowest_limit = std::min(stats_.lowest_limit, state_.limit);
  } else {
    state_ = on_success(state_, now(), settings_);
  }
  changed_.notify_all();
}

ThrottleStats Throttle::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace fkv::vault
