// Name resolution for diagnose mode's "Name resolution <host>" findings: getaddrinfo, as the HTTPS
// client's resolver does (the static build resolves through /etc/hosts and DNS only, platform/static_nss.cpp).
//
// Bounded: getaddrinfo runs on a detached thread (it cannot be interrupted; a broken DNS server can keep
// it for tens of seconds), and the caller waits at most `limit`, polling `stop` every 50 ms. A lookup
// that outlives the wait finishes on its own and its result is dropped.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "net/http.hpp"

namespace fkv::platform {

// nullopt when `host` resolves (`address`: the first address, numeric); else why not (Kind::resolve_not_found
// for a name that does not exist, resolve_failed otherwise, timeout after `limit`, cancelled when *stop
// is set; Phase::resolve).
std::optional<net::TransportError> resolve_host(const std::string& host, std::string& address,
                                                std::chrono::milliseconds limit, const std::atomic<bool>* stop);

}  // namespace fkv::platform
