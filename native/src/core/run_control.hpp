// RunControl: the run-wide time budget and cancellation, shared by every part of the run.
//
// Contract:
// - One deadline for the whole run (TimeoutSeconds). remaining() is what is left of it; callers cap
//   each request's timeout and each retry wait by it, so nothing outlasts the run.
// - cancel() records that the run must stop (SIGTERM/SIGINT, console close). It only stores lock-free
//   atomics, so a signal handler may call it. The flag returned by stop_flag() becomes true at the same
//   moment; the HTTPS client watches it and aborts requests in flight.
// - sleep_for() waits in short slices and returns early (false) once the run is cancelled or the deadline
//   has passed, so a retry wait never delays a cancellation.
// The clock is injectable for tests.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace fkv {

class RunControl {
 public:
  using Clock = std::chrono::steady_clock;

  // A run that must end `budget` after `start`.
  RunControl(std::chrono::seconds budget, Clock::time_point start = Clock::now(),
             std::function<Clock::time_point()> now = nullptr);

  void cancel(int signal_number) noexcept;  // signal-safe
  bool cancelled() const noexcept { return stop_->load(std::memory_order_relaxed); }
  int cancel_signal() const noexcept { return signal_.load(std::memory_order_relaxed); }

  bool expired() const { return now() >= deadline_; }
  bool should_stop() const { return cancelled() || expired(); }
  std::chrono::milliseconds remaining() const;  // 0 once the deadline has passed
  std::chrono::seconds budget() const { return budget_; }
  Clock::time_point deadline() const { return deadline_; }

  std::shared_ptr<const std::atomic<bool>> stop_flag() const { return stop_; }

  // Waits `delay`, or less when the run is cancelled or its deadline comes first; false if cut short.
  bool sleep_for(std::chrono::milliseconds delay) const;

 private:
  Clock::time_point now() const { return now_ ? now_() : Clock::now(); }

  std::chrono::seconds budget_;
  Clock::time_point deadline_;
  std::function<Clock::time_point()> now_;
  std::shared_ptr<std::atomic<bool>> stop_ = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> signal_{0};
};

// "SIGTERM", "SIGINT", "console close", ... for the cancelled message.
const char* signal_name(int signal_number);

}  // namespace fkv
