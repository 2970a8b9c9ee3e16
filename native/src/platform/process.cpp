#include "platform/process.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#ifdef _WIN32
#include <windows.h>
#else
#include <sys/resource.h>
#endif
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#endif

#include "platform/sanitized.hpp"

namespace fkv::platform {
namespace {

std::atomic<RunControl*> g_run{nullptr};
std::atomic<bool> g_finished{false};

#ifdef _WIN32
BOOL WINAPI on_console_event(DWORD event) {
  RunControl* run = g_run.load();
  if (!run) return FALSE;
  switch (event) {
    case CTRL_C_EVENT: run->cancel(SIGINT); return TRUE;
    case CTRL_BREAK_EVENT: run->cancel(SIGBREAK); return TRUE;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
      run->cancel(-1);
      // Windows terminates the process when this returns (and after 5 s in any case).
      for (int i = 0; i < 45 && !g_finished.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return TRUE;
    default: return FALSE;
  }
}
#else
extern "C" void on_signal(int signal_number) {
  if (RunControl* run = g_run.load()) run->cancel(signal_number);
}
#endif

}  // namespace

void disable_crash_dumps() {
#ifdef _WIN32
  SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
#else
  struct rlimit none {};
  setrlimit(RLIMIT_CORE, &none);
#if defined(__linux__) && !defined(FKV_SANITIZED)
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
#endif
}

void install_cancel_handlers(RunControl& run) {
  g_run.store(&run);
#ifdef _WIN32
  SetConsoleCtrlHandler(on_console_event, TRUE);
#else
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP}) sigaction(signal_number, &action, nullptr);
#endif
}

void mark_finished() { g_finished.store(true); }

void limit_malloc_arenas(bool set_by_environment) {
#if defined(__GLIBC__)
  if (!set_by_environment) mallopt(M_ARENA_MAX, 2);
#else
  (void)set_by_environment;
#endif
}

void lower_current_thread_priority() {
#ifdef _WIN32
  SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL);
#elif defined(__linux__)
  // On Linux a nice value belongs to a thread (PRIO_PROCESS with a thread id).
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (current == -1 && errno != 0) return;
  setpriority(PRIO_PROCESS, tid, std::min(current + 10, 19));
#endif
}

}  // namespace fkv::platform
