// platform/process: what can be observed from a test (POSIX). Each runs in a child process, which the
// settings would otherwise outlive.
#include "platform/process.hpp"

#include <doctest/doctest.h>

#ifndef _WIN32
#include <csignal>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "platform/sanitized.hpp"

namespace {

// Runs `body` in a forked child; its exit status (0: all its checks held).
int in_child(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ::_exit(body());
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("disable_crash_dumps: no core file, and (Linux) not dumpable") {
  CHECK(in_child([] {
          struct rlimit before {};
          ::getrlimit(RLIMIT_CORE, &before);
          fkv::platform::disable_crash_dumps();
          struct rlimit after {};
          if (::getrlimit(RLIMIT_CORE, &after) != 0) return 10;
          if (after.rlim_cur != 0) return 11;
#if defined(__linux__) && !defined(FKV_SANITIZED)
          if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) return 12;
#endif
          return 0;
        }) == 0);
}

TEST_CASE("install_cancel_handlers: SIGTERM, SIGINT and SIGHUP cancel the run, and the process goes on") {
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP}) {
    CAPTURE(signal_number);
    CHECK(in_child([signal_number] {
            fkv::RunControl run{std::chrono::seconds(60)};
            fkv::platform::install_cancel_handlers(run);
            if (run.cancelled()) return 20;
            ::raise(signal_number);
            if (!run.cancelled()) return 21;
            if (run.cancel_signal() != signal_number) return 22;
            return 0;  // still running: the handler only recorded the signal
          }) == 0);
  }
}

#ifdef __linux__
TEST_CASE("lower_current_thread_priority: the calling thread's nice value + 10 (at most 19), others unchanged") {
  CHECK(in_child([] {
          const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
          const int main_before = ::getpriority(PRIO_PROCESS, tid);
          int result = 0;
          std::thread worker([&] {
            const auto self = static_cast<id_t>(::syscall(SYS_gettid));
            const int before = ::getpriority(PRIO_PROCESS, self);
            fkv::platform::lower_current_thread_priority();
            const int after = ::getpriority(PRIO_PROCESS, self);
            if (after != std::min(before + 10, 19)) result = 30;
            fkv::platform::lower_current_thread_priority();
            if (::getpriority(PRIO_PROCESS, self) != std::min(before + 20, 19)) result = 31;
          });
          worker.join();
          if (::getpriority(PRIO_PROCESS, tid) != main_before) return 32;
          return result;
        }) == 0);
}
#endif

#endif
