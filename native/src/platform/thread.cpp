#include "platform/thread.hpp"

#include <exception>
#include <memory>
#include <system_error>
#include <utility>

#ifdef _WIN32
#include <windows.h>
#include <process.h>

#include <cerrno>
#include <cstdint>
#endif

namespace fkv::platform {

#ifdef _WIN32

namespace {

// The thread's entry: it owns its body and frees it when the body returns.
unsigned __stdcall run_body(void* argument) {
  std::unique_ptr<std::function<void()>> body(static_cast<std::function<void()>*>(argument));
  try {
    (*body)();
  } catch (...) {
    std::terminate();  // as std::thread does
  }
  return 0;
}

}  // namespace

Thread::Thread(std::function<void()> body) {
  auto owned = std::make_unique<std::function<void()>>(std::move(body));
  const std::uintptr_t handle = _beginthreadex(nullptr, 0, &run_body, owned.get(), 0, nullptr);
  if (handle == 0) {
    throw std::system_error(errno ? errno : EAGAIN, std::generic_category(), "a thread could not be started");
  }
  owned.release();  // the thread frees it
  handle_ = reinterpret_cast<void*>(handle);
}

Thread::Thread(Thread&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

Thread& Thread::operator=(Thread&& other) noexcept {
  if (this != &other) {
    if (joinable()) join();
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

Thread::~Thread() {
  if (joinable()) join();
}

bool Thread::joinable() const noexcept { return handle_ != nullptr; }

void Thread::join() {
  if (!handle_) throw std::system_error(std::make_error_code(std::errc::invalid_argument), "no thread to join");
  WaitForSingleObject(static_cast<HANDLE>(handle_), INFINITE);
  CloseHandle(static_cast<HANDLE>(handle_));
  handle_ = nullptr;
}

void Thread::detach() {
  if (!handle_) throw std::system_error(std::make_error_code(std::errc::invalid_argument), "no thread to detach");
  CloseHandle(static_cast<HANDLE>(handle_));
  handle_ = nullptr;
}

#else

Thread::Thread(std::function<void()> body) : thread_(std::move(body)) {}

Thread::Thread(Thread&& other) noexcept : thread_(std::move(other.thread_)) {}

Thread& Thread::operator=(Thread&& other) noexcept {
  if (this != &other) {
    if (thread_.joinable()) thread_.join();
    thread_ = std::move(other.thread_);
  }
  return *this;
}

Thread::~Thread() {
  if (thread_.joinable()) thread_.join();
}

bool Thread::joinable() const noexcept { return thread_.joinable(); }

void Thread::join() { thread_.join(); }

void Thread::detach() { thread_.detach(); }

#endif

}  // namespace fkv::platform
