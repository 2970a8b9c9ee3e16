#include "net/http.hpp"

#include "core/text.hpp"

namespace fkv::net {

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

const char* to_string(TransportError::Kind kind) {
  switch (kind) {
    case TransportError::Kind::resolve_not_found: return "host not found";
    case TransportError::Kind::resolve_failed: return "name resolution failed";
    case TransportError::Kind::connect: return "connection failed";
    case TransportError::Kind::tls: return "TLS failure";
    case TransportError::Kind::timeout: return "timed out";
    case TransportError::Kind::reset: return "connection reset";
    case TransportError::Kind::protocol: return "protocol error";
    case TransportError::Kind::refused: return "request refused by the client";
    case TransportError::Kind::cancelled: return "cancelled";
  }
  return "transport error";
}

const char* to_string(TransportError::Phase phase) {
  switch (phase) {
    case TransportError::Phase::none: return "request";
    case TransportError::Phase::pool: return "waiting for a free connection or a throttling pause";
    case TransportError::Phase::resolve: return "name resolution";
    case TransportError::Phase::connect: return "connect";
    case TransportError::Phase::proxy: return "proxy CONNECT";
    case TransportError::Phase::tls: return "TLS handshake";
    case TransportError::Phase::send: return "sending the request";
    case TransportError::Phase::headers: return "response headers";
    case TransportError::Phase::body: return "response body";
  }
  return "request";
}

}  // namespace fkv::net
