// Name resolution for diagnose mode's "Name resolution <host>" findings: getaddrinfo, as the HTTPS
// client's resolver does (the static build resolves through /etc/hosts and DNS only, platform/static_nss.cpp).
#pragma once

#include <optional>
#include <string>

#include "net/http.hpp"

namespace fkv::platform {

// nullopt when `host` resolves (`address`: the first address, numeric); else why not (Kind::resolve_not_found
// for a name that does not exist, resolve_failed otherwise; Phase::resolve).
std::optional<net::TransportError> resolve_host(const std::string& host, std::string& address);

}  // namespace fkv::platform
