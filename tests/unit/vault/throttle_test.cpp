#include "vault/throttle.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using namespace fkv::vault;
using Clock = ThrottleState::Clock;

TEST_CASE("on_throttled: the server's delay, else 0.5-1-1 s and a probe; the limit halves once per pause") {
  const ThrottleSettings settings;  // 32 max, 2 min, 60 s server cap, 0.5 s first backoff, 1 s cap
  const Clock::time_point t0{std::chrono::hours{1}};
  ThrottleState s;
  s.limit = 32;
  s = on_throttled(s, t0, std::nullopt, settings);
  CHECK(s.paused_until == t0 + 500ms);
  CHECK(s.limit == 16);
  CHECK(s.probing);
  CHECK(s.consecutive_pauses == 1);
  s = on_throttled(s, t0 + 100ms, std::nullopt, settings);  // in flight before the pause: nothing changes
  CHECK(s.paused_until == t0 + 500ms);
  CHECK(s.limit == 16);
  CHECK(s.consecutive_pauses == 1);
  s = on_throttled(s, t0 + 600ms, std::nullopt, settings);  // the probe was refused: a new, longer pause
  CHECK(s.paused_until == t0 + 600ms + 1s);
  CHECK(s.limit == 8);
  s = on_throttled(s, t0 + 2s, std::nullopt, settings);
  CHECK(s.paused_until == t0 + 2s + 1s);
  CHECK(s.limit == 4);
  struct Row {
    unsigned pauses;
    std::chrono::milliseconds pause;
  };
  for (const Row row : {Row{0, 500ms}, Row{1, 1s}, Row{2, 1s}, Row{3, 1s}, Row{20, 1s}}) {
    CAPTURE(row.pauses);
    ThrottleState r;
    r.consecutive_pauses = row.pauses;
    CHECK(on_throttled(r, t0, std::nullopt, settings).paused_until == t0 + row.pause);
  }
  // The pauses double up to the cap, whatever it is set to.
  ThrottleSettings wider = settings;
  wider.max_backoff = 4s;
  for (const Row row : {Row{0, 500ms}, Row{1, 1s}, Row{2, 2s}, Row{3, 4s}, Row{4, 4s}, Row{40, 4s}}) {
    CAPTURE(row.pauses);
    ThrottleState r;
    r.consecutive_pauses = row.pauses;
    CHECK(on_throttled(r, t0, std::nullopt, wider).paused_until == t0 + row.pause);
  }
  // With the server's delay there is no probe: everyone may go when it ends.
  CHECK_FALSE(on_throttled(ThrottleState{}, t0, 1s, settings).probing);
  CHECK_FALSE(on_throttled(on_throttled(ThrottleState{}, t0, std::nullopt, settings), t0 + 10ms, 1s, settings).probing);
  // The server's delay wins, capped; a pause never shortens an earlier, longer one.
  ThrottleState r;
  CHECK(on_throttled(r, t0, 2500ms, settings).paused_until == t0 + 2500ms);
  CHECK(on_throttled(r, t0, 10min, settings).paused_until == t0 + 60s);
  r.paused_until = t0 + 30s;
  CHECK(on_throttled(r, t0, 1s, settings).paused_until == t0 + 30s);
  // Never below the minimum.
  ThrottleState low;
  low.limit = 3;
  CHECK(on_throttled(low, t0, 1s, settings).limit == 2);
  low.limit = 2;
  CHECK(on_throttled(low, t0, 1s, settings).limit == 2);
}

TEST_CASE("on_throttled: a zero server delay (Retry-After: 0) is no delay: the controller's pause and probe") {
  const ThrottleSettings settings;
  const Clock::time_point t0{std::chrono::hours{1}};
  for (auto zero : {0ms, -5ms}) {
    const ThrottleState s = on_throttled(ThrottleState{}, t0, zero, settings);
    CHECK(s.paused_until == on_throttled(ThrottleState{}, t0, std::nullopt, settings).paused_until);
    CHECK(s.paused_until == t0 + 500ms);
    CHECK(s.probing);
    // A zero delay arriving during the pause does not end the probing either.
    CHECK(on_throttled(s, t0 + 10ms, zero, settings).probing);
  }
}

TEST_CASE("on_success: additive increase, one step per `limit` successes in a row, up to the maximum") {
  ThrottleSettings settings;
  settings.max_concurrency = 5;
  ThrottleState s;
  s.limit = 3;
  s.consecutive_pauses = 2;
  s.probing = true;
  for (int i = 0; i < 2; ++i) s = on_success(s, Clock::time_point{}, settings);
  CHECK(s.limit == 3);
  CHECK(s.consecutive_pauses == 0);
  CHECK_FALSE(s.probing);
  s = on_success(s, Clock::time_point{}, settings);
  CHECK(s.limit == 4);
  for (int i = 0; i < 4; ++i) s = on_success(s, Clock::time_point{}, settings);
  CHECK(s.limit == 5);
  for (int i = 0; i < 50; ++i) s = on_success(s, Clock::time_point{}, settings);
  CHECK(s.limit == 5);
}

TEST_CASE("on_throttled without a server delay: the probe comes no later than when the burst's window frees") {
  const ThrottleSettings settings;  // 10 s window, 0.5 s first backoff, 1 s cap
  const Clock::time_point t0{std::chrono::hours{1}};
  ThrottleState s;
  s = on_success(s, t0, settings);          // the burst's first success
  s = on_success(s, t0 + 300ms, settings);  // later ones do not move it
  CHECK(s.burst_open);
  CHECK(s.burst_began == t0);
  s = on_throttled(s, t0 + 700ms, std::nullopt, settings);  // the limit is reached
  CHECK(s.paused_until == t0 + 1200ms);                     // the backoff: earlier than the window
  CHECK_FALSE(s.burst_open);
  s = on_success(s, t0 + 800ms, settings);  // in flight before the pause: not the start of a burst
  CHECK_FALSE(s.burst_open);
  CHECK(s.burst_began == t0);
  // Probes refused every second; the pause that would overshoot the window is cut to it.
  auto at = t0 + 1200ms;
  for (int i = 0; i < 8; ++i) {
    s = on_throttled(s, at, std::nullopt, settings);
    CHECK(s.paused_until == at + 1s);
    at += 1s;
  }
  CHECK(at == t0 + 9200ms);
  s = on_throttled(s, at, std::nullopt, settings);
  CHECK(s.paused_until == t0 + 10s);
  CHECK(s.probing);
  // Past the expected moment (another client uses the vault too): the plain backoff again.
  s = on_throttled(s, t0 + 10s + 10ms, std::nullopt, settings);
  CHECK(s.paused_until == t0 + 10s + 10ms + 1s);
  // The probe that succeeds after the pause begins the next burst.
  s = on_success(s, t0 + 11s + 30ms, settings);
  CHECK(s.burst_open);
  CHECK(s.burst_began == t0 + 11s + 30ms);
  // The server's delay always wins over the expectation.
  ThrottleState r = on_success(ThrottleState{}, t0, settings);
  CHECK(on_throttled(r, t0 + 9900ms, 5s, settings).paused_until == t0 + 9900ms + 5s);
}

namespace {

// The controller's clock for the Throttle tests: no real time passes. It starts at steady_clock's epoch (in
// the past, so each of the controller's waits ends at once and it looks again) and moves on `step` at each
// reading; `readings` counts them, so a test knows that a waiting thread has looked again and again.
struct SteppingClock {
  explicit SteppingClock(Clock::duration step) : step(step) {}
  Clock::duration step;
  std::atomic<Clock::rep> ticks{0};
  std::atomic<unsigned> readings{0};

  Clock::time_point current() const { return Clock::time_point{Clock::duration{ticks.load()}}; }
  std::function<Clock::time_point()> function() {
    return [this] {
      ++readings;
      return Clock::time_point{Clock::duration{ticks.fetch_add(step.count()) + step.count()}};
    };
  }
  // Returns once another `n` readings have been made (by a waiting thread).
  void await_readings(unsigned n) const {
    const unsigned target = readings.load() + n;
    while (readings.load() < target) std::this_thread::yield();
  }
};

}  // namespace

TEST_CASE("Throttle: the GET lane is bounded by the limit, the list lane is not") {
  ThrottleSettings settings;
  settings.max_concurrency = 2;
  SteppingClock clock(1ms);
  Throttle throttle(settings, nullptr, clock.function());
  CHECK(throttle.acquire(Lane::get));
  CHECK(throttle.acquire(Lane::get));
  CHECK(throttle.acquire(Lane::list));  // would block forever if it counted against the limit
  std::atomic<bool> third{false};
  std::thread waiter([&] { third = throttle.acquire(Lane::get); });
  clock.await_readings(20);   // the waiter looked 20 times (20 ms of the controller's time)...
  CHECK_FALSE(third.load());  // ...and is still waiting for room
  throttle.release(Lane::get, false, std::nullopt);
  waiter.join();  // released: the third GET may start
  CHECK(third.load());
}

TEST_CASE("Throttle: a throttled answer pauses every lane; stats count answers and pause time once") {
  SteppingClock clock(1ms);
  Throttle throttle({}, nullptr, clock.function());
  CHECK(throttle.acquire(Lane::get));
  CHECK(throttle.acquire(Lane::get));
  const auto first = clock.current() + clock.step;  // the time the first release reads
  throttle.release(Lane::get, true, 300ms);
  throttle.release(Lane::get, true, 200ms);  // within the first pause: not counted twice, no second cut
  CHECK(throttle.acquire(Lane::list));       // waits for the pause
  CHECK(clock.current() >= first + 300ms);
  throttle.release(Lane::list, false, std::nullopt);
  const auto stats = throttle.stats();
  CHECK(stats.throttled == 2);
  CHECK(stats.paused == 300ms);  // the second pause ends within the first
  CHECK(stats.lowest_limit == 16);
}

TEST_CASE("Throttle: after a pause without a server delay, one GET probes until one succeeds") {
  ThrottleSettings settings;
  settings.first_backoff = 50ms;
  SteppingClock clock(1ms);
  Throttle throttle(settings, nullptr, clock.function());
  CHECK(throttle.acquire(Lane::get));
  const auto paused_at = clock.current() + clock.step;
  throttle.release(Lane::get, true, std::nullopt);  // 429 without Retry-After: pause, then a probe
  CHECK(throttle.acquire(Lane::get));               // the probe, after the pause
  CHECK(clock.current() >= paused_at + 50ms);
  std::atomic<bool> second{false};
  std::thread waiter([&] { second = throttle.acquire(Lane::get); });
  clock.await_readings(150);                         // 150 ms of the controller's time, far past the pause...
  CHECK_FALSE(second.load());                        // ...only the probe is in flight
  throttle.release(Lane::get, false, std::nullopt);  // the probe succeeded: the pool opens again
  waiter.join();
  CHECK(second.load());
}

TEST_CASE("Throttle: a cancelled run stops waiting for a pause") {
  fkv::RunControl run(300s);
  Throttle throttle({}, &run);
  CHECK(throttle.acquire(Lane::get));
  throttle.release(Lane::get, true, 60s);
  run.cancel(15);
  CHECK_FALSE(throttle.acquire(Lane::get));  // returns at once: a hang here is the failure
}
