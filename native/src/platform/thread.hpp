// platform::Thread: the binary's own threads (the vault's download workers, the pre-connections, the
// bounded name lookups).
//
// A std::thread everywhere but Windows, where it is a native thread (_beginthreadex) that is never created,
// joined or detached through winpthreads. mingw-w64 10's winpthreads (Debian 12's cross compiler, whose
// std::thread it implements) keeps a pool of thread records that it recycles; under wine, with detached
// lookup threads exiting while
// download workers started and ended, a join waited forever on a handle that was no longer its thread's
// (winedbg: the main thread in pthread_join, no worker left), threads started with an already freed state
// (a crash in libstdc++'s execute_native_thread_routine) and a run ended in abort (exit code 3).
// std::mutex and std::condition_variable still come from winpthreads; they work on any thread (a wait
// gives a native thread a record of that pool, which the thread itself returns as it exits).
//
// Contract: as std::thread, except that
// - the body is a std::function; an exception escaping it ends the process (std::terminate), as with
//   std::thread: bodies catch what they can handle;
// - destroying a Thread that is still joinable joins it (std::thread would call std::terminate);
// - the constructor throws std::system_error when no thread can be started (a low process limit).
#pragma once

#include <functional>

#ifndef _WIN32
#include <thread>
#endif

namespace fkv::platform {

class Thread {
 public:
  Thread() noexcept = default;
  explicit Thread(std::function<void()> body);
  Thread(Thread&& other) noexcept;
  Thread& operator=(Thread&& other) noexcept;
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;
  ~Thread();

  bool joinable() const noexcept;
  void join();    // waits for the body to return; the Thread is then empty
  void detach();  // lets the body run on alone; the Thread is then empty

 private:
#ifdef _WIN32
  void* handle_ = nullptr;  // the thread's HANDLE while joinable
#else
  std::thread thread_;
#endif
};

}  // namespace fkv::platform
