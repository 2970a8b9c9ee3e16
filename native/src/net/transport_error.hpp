// Turns a TransportError into a user-facing Error (cause + fix). Pure.
#pragma once

#include <string_view>

#include "core/error.hpp"
#include "net/http.hpp"
#include "net/url.hpp"

namespace fkv::net {

// `action` names what failed, e.g. "The OIDC token request to Azure DevOps". The message is
// "<action> failed (<kind>): <detail>." and the hint depends on the kind. http_status stays 0.
// A failure in Phase::proxy reads "<action> failed (proxy CONNECT): <detail>." with proxy_hint().
Error transport_error(Stage stage, std::string_view action, const Url& url, const TransportError& error);

// The hint alone, for one kind of failure towards `url`.
std::string transport_hint(TransportError::Kind kind, const Url& url);

// The hint for a failed proxy CONNECT towards `url`: check the proxy settings and the proxy's rules.
std::string proxy_hint(const Url& url);

}  // namespace fkv::net
