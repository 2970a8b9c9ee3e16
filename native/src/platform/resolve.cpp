#include "platform/resolve.hpp"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netdb.h>
#include <sys/socket.h>
#endif

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <system_error>

#include "platform/thread.hpp"

namespace fkv::platform {

namespace {

using Kind = net::TransportError::Kind;

struct Lookup {
  std::mutex mutex;
  std::condition_variable done_signal;
  bool done = false;
  LookupAnswer answer;
};

net::TransportError resolve_error(Kind kind, std::string detail) {
  net::TransportError e;
  e.kind = kind;
  e.phase = net::TransportError::Phase::resolve;
  e.detail = std::move(detail);
  return e;
}

void look_up(const std::string& name, unsigned short port, bool numeric_host, Lookup& lookup) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (numeric_host ? AI_NUMERICHOST : 0);
  addrinfo* list = nullptr;
  LookupAnswer answer;
  answer.status = ::getaddrinfo(name.c_str(), std::to_string(port).c_str(), &hints, &list);
  answer.saved_errno = errno;
  for (addrinfo* entry = list; answer.status == 0 && entry; entry = entry->ai_next) {
    if (entry->ai_addr && entry->ai_addrlen > 0) {
      answer.addresses.emplace_back(reinterpret_cast<const char*>(entry->ai_addr), entry->ai_addrlen);
    }
  }
  if (list) ::freeaddrinfo(list);
  std::lock_guard lock(lookup.mutex);
  lookup.answer = std::move(answer);
  lookup.done = true;
  lookup.done_signal.notify_all();
}

}  // namespace

std::optional<net::TransportError> lookup_error(const std::string& host, const LookupAnswer& answer) {
  switch (answer.status) {
    case 0:
      if (answer.addresses.empty()) return resolve_error(Kind::resolve_not_found, "no address for " + host);
      return std::nullopt;
    case EAI_NONAME:
#ifdef EAI_NODATA
#if !defined(EAI_NONAME) || EAI_NODATA != EAI_NONAME
    case EAI_NODATA:
#endif
#endif
      return resolve_error(Kind::resolve_not_found,
                           "the host name " + host + " does not exist (" + ::gai_strerror(answer.status) + ")");
#ifdef EAI_SYSTEM
    case EAI_SYSTEM:
      return resolve_error(Kind::resolve_failed,
                           "could not resolve " + host + ": " + std::strerror(answer.saved_errno));
#endif
    default:
      return resolve_error(Kind::resolve_failed, "could not resolve " + host + ": " + ::gai_strerror(answer.status));
  }
}

BoundedLookup lookup_bounded(const std::string& name, unsigned short port, bool numeric_host,
                             std::chrono::steady_clock::time_point deadline, const std::function<bool()>& stopped,
                             std::chrono::milliseconds slice) {
  auto lookup = std::make_shared<Lookup>();
  // A lookup that outlasts the deadline is left to finish on its own: getaddrinfo cannot be interrupted.
  Thread([lookup, name, port, numeric_host] { look_up(name, port, numeric_host, *lookup); }).detach();

  std::unique_lock lock(lookup->mutex);
  while (!lookup->done) {
    if (stopped && stopped()) return {LookupEnd::stopped, {}};
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return {LookupEnd::timed_out, {}};
    lookup->done_signal.wait_for(lock, std::min<std::chrono::steady_clock::duration>(slice, deadline - now));
  }
  return {LookupEnd::answered, std::move(lookup->answer)};
}

std::string numeric_address(const std::string& address) {
  char text[128] = {};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(address.data()), static_cast<socklen_t>(address.size()), text,
                  sizeof text, nullptr, 0, NI_NUMERICHOST) != 0) {
    return "an address";
  }
  return text;
}

std::optional<net::TransportError> resolve_host(const std::string& host, std::string& address,
                                                std::chrono::milliseconds limit, const std::atomic<bool>* stop) {
  BoundedLookup lookup;
  try {
    lookup = lookup_bounded(host, 443, false, std::chrono::steady_clock::now() + limit,
                            [stop] { return stop && stop->load(); });
  } catch (const std::system_error&) {
    return resolve_error(Kind::resolve_failed, "no thread could be started to resolve " + host);
  }
  switch (lookup.end) {
    case LookupEnd::stopped: return resolve_error(Kind::cancelled, "the name resolution of " + host + " was cancelled");
    case LookupEnd::timed_out:
      return resolve_error(Kind::timeout, "the name resolution of " + host + " did not finish within " +
                                              std::to_string(limit.count() / 1000) + " s");
    case LookupEnd::answered: break;
  }
  if (auto error = lookup_error(host, lookup.answer)) return error;
  address = numeric_address(lookup.answer.addresses.front());
  return std::nullopt;
}

}  // namespace fkv::platform
