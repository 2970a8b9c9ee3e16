#include "core/run_control.hpp"

#include <doctest/doctest.h>

#include <csignal>

using namespace std::chrono_literals;
using fkv::RunControl;

TEST_CASE("RunControl: remaining time counts down to zero and never below") {
  RunControl::Clock::time_point now{};
  RunControl run(10s, now, [&] { return now; });
  CHECK(run.remaining() == 10000ms);
  CHECK_FALSE(run.expired());
  now += 9500ms;
  CHECK(run.remaining() == 500ms);
  now += 1s;
  CHECK(run.remaining() == 0ms);
  CHECK(run.expired());
  CHECK(run.should_stop());
  CHECK_FALSE(run.cancelled());
}

TEST_CASE("RunControl: cancel keeps the first signal and raises the shared stop flag") {
  RunControl run(300s);
  auto flag = run.stop_flag();
  CHECK_FALSE(flag->load());
  run.cancel(SIGTERM);
  run.cancel(SIGINT);
  CHECK(flag->load());
  CHECK(run.cancelled());
  CHECK(run.should_stop());
  CHECK(run.cancel_signal() == SIGTERM);
  CHECK(std::string(fkv::signal_name(SIGTERM)) == "SIGTERM");
  CHECK(std::string(fkv::signal_name(SIGINT)) == "SIGINT");
  CHECK(std::string(fkv::signal_name(-1)) == "console close");
}

TEST_CASE("RunControl: sleep_for ends early when cancelled or at the deadline") {
  RunControl cancelled(300s);
  cancelled.cancel(SIGTERM);
  CHECK_FALSE(cancelled.sleep_for(10min));  // returns at once: a hang here is the failure

  RunControl::Clock::time_point now{};
  RunControl run(1s, now, [&] { return now += 250ms; });  // every look at the clock moves it on
  CHECK_FALSE(run.sleep_for(1h));                         // stopped by the deadline after a few slices
  RunControl roomy(1h, now, [&] { return now += 250ms; });
  CHECK(roomy.sleep_for(1s));
}
