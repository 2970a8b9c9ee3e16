#include "platform/resolve.hpp"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netdb.h>
#include <sys/socket.h>
#endif

#include <condition_variable>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

namespace fkv::platform {

namespace {

using Kind = net::TransportError::Kind;

struct Lookup {
  std::mutex mutex;
  std::condition_variable done_signal;
  bool started = false;
  bool done = false;
  int status = 0;
  std::string address;
};

net::TransportError resolve_error(Kind kind, std::string detail) {
  net::TransportError e;
  e.kind = kind;
  e.phase = net::TransportError::Phase::resolve;
  e.detail = std::move(detail);
  return e;
}

void look_up(const std::string& host, Lookup& lookup) {
  {
    std::lock_guard lock(lookup.mutex);
    lookup.started = true;
  }
  lookup.done_signal.notify_all();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host.c_str(), "443", &hints, &found);
  std::string address;
  if (rc == 0 && found) {
    char text[128] = {};
    address = getnameinfo(found->ai_addr, static_cast<socklen_t>(found->ai_addrlen), text, sizeof text, nullptr, 0,
                          NI_NUMERICHOST) == 0
                  ? std::string(text)
                  : std::string("an address");
  }
  if (found) freeaddrinfo(found);
  std::lock_guard lock(lookup.mutex);
  lookup.status = rc != 0 ? rc : (address.empty() ? -1 : 0);
  lookup.address = std::move(address);
  lookup.done = true;
  lookup.done_signal.notify_all();
}

}  // namespace

std::optional<net::TransportError> resolve_host(const std::string& host, std::string& address,
                                                std::chrono::milliseconds limit, const std::atomic<bool>* stop) {
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread worker([lookup, host] { look_up(host, *lookup); });
    // Detached once it runs (mingw-w64's winpthreads can crash a thread detached before it started; see
    // net/https_client.cpp resolve()).
    {
      std::unique_lock lock(lookup->mutex);
      lookup->done_signal.wait_for(lock, std::chrono::seconds(5), [&] { return lookup->started; });
    }
    worker.detach();
  } catch (const std::system_error&) {
    return resolve_error(Kind::resolve_failed, "no thread could be started to resolve " + host);
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::unique_lock lock(lookup->mutex);
  while (!lookup->done) {
    if (stop && stop->load()) return resolve_error(Kind::cancelled, "the name resolution of " + host + " was cancelled");
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return resolve_error(Kind::timeout, "the name resolution of " + host + " did not finish within " +
                                              std::to_string(limit.count() / 1000) + " s");
    }
    lookup->done_signal.wait_for(lock, std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(50),
                                                                                     deadline - now));
  }
  if (lookup->status == 0) {
    address = lookup->address;
    return std::nullopt;
  }
#ifdef _WIN32
  return resolve_error(lookup->status == WSAHOST_NOT_FOUND ? Kind::resolve_not_found : Kind::resolve_failed,
                       "error " + std::to_string(lookup->status));
#else
  if (lookup->status == -1) return resolve_error(Kind::resolve_not_found, "no address for " + host);
  return resolve_error(lookup->status == EAI_NONAME ? Kind::resolve_not_found : Kind::resolve_failed,
                       gai_strerror(lookup->status));
#endif
}

}  // namespace fkv::platform
