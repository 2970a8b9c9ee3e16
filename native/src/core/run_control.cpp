#include "core/run_control.hpp"

#include <algorithm>
#include <csignal>
#include <thread>

namespace fkv {

static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "cancel() is called from signal handlers");

RunControl::RunControl(std::chrono::seconds budget, Clock::time_point start, std::function<Clock::time_point()> now)
    : budget_(budget), deadline_(start + budget), now_(std::move(now)) {}

void RunControl::cancel(int signal_number) noexcept {
  int expected = 0;
  signal_.compare_exchange_strong(expected, signal_number, std::memory_order_relaxed);
  stop_->store(true, std::memory_order_relaxed);
}

std::chrono::milliseconds RunControl::remaining() const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - now());
  return std::max(left, std::chrono::milliseconds{0});
}

bool RunControl::sleep_for(std::chrono::milliseconds delay) const {
  constexpr std::chrono::milliseconds slice{20};
  const auto until = now() + delay;
  while (true) {
    if (cancelled()) return false;
    const auto current = now();
    if (current >= until) return true;
    if (current >= deadline_) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(std::min(until, deadline_) - current);
    std::this_thread::sleep_for(std::min(slice, left + std::chrono::milliseconds{1}));
  }
}

const char* signal_name(int signal_number) {
  switch (signal_number) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
#ifdef SIGHUP
    case SIGHUP: return "SIGHUP";
#endif
#ifdef SIGBREAK
    case SIGBREAK: return "Ctrl-Break";
#endif
    case -1: return "console close";
    default: return "a signal";
  }
}

}  // namespace fkv
