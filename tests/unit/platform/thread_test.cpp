// platform/thread: the binary's own threads (native ones on Windows, where this test runs under wine).
#include "platform/thread.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace {

using fkv::platform::Thread;
using namespace std::chrono_literals;

// A flag another thread sets, waited for at most `limit`.
struct Signal {
  std::mutex mutex;
  std::condition_variable changed;
  bool set = false;

  void raise() {
    {
      std::lock_guard lock(mutex);
      set = true;
    }
    changed.notify_all();
  }
  bool wait(std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, limit, [this] { return set; });
  }
};

TEST_CASE("join waits for the body; the thread is then empty") {
  int value = 0;
  Thread thread([&value] { value = 42; });
  CHECK(thread.joinable());
  thread.join();
  CHECK(value == 42);
  CHECK_FALSE(thread.joinable());
}

TEST_CASE("a default Thread and a moved-from one are not joinable; the move carries the thread") {
  Thread none;
  CHECK_FALSE(none.joinable());

  std::atomic<int> runs{0};
  Thread first([&runs] { ++runs; });
  Thread second(std::move(first));
  CHECK_FALSE(first.joinable());  // NOLINT(bugprone-use-after-move): the moved-from state is the contract
  CHECK(second.joinable());
  second.join();
  CHECK(runs == 1);

  Thread third;
  third = Thread([&runs] { ++runs; });
  CHECK(third.joinable());
  third.join();
  CHECK(runs == 2);
}

TEST_CASE("destroying a joinable Thread joins it") {
  std::atomic<bool> finished{false};
  {
    Thread thread([&finished] {
      std::this_thread::sleep_for(20ms);
      finished = true;
    });
  }
  CHECK(finished);
}

TEST_CASE("a detached thread runs on to its end") {
  auto done = std::make_shared<Signal>();
  auto go = std::make_shared<Signal>();
  Thread thread([done, go] {
    go->wait(10s);
    done->raise();
  });
  thread.detach();
  CHECK_FALSE(thread.joinable());
  go->raise();
  CHECK(done->wait(10s));
}

// The pattern that hung a join under wine with winpthreads' threads: workers started in a burst and
// joined, while short lookup threads are detached as they end. Every round must end, with every body run.
TEST_CASE("bursts of joined workers among detached short threads all end") {
  constexpr int kRounds = 100;
  constexpr int kWorkers = 8;
  std::atomic<int> bodies{0};
  auto detached_done = std::make_shared<std::atomic<int>>(0);
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Thread> workers;
    workers.reserve(kWorkers);
    for (int i = 0; i < kWorkers; ++i) {
      workers.emplace_back([&bodies, detached_done, i] {
        if (i % 2 == 0) {
          Thread([detached_done] {
            std::this_thread::sleep_for(std::chrono::microseconds(50));  // a record in winpthreads' pool
            ++*detached_done;
          }).detach();
        }
        Signal never;
        never.wait(1ms);  // a condition variable wait, as the download workers do
        ++bodies;
      });
    }
    Thread([detached_done] { ++*detached_done; }).detach();
    for (auto& worker : workers) worker.join();
  }
  CHECK(bodies == kRounds * kWorkers);
  const int want_detached = kRounds * (kWorkers / 2 + 1);
  for (int i = 0; i < 1000 && *detached_done < want_detached; ++i) std::this_thread::sleep_for(10ms);
  CHECK(*detached_done == want_detached);
}

}  // namespace
