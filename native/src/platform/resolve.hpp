// Name resolution: the one bounded getaddrinfo of the task, for the HTTPS client (net/https_client.cpp)
// and diagnose mode's "Name resolution <host>" findings (the static build resolves through /etc/hosts and
// DNS only, platform/static_nss.cpp).
//
// Bounded: getaddrinfo runs on a detached thread (it cannot be interrupted; a broken DNS server can keep
// it for tens of seconds), and the caller waits at most until a deadline, looking at its stop condition
// every slice. A lookup that outlives the wait finishes on its own and its result is dropped.
//
// One mapping of getaddrinfo's answer to an error (lookup_error), whoever asked: a name that does not
// exist (EAI_NONAME, EAI_NODATA: the name has no address of any family, or no address at all) is
// Kind::resolve_not_found, anything else resolve_failed (transient).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "net/http.hpp"

namespace fkv::platform {

// What getaddrinfo answered.
struct LookupAnswer {
  int status = 0;                      // getaddrinfo's return value (0, EAI_*)
  int saved_errno = 0;                 // errno right after it (meaningful for EAI_SYSTEM)
  std::vector<std::string> addresses;  // each entry's socket address, as bytes (sockaddr_in / sockaddr_in6)
};

// nullopt when the answer holds an address; else why not (Phase::resolve): pure, the one message.
//   EAI_NONAME, EAI_NODATA       resolve_not_found  "the host name <host> does not exist (<gai_strerror>)"
//   0 without any address        resolve_not_found  "no address for <host>"
//   EAI_SYSTEM                   resolve_failed     "could not resolve <host>: <strerror(errno)>"
//   anything else                resolve_failed     "could not resolve <host>: <gai_strerror>"
std::optional<net::TransportError> lookup_error(const std::string& host, const LookupAnswer& answer);

enum class LookupEnd { answered, timed_out, stopped };

struct BoundedLookup {
  LookupEnd end = LookupEnd::answered;
  LookupAnswer answer;  // when answered
};

// getaddrinfo(name, port) for stream sockets of any family (AI_NUMERICHOST when `numeric_host`), waited
// for until `deadline`; `stopped` is asked before each wait of at most `slice`. Throws std::system_error
// when no thread can be started.
BoundedLookup lookup_bounded(const std::string& name, unsigned short port, bool numeric_host,
                             std::chrono::steady_clock::time_point deadline, const std::function<bool()>& stopped,
                             std::chrono::milliseconds slice = std::chrono::milliseconds(50));

// The numeric text of a socket address from LookupAnswer::addresses ("192.0.2.1", "2001:db8::1"), or
// "an address" when it cannot be printed.
std::string numeric_address(const std::string& address);

// For diagnose: nullopt when `host` resolves (`address`: the first address, numeric); else why not
// (lookup_error, or timeout after `limit`, cancelled when *stop is set; Phase::resolve).
std::optional<net::TransportError> resolve_host(const std::string& host, std::string& address,
                                                std::chrono::milliseconds limit, const std::atomic<bool>* stop);

}  // namespace fkv::platform
