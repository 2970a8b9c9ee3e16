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
// - Per-phase limits (HttpsOptions::*_timeout), each capped by what is left of Request::timeout:
//   resolve + TCP connect, the proxy's CONNECT answer, the TLS handshake, writing the request, the
//   response headers (from the request written to the end of the headers, 1xx included), and every
//   gap between two body reads (the whole body is also capped by the request's remaining time). A
//   failure sets TransportError::phase; its detail names host:port and the phase, e.g. "no response
//   headers from fkv.vault.azure.net:443 within 30 s". Waiting for a pool slot is Phase::pool.
// - Interim responses (1xx other than 101) are skipped, at most 16 per request, then a protocol
//   error; a 101 is a protocol error (the task never asks for an upgrade).
// - Cancellation: HttpsOptions::stop is polled every 50 ms while resolving, waiting for a pool slot
//   and running I/O; a cancelled request closes its connection and fails with Kind::cancelled.
// - Proxies: for a URL that proxy_for() routes through a proxy, the client TCP-connects to the
//   proxy, sends `CONNECT host:port HTTP/1.1` (with `Proxy-Authorization: Basic` when credentials are
//   configured), and on a 2xx does the TLS handshake with the target host inside the tunnel (SNI and
//   verification against the target host, never the proxy). 407 -> Kind::refused (never retried:
//   a wrong password must not be tried again and again) naming the proxy (without credentials) and
//   where the credentials are configured; another 4xx -> Kind::refused, 5xx -> Kind::connect (the
//   proxy could not reach the host; retried), both "proxy <url> refused CONNECT to host:port with
//   HTTP <n>"; all with Phase::proxy. Pools are per (proxy, host:port): tunnelled and direct
//   connections never mix.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "core/expected.hpp"
#include "net/http.hpp"
#include "net/proxy.hpp"
#include "net/trust_store.hpp"

namespace fkv::net {

struct HttpsOptions {
  std::size_t max_connections_per_host = 16;
  std::size_t max_response_body = 8 * 1024 * 1024;
  // Idle pooled connections older than this are closed instead of reused (servers drop idle
  // connections after a while; Azure front ends after about 4 minutes, some proxies sooner).
  std::chrono::seconds max_idle{30};
  std::string user_agent = "federated-keyvault/" FKV_VERSION;
  TrustSettings trust;  // usually {TaskConfig::network.trust, {}}
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

  // The proxy configuration (net/proxy.hpp); proxy_for() picks, per request URL, a CONNECT proxy or
  // a direct connection. Default: direct.
  ProxySettings proxy;
};

class HttpsClient : public HttpClient {
 public:
  // Builds the TLS context (TLS 1.2 minimum, trust store per options.trust). Fails with a
  // Stage::config Error when the trust store cannot be set up (e.g. AGENT_CAINFO unreadable).
  // init_openssl() (net/tls.hpp) must have been called before.
  static Expected<std::unique_ptr<HttpsClient>> create(HttpsOptions options = {});

  // Must not be destroyed while a send() is in progress. Aborts pre-connections still opening and joins
  // their threads.
  ~HttpsClient() override;

  Outcome send(const Request& request) override;

  // Pre-connection: takes connection set-up off the critical path. Returns at once; in the background it
  // opens connections to url's host (routed exactly as a request would be: proxy CONNECT, TLS with full
  // verification) until `connections` are open in that host's pool (never more than
  // max_connections_per_host, and without waiting for a slot), and parks them idle for send() to reuse.
  // The first opens alone, the rest in parallel only once it succeeded, so a host that cannot be reached
  // costs one attempt. Failures are silent: the request that needs the host meets the failure itself and
  // reports it. Each attempt is bounded by `timeout`, connect_timeout + tls_timeout and the stop flag.
  // Nothing is sent on a pre-connected connection before a request uses it.
  void preconnect(const Url& url, std::size_t connections, std::chrono::milliseconds timeout);

  struct Impl;

 private:
  explicit HttpsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fkv::net
