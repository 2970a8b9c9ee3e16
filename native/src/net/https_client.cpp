// The only translation unit of the task binary that includes Beast/Asio (compile cost ~12 s).
#include "net/https_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netdb.h>
#include <sys/socket.h>
#endif

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "net/io_wait.hpp"
#include "net/tls.hpp"
#include "core/text.hpp"
#include "platform/resolve.hpp"
#include "platform/thread.hpp"

namespace fkv::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Kind = TransportError::Kind;

constexpr std::size_t kMaxResponseHeaderBytes = 64 * 1024;
constexpr std::size_t kMaxProxyHeaderBytes = 16 * 1024;
constexpr int kMaxInterimResponses = 16;
// How often a wait looks at the stop flag: cancellation takes effect within about this long.
using detail::kSlice;
// How long a request waits for a pre-connection under way before it opens its own.
constexpr std::chrono::milliseconds kWarmWait{2000};
// In the detail of a 407 answer to CONNECT (and only there): how a wrong proxy password is recognised.
constexpr std::string_view kProxyAuthRequired = " (HTTP 407 Proxy Authentication Required): ";

using Phase = TransportError::Phase;
using std::chrono::milliseconds;

TransportError fail(Kind kind, Phase phase, std::string detail) {
  return TransportError{kind, std::move(detail), phase};
}

bool has_control_line_break(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// What ends a wait early: the run's cancellation, and for pre-connections also the client's shutdown.
struct StopFlags {
  const std::atomic<bool>* run = nullptr;
  const std::atomic<bool>* closing = nullptr;
};

bool is_set(const std::atomic<bool>* flag) { return flag && flag->load(std::memory_order_relaxed); }
bool stopped(StopFlags stop) { return is_set(stop.run) || is_set(stop.closing); }

// "30 s", "0.4 s", "1.5 s".
std::string seconds_text(milliseconds span) {
  const long long tenths = (std::max<long long>(span.count(), 0) + 50) / 100;
  std::string text = std::to_string(tenths / 10);
  if (tenths % 10 != 0) text += "." + std::to_string(tenths % 10);
  return text + " s";
}

// A phase's time budget: its own limit, capped by what is left of the request's deadline.
struct Budget {
  Clock::time_point deadline;
  milliseconds span;  // for messages
};

Budget budget(milliseconds limit, Clock::time_point request_deadline) {
  const auto now = Clock::now();
  const auto left = std::chrono::duration_cast<milliseconds>(request_deadline - now);
  const milliseconds span = std::max(milliseconds{0}, std::min(limit, left));
  return Budget{now + span, span};
}

TransportError cancelled(Phase phase, const std::string& where) {
  return fail(Kind::cancelled, phase, "the request to " + where + " was cancelled (" + to_string(phase) + ")");
}

// ---- name resolution: platform/resolve.hpp (getaddrinfo on a detached thread), until the deadline ----

// `where` is host:port for messages (the proxy's when connecting to a proxy).
std::variant<std::vector<tcp::endpoint>, TransportError> resolve(const std::string& host, unsigned short port,
                                                                 const std::string& numeric_override,
                                                                 const Budget& limit, const std::string& where,
                                                                 StopFlags stop) {
  const bool numeric = !numeric_override.empty();
  auto lookup = platform::lookup_bounded(
      numeric ? numeric_override : host, port, numeric, limit.deadline, [stop] { return stopped(stop); }, kSlice);
  switch (lookup.end) {
    case platform::LookupEnd::stopped: return cancelled(Phase::resolve, where);
    case platform::LookupEnd::timed_out:
      return fail(Kind::timeout, Phase::resolve,
                  "name resolution of " + host + " (for " + where + ") did not finish within " +
                      seconds_text(limit.span));
    case platform::LookupEnd::answered: break;
  }
  std::vector<tcp::endpoint> endpoints;
  for (const std::string& address : lookup.answer.addresses) {
    tcp::endpoint endpoint;
    if (address.size() <= endpoint.capacity()) {
      std::memcpy(endpoint.data(), address.data(), address.size());
      endpoint.resize(address.size());
      endpoints.push_back(endpoint);
    }
  }
  if (lookup.answer.status == 0 && endpoints.empty()) lookup.answer.addresses.clear();  // none usable
  if (auto error = platform::lookup_error(host, lookup.answer)) return *error;
  return endpoints;
}

// ---- one TLS connection with its own io_context -------------------------------------------------

using detail::Wait;

struct Connection {
  explicit Connection(ssl::context& context) : io(1), stream(io, context) {}

  asio::io_context io;  // declared before the stream that uses it
  beast::ssl_stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  Clock::time_point idle_since{};

  tcp::socket& socket() { return beast::get_lowest_layer(stream).socket(); }

  // Runs the io_context until `done`, the deadline, or *stop (net/io_wait.hpp); an operation still
  // pending then is aborted and the connection is unusable (it must not be pooled).
  Wait run(const bool& done, Clock::time_point deadline, StopFlags stop) {
    return detail::run_io(
        io, socket(), done, deadline, [stop] { return stopped(stop); }, std::chrono::seconds(2));
  }

  // True when an idle connection still looks usable: the peer has not closed it and sent nothing.
  // (A non-blocking peek: "would block" means open and quiet. Portable across POSIX and Winsock.)
  // A connection that never carried a request (a pre-connection) may hold TLS 1.3 session tickets
  // the server sent after the handshake; they are read with the first response, so there any bytes
  // are fine and only a closed or failed socket is not.
  bool looks_alive() {
    tcp::socket& s = socket();
    if (!s.is_open()) return false;
    beast::error_code ec;
    s.non_blocking(true, ec);
    if (ec) return false;
    char byte;
    const std::size_t peeked = s.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
    beast::error_code ignored;
    s.non_blocking(false, ignored);
    if (ec == asio::error::would_block) return true;
    return !used && !ec && peeked == 1;
  }

  bool used = false;  // has carried a request
};

Kind classify_io_error(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return Kind::timeout;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return Kind::reset;
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) return Kind::protocol;
  return Kind::reset;
}

std::string tls_failure_detail(Connection& connection, const beast::error_code& ec, const std::string& where) {
  const long verify = SSL_get_verify_result(connection.stream.native_handle());
  if (verify != X509_V_OK) {
    // The fix (AGENT_CAINFO for a TLS-inspecting proxy) is the caller's hint, not part of the detail.
    return "TLS certificate verification for " + where + " failed: " + X509_verify_cert_error_string(verify);
  }
  return "TLS handshake with " + where + " failed: " + ec.message();
}

// ---- the pool -----------------------------------------------------------------------------------

struct HostPool {
  std::vector<std::unique_ptr<Connection>> idle;  // most recently used last
  std::size_t open = 0;                           // idle + in use
  std::size_t warming = 0;                        // pre-connections being opened (counted in open)
  std::size_t awaiting_warm = 0;                  // requests waiting for one of them
  std::condition_variable available;
};

// A claim on one connection slot of a host pool: either a reused connection or a slot for a new one.
struct Lease {
  HostPool* pool = nullptr;
  std::unique_ptr<Connection> connection;  // null: the caller must open a new connection
};

// What a request goes to: the target host and, optionally, the proxy that tunnels to it.
struct Route {
  const Url& url;
  std::optional<Proxy> proxy;
  std::string target;  // "host:port"

  // Pool key: tunnelled and direct connections never share a pool.
  std::string pool_key() const { return proxy ? proxy->authority() + ">" + target : target; }
  // For TLS messages: "host:port" or "host:port through the proxy http://p:3128".
  std::string tls_where() const { return proxy ? target + " through the proxy " + proxy->display() : target; }
};

}  // namespace

struct HttpsClient::Impl {
  HttpsOptions options;
  ssl::context tls{ssl::context::tls_client};
  std::mutex mutex;
  std::map<std::string, HostPool> pools;  // by Route::pool_key()

  // Through a proxy, pre-connections wait until a tunnel through it has worked (so a wrong proxy
  // password is sent once per run, not once per host); 407 ends them. By Proxy::authority(), under mutex.
  enum class ProxyState { unknown, works, refuses_credentials };
  std::map<std::string, ProxyState> proxy_states;
  // A CONNECT refusal a pre-connection met, by pool key: the request for that host gets it as its own
  // answer (a refusal is never retried, so the proxy sees one CONNECT for it, as without pre-connection).
  std::map<std::string, TransportError> refused_routes;
  std::atomic<bool> closing{false};  // set by shutdown(): pre-connections still opening give up
  std::mutex warm_mutex;
  std::vector<platform::Thread> warmers;  // pre-connection threads, joined by shutdown()

  StopFlags stop() const { return {options.stop.get(), nullptr}; }
  StopFlags warm_stop() const { return {options.stop.get(), &closing}; }

  std::variant<Lease, TransportError> acquire(const Route& route, Clock::time_point deadline) {
    const auto start = Clock::now();
    std::unique_lock lock(mutex);
    HostPool& pool = pools[route.pool_key()];
    for (;;) {
      if (stopped(stop())) return cancelled(Phase::pool, route.target);
      if (const auto it = refused_routes.find(route.pool_key()); it != refused_routes.end()) return it->second;
      while (!pool.idle.empty()) {
        std::unique_ptr<Connection> candidate = std::move(pool.idle.back());
        pool.idle.pop_back();
        if (Clock::now() - candidate->idle_since < options.max_idle && candidate->looks_alive()) {
          return Lease{&pool, std::move(candidate)};
        }
        --pool.open;  // stale: dropped (closing a socket does not block)
      }
      // A pre-connection already under way is usually ready sooner than a new connection would be; but
      // one that is stuck (a server that accepts and never answers) is waited for only kWarmWait, and
      // at most half of the request's time.
      const bool warm_coming = pool.warming > pool.awaiting_warm &&
                               Clock::now() - start < std::min<Clock::duration>(kWarmWait, (deadline - start) / 2);
      if (!warm_coming && pool.open < std::max<std::size_t>(options.max_connections_per_host, 1)) {
        ++pool.open;
        return Lease{&pool, nullptr};
      }
      const auto now = Clock::now();
      if (now >= deadline) {
        return fail(Kind::timeout, Phase::pool,
                    "no connection to " + route.target + " became free within " +
                        seconds_text(std::chrono::duration_cast<milliseconds>(now - start)));
      }
      if (warm_coming) ++pool.awaiting_warm;
      pool.available.wait_for(lock, std::min<Clock::duration>(kSlice, deadline - now));
      if (warm_coming) --pool.awaiting_warm;
    }
  }

  void release(Lease& lease, bool keep) {
    std::lock_guard lock(mutex);
    if (keep && lease.connection) {
      lease.connection->idle_since = Clock::now();
      lease.pool->idle.push_back(std::move(lease.connection));
    } else {
      lease.connection.reset();
      --lease.pool->open;
    }
    lease.pool->available.notify_one();
  }

  std::string override_for(const std::string& host) const {
    const auto it = options.resolve_overrides.find(host);
    return it == options.resolve_overrides.end() ? std::string() : it->second;
  }

  void note_tunnel(const Route& route, const std::optional<TransportError>& error) {
    std::lock_guard lock(mutex);
    ProxyState& state = proxy_states[route.proxy->authority()];
    if (!error) {
      state = ProxyState::works;
    } else if (error->kind == Kind::refused && error->detail.find(kProxyAuthRequired) != std::string::npos) {
      state = ProxyState::refuses_credentials;
    }
  }

  // Through a proxy: waits (bounded) until a tunnel through it has worked. False: do not pre-connect.
  bool proxy_works(const Route& route, Clock::time_point deadline) {
    if (!route.proxy) return true;
    for (;;) {
      {
        std::lock_guard lock(mutex);
        const auto it = proxy_states.find(route.proxy->authority());
        if (it != proxy_states.end() && it->second == ProxyState::works) return true;
        if (it != proxy_states.end() && it->second == ProxyState::refuses_credentials) return false;
      }
      if (stopped(warm_stop()) || Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(kSlice);
    }
  }

  // CONNECT through the proxy on the connected TCP stream; nullopt once the tunnel is up.
  std::optional<TransportError> tunnel(Connection& connection, const Route& route, Clock::time_point request_deadline,
                                       StopFlags stop) {
    const Proxy& proxy = *route.proxy;
    const Budget limit = budget(options.connect_timeout, request_deadline);
    auto& tcp_stream = beast::get_lowest_layer(connection.stream);
    http::request<http::empty_body> hello{http::verb::connect, route.target, 11};
    hello.set(http::field::host, route.target);
    hello.set(http::field::user_agent, options.user_agent);
    if (auto authorization = proxy.authorization()) hello.set(http::field::proxy_authorization, *authorization);

    beast::error_code ec;
    bool done = false;
    const std::string about = "the proxy " + proxy.display() + " (CONNECT " + route.target + ")";
    http::async_write(tcp_stream, hello, [&](const beast::error_code& e, std::size_t) {
      ec = e;
      done = true;
    });
    Wait waited = connection.run(done, limit.deadline, stop);
    if (waited == Wait::cancelled) return cancelled(Phase::proxy, route.target);
    if (waited == Wait::timeout) {
      return fail(Kind::timeout, Phase::proxy,
                  "sending CONNECT to " + about + " did not finish within " + seconds_text(limit.span));
    }
    if (ec) return fail(Kind::reset, Phase::proxy, "sending CONNECT to " + about + " failed: " + ec.message());

    http::response_parser<http::empty_body> parser;
    parser.header_limit(kMaxProxyHeaderBytes);
    parser.skip(true);  // a 2xx to CONNECT has no body; other answers end the connection anyway
    beast::flat_buffer buffer;
    done = false;
    http::async_read_header(tcp_stream, buffer, parser, [&](const beast::error_code& e, std::size_t) {
      ec = e;
      done = true;
    });
    waited = connection.run(done, limit.deadline, stop);
    if (waited == Wait::cancelled) return cancelled(Phase::proxy, route.target);
    if (waited == Wait::timeout) {
      return fail(Kind::timeout, Phase::proxy, "no answer from " + about + " within " + seconds_text(limit.span));
    }
    if (ec == http::error::header_limit) {
      return fail(Kind::protocol, Phase::proxy, "the answer headers from " + about + " are too large");
    }
    if (ec) {
      const Kind kind = classify_io_error(ec);
      return fail(kind, Phase::proxy, "reading the answer of " + about + " failed: " + ec.message());
    }
    const int status = static_cast<int>(parser.get().result_int());
    if (status == 407) {
      std::string detail = "the proxy " + proxy.display() + " requires authentication for CONNECT " + route.target +
                           std::string(kProxyAuthRequired);
      detail += proxy.username.empty() ? "no credentials are configured; set " + proxy.credentials_source
                                       : "check " + proxy.credentials_source;
      return fail(Kind::refused, Phase::proxy, std::move(detail));
    }
    if (status < 200 || status > 299) {
      return fail(status >= 500 ? Kind::connect : Kind::refused, Phase::proxy,
                  "proxy " + proxy.display() + " refused CONNECT to " + route.target + " with HTTP " +
                      std::to_string(status));
    }
    if (buffer.size() != 0) {
      return fail(Kind::protocol, Phase::proxy, about + " sent data after its 2xx answer, before the TLS handshake");
    }
    return std::nullopt;
  }

  std::optional<TransportError> open(Connection& connection, const Route& route, Clock::time_point request_deadline,
                                     StopFlags stop) {
    const Url& url = route.url;
    const std::string& host = route.proxy ? route.proxy->host : url.host;
    const unsigned short port = route.proxy ? route.proxy->port : url.port;
    const std::string where = route.proxy ? "the proxy " + route.proxy->display() + " (for " + route.target + ")"
                                          : route.target;

    // Resolve + TCP connect share one budget.
    const Budget connect_limit = budget(options.connect_timeout, request_deadline);
    auto resolved = resolve(host, port, override_for(host), connect_limit, route.target, stop);
    if (auto* error = std::get_if<TransportError>(&resolved)) {
      // A proxy name that does not exist is not "the Azure host does not exist" (callers treat
      // resolve_not_found as a permanent fact about the URL's host).
      if (route.proxy && error->kind == Kind::resolve_not_found) {
        error->kind = Kind::connect;
        error->detail = "the proxy " + route.proxy->display() + ": " + error->detail;
      }
      return *error;
    }
    const auto& endpoints = std::get<std::vector<tcp::endpoint>>(resolved);

    auto& tcp_stream = beast::get_lowest_layer(connection.stream);
    beast::error_code ec;
    bool done = false;
    tcp_stream.async_connect(endpoints, [&](const beast::error_code& e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    Wait waited = connection.run(done, connect_limit.deadline, stop);
    if (waited == Wait::cancelled) return cancelled(Phase::connect, route.target);
    if (waited == Wait::timeout) {
      return fail(Kind::timeout, Phase::connect,
                  "no TCP connection to " + where + " within " + seconds_text(connect_limit.span));
    }
    if (ec) return fail(Kind::connect, Phase::connect, "could not connect to " + where + ": " + ec.message());
    // Requests are written whole, in one go: Nagle's algorithm would only hold a request back until the
    // previous segment (a TLS Finished, a request's head) is acknowledged.
    tcp_stream.socket().set_option(tcp::no_delay(true), ec);
    ec = {};

    if (route.proxy) {
      auto error = tunnel(connection, route, request_deadline, stop);
      note_tunnel(route, error);
      if (error) return error;
    }

    // TLS with the target host (inside the tunnel when there is a proxy): SNI and verification
    // against the URL's host, never the proxy's.
    const std::string tls_where = route.tls_where();
    SSL* ssl_handle = connection.stream.native_handle();
    if (SSL_set_tlsext_host_name(ssl_handle, url.host.c_str()) != 1 ||
        SSL_set1_host(ssl_handle, url.host.c_str()) != 1) {
      return fail(Kind::tls, Phase::tls, "could not set up TLS for " + tls_where);
    }
    connection.stream.set_verify_mode(ssl::verify_peer);
    connection.stream.set_verify_callback(ssl::host_name_verification(url.host));

    const Budget tls_limit = budget(options.tls_timeout, request_deadline);
    done = false;
    connection.stream.async_handshake(ssl::stream_base::client, [&](const beast::error_code& e) {
      ec = e;
      done = true;
    });
    waited = connection.run(done, tls_limit.deadline, stop);
    if (waited == Wait::cancelled) return cancelled(Phase::tls, route.target);
    if (waited == Wait::timeout) {
      return fail(Kind::timeout, Phase::tls,
                  "TLS handshake with " + tls_where + " did not finish within " + seconds_text(tls_limit.span));
    }
    if (ec) return fail(Kind::tls, Phase::tls, tls_failure_detail(connection, ec, tls_where));
    return std::nullopt;
  }

  struct Exchange {
    Outcome outcome;
    bool keep_alive = false;
    bool nothing_received = false;  // failed before any response byte arrived
  };

  Exchange exchange(Connection& connection, const http::request<http::string_body>& message, const Route& route,
                    const std::string& method, Clock::time_point request_deadline) {
    const std::string& where = route.target;
    beast::error_code ec;
    bool done = false;

    // Writing the request: bounded like the headers (a peer that stops reading stalls us here).
    const Budget send_limit = budget(options.header_timeout, request_deadline);
    http::async_write(connection.stream, message, [&](const beast::error_code& e, std::size_t) {
      ec = e;
      done = true;
    });
    Wait waited = connection.run(done, send_limit.deadline, stop());
    if (waited == Wait::cancelled) return {cancelled(Phase::send, where), false, true};
    if (waited == Wait::timeout) {
      return {fail(Kind::timeout, Phase::send,
                   "sending the request to " + where + " did not finish within " + seconds_text(send_limit.span)),
              false, true};
    }
    if (ec) {
      return {fail(classify_io_error(ec), Phase::send, "sending the request to " + where + " failed: " + ec.message()),
              false, true};
    }

    // The response headers, skipping interim (1xx) responses: one budget from the request written to
    // the end of the final response's headers.
    const Budget header_limit = budget(options.header_timeout, request_deadline);
    std::optional<http::response_parser<http::string_body>> parser;
    bool got_any = false;
    for (int interim = 0;; ++interim) {
      parser.emplace();
      parser->body_limit(options.max_response_body);
      parser->header_limit(kMaxResponseHeaderBytes);
      if (method == "HEAD") parser->skip(true);
      done = false;
      http::async_read_header(connection.stream, connection.buffer, *parser,
                              [&](const beast::error_code& e, std::size_t) {
        ec = e;
        done = true;
      });
      waited = connection.run(done, header_limit.deadline, stop());
      const bool nothing = !got_any && !parser->got_some() && connection.buffer.size() == 0;
      got_any = got_any || parser->got_some();
      if (waited == Wait::cancelled) return {cancelled(Phase::headers, where), false, false};
      if (waited == Wait::timeout) {
        return {fail(Kind::timeout, Phase::headers,
                     "no response headers from " + where + " within " + seconds_text(header_limit.span)),
                false, false};
      }
      if (ec == http::error::header_limit) {
        return {fail(Kind::protocol, Phase::headers, "the response headers from " + where + " are too large"), false,
                false};
      }
      if (ec == http::error::body_limit) {  // a Content-Length above the limit is caught with the headers
        return {fail(Kind::protocol, Phase::headers,
                     "the response from " + where + " is larger than " + std::to_string(options.max_response_body) +
                         " bytes"),
                false, false};
      }
      if (ec) {
        return {fail(classify_io_error(ec), Phase::headers,
                     "reading the response headers from " + where + " failed: " + ec.message()),
                false, nothing};
      }
      const unsigned status = parser->get().result_int();
      if (status < 100 || status > 199) break;
      if (status == 101) {
        return {fail(Kind::protocol, Phase::headers,
                     where + " answered 101 Switching Protocols, but no protocol upgrade was asked for"),
                false, false};
      }
      if (interim + 1 >= kMaxInterimResponses) {
        return {fail(Kind::protocol, Phase::headers,
                     where + " sent more than " + std::to_string(kMaxInterimResponses) + " interim (1xx) responses"),
                false, false};
      }
      // A 1xx has no body: the parser is done; the final response follows on the same connection.
    }

    // The body: every read bounded by body_idle_timeout (a stall), the whole body by the request's
    // remaining time (a slow drip).
    while (!parser->is_done()) {
      const Budget idle = budget(options.body_idle_timeout, request_deadline);
      const bool capped_by_request = idle.span < options.body_idle_timeout;
      done = false;
      http::async_read_some(connection.stream, connection.buffer, *parser,
                            [&](const beast::error_code& e, std::size_t) {
        ec = e;
        done = true;
      });
      waited = connection.run(done, idle.deadline, stop());
      if (waited == Wait::cancelled) return {cancelled(Phase::body, where), false, false};
      if (waited == Wait::timeout) {
        return {fail(Kind::timeout, Phase::body,
                     capped_by_request
                         ? "the response body from " + where + " did not finish within the request's time limit"
                         : "the response body from " + where + " stalled: no data for " + seconds_text(idle.span)),
                false, false};
      }
      if (ec == http::error::body_limit) {
        return {fail(Kind::protocol, Phase::body,
                     "the response from " + where + " is larger than " + std::to_string(options.max_response_body) +
                         " bytes"),
                false, false};
      }
      if (ec) {
        return {fail(classify_io_error(ec), Phase::body,
                     "reading the response body from " + where + " failed: " + ec.message()),
                false, false};
      }
    }

    http::response<http::string_body> response = parser->release();
    Response out;
    out.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      out.headers.push_back(Header{std::string(field.name_string()), std::string(field.value())});
    }
    out.body = std::move(response.body());
    const bool keep = response.keep_alive() && connection.buffer.size() == 0;
    return {std::move(out), keep, false};
  }

  // Opens one connection for `route` and parks it idle, if fewer than `want_open` are open in its pool
  // (no waiting for a slot). True when a connection was parked.
  bool warm_one(const Route& route, std::size_t want_open, Clock::time_point deadline) {
    Lease lease;
    {
      std::lock_guard lock(mutex);
      HostPool& pool = pools[route.pool_key()];
      const std::size_t limit = std::min(want_open, std::max<std::size_t>(options.max_connections_per_host, 1));
      if (pool.open >= limit || stopped(warm_stop())) return false;
      ++pool.open;
      ++pool.warming;
      lease.pool = &pool;
    }
    std::optional<TransportError> error;
    try {
      lease.connection = std::make_unique<Connection>(tls);
      error = open(*lease.connection, route, deadline, warm_stop());
    } catch (const std::exception&) {  // e.g. no thread for the resolver: the slot is given back below
      error = fail(Kind::connect, Phase::connect, "could not pre-connect to " + route.target);
    }
    const bool opened = !error.has_value();
    std::lock_guard lock(mutex);
    if (error && error->kind == Kind::refused && error->phase == Phase::proxy) {
      refused_routes.emplace(route.pool_key(), *error);
    }
    --lease.pool->warming;
    if (opened) {
      lease.connection->idle_since = Clock::now();
      lease.pool->idle.push_back(std::move(lease.connection));
    } else {
      lease.connection.reset();
      --lease.pool->open;
    }
    lease.pool->available.notify_all();  // a waiting request takes it, or opens its own after a failure
    return opened;
  }

  void preconnect(const Url& url, std::size_t connections, milliseconds timeout) {
    if (connections == 0 || stopped(warm_stop())) return;
    const Clock::time_point deadline = Clock::now() + std::min(timeout, options.connect_timeout + options.tls_timeout);
    std::lock_guard lock(warm_mutex);
    if (closing) return;
    // Best effort: where no thread can be started (a low pids limit), there is simply no pre-connection.
    try {
      warmers.emplace_back([this, url, connections, deadline] {
        const Route route{url, proxy_for(options.proxy, url), url.host + ":" + std::to_string(url.port)};
        try {
          if (!proxy_works(route, deadline)) return;
          if (!warm_one(route, connections, deadline)) return;  // unreachable (or enough open): no fan-out
        } catch (const std::exception&) {
          return;
        }
        std::vector<platform::Thread> rest;
        rest.reserve(connections);
        for (std::size_t i = 1; i < connections; ++i) {
          try {
            rest.emplace_back([this, &route, connections, deadline] {
              try {
                warm_one(route, connections, deadline);
              } catch (const std::exception&) {
              }
            });
          } catch (const std::system_error&) {
            break;
          }
        }
        for (auto& thread : rest) thread.join();
      });
    } catch (const std::system_error&) {
    }
  }

  void shutdown() {
    closing = true;
    std::lock_guard lock(warm_mutex);
    for (auto& thread : warmers) thread.join();
    warmers.clear();
  }

  Outcome send(const Request& request) {
    const Clock::time_point deadline = Clock::now() + request.timeout;
    const Url& url = request.url;
    Route route{url, proxy_for(options.proxy, url), url.host + ":" + std::to_string(url.port)};
    if (stopped(stop())) return cancelled(Phase::none, route.target);

    // Refusals: decided before any connection is made.
    if (request.bearer && request.bearer->host != url.host) {
      return fail(Kind::refused, Phase::none,
                  "a bearer token for " + request.bearer->host + " may not be sent to " + url.host);
    }
    const http::verb verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) return fail(Kind::refused, Phase::none, "unsupported HTTP method");
    if (has_control_line_break(url.target)) {
      return fail(Kind::refused, Phase::none, "the request target contains a line break");
    }
    http::request<http::string_body> message{verb, url.target, 11};
    message.set(http::field::host, url.authority());
    message.set(http::field::user_agent, options.user_agent);
    for (const auto& header : request.headers) {
      const std::string name = ascii_lower(header.name);
      if (name == "authorization" || name == "host" || name == "content-length" || name == "transfer-encoding" ||
          name == "connection" || name == "proxy-authorization") {
        return fail(Kind::refused, Phase::none, "the request may not set the " + header.name + " header");
      }
      if (name.empty() || has_control_line_break(header.name) || has_control_line_break(header.value) ||
          name.find_first_of(" :") != std::string::npos) {
        return fail(Kind::refused, Phase::none, "a request header is malformed");
      }
      message.set(header.name, header.value);
    }
    if (request.bearer) {
      if (request.bearer->token.empty() || has_control_line_break(request.bearer->token)) {
        return fail(Kind::refused, Phase::none, "the bearer token is empty or malformed");
      }
      message.set(http::field::authorization, "Bearer " + request.bearer->token);
    }
    message.body() = request.body;
    message.prepare_payload();
    message.keep_alive(true);

    auto leased = acquire(route, deadline);
    if (auto* error = std::get_if<TransportError>(&leased)) return *error;
    Lease lease = std::move(std::get<Lease>(leased));

    for (int round = 0;; ++round) {
      const bool reused = lease.connection != nullptr;
      if (!reused) {
        lease.connection = std::make_unique<Connection>(tls);
        if (auto error = open(*lease.connection, route, deadline, stop())) {
          release(lease, false);
          return *error;
        }
      }
      Exchange result = exchange(*lease.connection, message, route, request.method, deadline);
      lease.connection->used = true;
      const auto* error = std::get_if<TransportError>(&result.outcome);
      if (error && reused && round == 0 && result.nothing_received && error->kind != Kind::timeout &&
          error->kind != Kind::cancelled && Clock::now() < deadline) {
        lease.connection.reset();  // the server closed it while idle: same slot, fresh connection
        continue;
      }
      release(lease, result.keep_alive && !error);
      return std::move(result.outcome);
    }
  }
};

HttpsClient::HttpsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsClient::~HttpsClient() { impl_->shutdown(); }

Expected<std::unique_ptr<HttpsClient>> HttpsClient::create(HttpsOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  SSL_CTX* context = impl->tls.native_handle();
  if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1) {
    Error error;
    error.message = "OpenSSL refused to set TLS 1.2 as the minimum protocol version.";
    return error;
  }
  impl->tls.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  impl->tls.set_verify_mode(ssl::verify_peer);
  if (auto trusted = configure_trust(context, impl->options.trust); !trusted) return trusted.error();
  return std::unique_ptr<HttpsClient>(new HttpsClient(std::move(impl)));
}

Outcome HttpsClient::send(const Request& request) { return impl_->send(request); }

void HttpsClient::preconnect(const Url& url, std::size_t connections, std::chrono::milliseconds timeout) {
  impl_->preconnect(url, connections, timeout);
}

}  // namespace fkv::net
