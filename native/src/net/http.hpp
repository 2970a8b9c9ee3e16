// The HTTP seam. Every network call of the task goes through HttpClient::send.
//
// Contract:
// - send() is synchronous and thread-safe: several threads may call it at once (the Key Vault
//   GETs run concurrently); implementations pool keep-alive connections per host.
// - Redirects are never followed: a 3xx is returned as a Response like any other status.
// - TLS is always verified (chain + host name, SNI). There is no switch to turn that off.
// - A bearer token is attached by the client, not by callers, and only when the request URL's
//   host equals `Bearer::host` exactly; otherwise send() fails with TransportError::Kind::refused
//   and nothing is sent. So a token can never reach a host it was not meant for.
// - Every call is bounded by `Request::timeout` (connect, TLS handshake, write and read each get at
//   most what is left of it), so nothing can hang.
// - Errors never contain request headers or bodies (they may hold tokens).
//
// Decorators (retry, throttling, proxy) implement the same interface and wrap another client, so
// callers never change when one is added.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net/url.hpp"

namespace fkv::net {

struct Header {
  std::string name;
  std::string value;
};

// A bearer token bound to the one host it is for.
struct Bearer {
  std::string token;  // secret
  std::string host;   // lower-case host the token may be sent to
};

struct Request {
  std::string method = "GET";
  Url url;
  std::vector<Header> headers;  // never "Authorization": use `bearer`
  std::string body;
  std::optional<Bearer> bearer;
  std::chrono::milliseconds timeout{30000};
};

struct Response {
  int status = 0;
  std::vector<Header> headers;
  std::string body;

  // Case-insensitive lookup of the first header with that name.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct TransportError {
  enum class Kind {
    resolve_not_found,  // the host name does not exist (NXDOMAIN): permanent
    resolve_failed,     // name resolution failed for another reason: transient
    connect,            // TCP connect failed or was refused
    tls,                // TLS handshake or certificate verification failed
    timeout,            // the deadline passed
    reset,              // the connection was closed or reset mid-exchange
    protocol,           // the peer did not speak HTTP/1.1 properly, or the response was too large
    refused,            // the client refused to send (e.g. bearer host mismatch)
    cancelled,          // the run was cancelled (SIGTERM/SIGINT) or its deadline stopped it: never retried
  };
  // The step of the exchange that failed (or stalled): for messages such as "no response headers
  // from <host> (headers)" and for the run's final stall report.
  enum class Phase { none, pool, resolve, connect, proxy, tls, send, headers, body };
  Kind kind = Kind::connect;
  std::string detail;  // human text, never holds tokens or bodies
  Phase phase = Phase::none;
};

const char* to_string(TransportError::Kind kind);
const char* to_string(TransportError::Phase phase);  // "connect", "TLS handshake", "response headers", ...

using Outcome = std::variant<Response, TransportError>;

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Outcome send(const Request& request) = 0;
};

}  // namespace fkv::net
