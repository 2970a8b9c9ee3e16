// HttpsClient: the production HttpClient (Boost.Beast/Asio over OpenSSL). This header includes no
// Beast, Asio or OpenSSL; everything lives in https_client.cpp, the only Beast TU of the binary.
//
// Behaviour (on top of the HttpClient contract in net/http.hpp):
// - HTTP/1.1 over TLS 1.2+, always with peer verification, host-name verification and SNI.
// - A keep-alive pool per host:port, at most `max_connections_per_host` connections; a caller that
//   finds them all busy waits for one (bounded by its request's timeout).
// - send() may be called from many threads at once. Each connection owns an io_context that only the
//   thread using the connection runs, so no background thread is needed. Name resolution runs
//   getaddrinfo on a detached thread so that it, too, is bounded by the request's timeout.
// - Resolution errors: NXDOMAIN / EAI_NONAME -> resolve_not_found; anything else -> resolve_failed.
// - A pooled connection that fails before any response byte arrives is replaced by a fresh one and
//   the request is sent once more (the server may have closed it while idle).
// - Adds Host, User-Agent, Content-Length (when there is a body or the method is POST/PUT) and
//   `Authorization: Bearer` (only if bearer->host == url.host; otherwise refused, nothing sent).
//   Callers may not set Authorization, Host, Content-Length, Transfer-Encoding or Connection, and no
//   header may contain CR, LF or NUL: such requests are refused.
// - A response body larger than `max_response_body` is a protocol error.
// - TransportError::detail names host, port and the failing step, never headers or bodies.
//
// Extension points (add fields to HttpsOptions; callers that construct it keep compiling): an HTTP
// CONNECT proxy would slot in between TCP connect and the TLS handshake; extra trust anchors go to
// HttpsOptions::trust.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "core/expected.hpp"
#include "net/http.hpp"
#include "net/trust_store.hpp"

namespace fkv::net {

struct HttpsOptions {
  std::size_t max_connections_per_host = 16;
  std::size_t max_response_body = 8 * 1024 * 1024;
  // Idle pooled connections older than this are closed instead of reused (servers drop idle
  // connections after a while; Azure front ends after about 4 minutes, some proxies sooner).
  std::chrono::seconds max_idle{30};
  std::string user_agent = "federated-keyvault/" FKV_VERSION;
  TrustSettings trust;  // usually {trust_environment_from_process(), {}}
  // host -> IP address literal, used instead of DNS for that host (like curl --resolve). For tests;
  // TLS still verifies the certificate against the URL's host name.
  std::map<std::string, std::string> resolve_overrides;

  // Per-phase limits. Each is also capped by what is left of Request::timeout (the caller passes the
  // run-wide deadline's remainder there), so no phase can outlast the run. A phase that runs out
  // fails with Kind::timeout and TransportError::phase set to it.
  std::chrono::milliseconds connect_timeout{10'000};    // TCP connect, and the proxy's CONNECT answer
  std::chrono::milliseconds tls_timeout{10'000};        // TLS handshake
  std::chrono::milliseconds header_timeout{30'000};     // request written -> end of the response headers
  std::chrono::milliseconds body_idle_timeout{15'000};  // longest gap between two reads of the body

  // Cancellation: when *stop becomes true, every send() in progress returns within ~200 ms with
  // Kind::cancelled (its connection is closed, never reused) and new sends fail at once the same way.
  std::shared_ptr<const std::atomic<bool>> stop;
};

class HttpsClient : public HttpClient {
 public:
  // Builds the TLS context (TLS 1.2 minimum, trust store per options.trust). Fails with a
  // Stage::config Error when the trust store cannot be set up (e.g. AGENT_CAINFO unreadable).
  // init_openssl() (net/tls.hpp) must have been called before.
  static Expected<std::unique_ptr<HttpsClient>> create(HttpsOptions options = {});

  // Must not be destroyed while a send() is in progress.
  ~HttpsClient() override;

  Outcome send(const Request& request) override;

  struct Impl;

 private:
  explicit HttpsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fkv::net
