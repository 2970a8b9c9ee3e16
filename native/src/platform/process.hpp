// Process-level set-up of the task binary: no core dumps, and cancellation by the agent.
//
// - disable_crash_dumps(): a crash must not write the job, OIDC and access tokens into the working
//   directory. Linux/POSIX: RLIMIT_CORE 0, and on Linux PR_SET_DUMPABLE 0 (also keeps other processes of
//   the same user from reading our memory through /proc or ptrace); not in sanitizer builds, whose leak
//   checker needs to ptrace the process. Windows: no Windows Error Reporting or critical-error dialog.
// - install_cancel_handlers(run): SIGTERM, SIGINT and SIGHUP (the agent's cancel and timeout), or on
//   Windows Ctrl-C, Ctrl-Break and console close, call run.cancel(). The handlers only store atomics;
//   they never write, so no line on stdout can be cut. Writes interrupted by a signal are restarted
//   (SA_RESTART). On console close Windows ends the process once the handler returns, so the handler
//   waits (at most ~4.5 s) until mark_finished() has been called.
// - lower_current_thread_priority(): the calling thread yields the CPU to the process's other threads
//   when both want it (Linux: its nice value + 10, at most 19; Windows: below normal; elsewhere nothing).
//   For the Key Vault GET workers: the list page chain on the main thread is the run's critical path,
//   and on a busy agent (or the benchmark's two cores shared with the fake) woken GET workers delayed
//   each next page request (measured: 0.58 ms between pages without GETs, 1.8 ms with 32 workers).
//   Never fails: a refused change leaves the priority as it was.
// - limit_malloc_arenas(): glibc gives threads that allocate at once arenas of their own (up to 8 per
//   core), and each keeps what was freed in it: with 33 threads the peak RSS at N = 5000 was ~1.3 MiB
//   higher (15.2-15.8 MiB vs 14.2-14.5 MiB with 2 arenas, the same wall time at L = 0 and 20 ms). glibc
//   only, and not when the user set MALLOC_ARENA_MAX; elsewhere nothing.
#pragma once

#include "core/run_control.hpp"

namespace fkv::platform {

void disable_crash_dumps();
void install_cancel_handlers(RunControl& run);
void mark_finished();
void lower_current_thread_priority();
void limit_malloc_arenas(bool set_by_environment);  // true: MALLOC_ARENA_MAX is set, glibc reads it

}  // namespace fkv::platform
