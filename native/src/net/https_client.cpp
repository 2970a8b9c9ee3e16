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
#include <thread>
#include <vector>

#include "net/tls.hpp"
#include "core/text.hpp"

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

TransportError fail(Kind kind, std::string detail) { return TransportError{kind, std::move(detail)}; }

bool has_control_line_break(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// ---- name resolution: getaddrinfo on a detached thread, waited for until the deadline ----------

struct Resolution {
  std::mutex mutex;
  std::condition_variable done_signal;
  bool done = false;
  int status = 0;
  int saved_errno = 0;
  std::vector<tcp::endpoint> endpoints;
};

std::variant<std::vector<tcp::endpoint>, TransportError> resolve(const std::string& host, unsigned short port,
                                                                 const std::string& numeric_override,
                                                                 Clock::time_point deadline) {
  auto state = std::make_shared<Resolution>();
  const std::string name = numeric_override.empty() ? host : numeric_override;
  const bool numeric = !numeric_override.empty();
  std::thread([state, name, numeric, port] {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (numeric ? AI_NUMERICHOST : 0);
    addrinfo* list = nullptr;
    const int status = ::getaddrinfo(name.c_str(), std::to_string(port).c_str(), &hints, &list);
    const int saved_errno = errno;
    std::vector<tcp::endpoint> endpoints;
    for (addrinfo* entry = list; status == 0 && entry; entry = entry->ai_next) {
      tcp::endpoint endpoint;
      if (entry->ai_addrlen <= endpoint.capacity()) {
        std::memcpy(endpoint.data(), entry->ai_addr, entry->ai_addrlen);
        endpoint.resize(entry->ai_addrlen);
        endpoints.push_back(endpoint);
      }
    }
    if (list) ::freeaddrinfo(list);
    std::lock_guard lock(state->mutex);
    state->status = status;
    state->saved_errno = saved_errno;
    state->endpoints = std::move(endpoints);
    state->done = true;
    state->done_signal.notify_all();
  }).detach();

  std::unique_lock lock(state->mutex);
  if (!state->done_signal.wait_until(lock, deadline, [&] { return state->done; })) {
    return fail(Kind::timeout, "name resolution of " + host + " timed out");
  }
  switch (state->status) {
    case 0:
      if (state->endpoints.empty()) return fail(Kind::resolve_not_found, "no address for " + host);
      return std::move(state->endpoints);
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
      return fail(Kind::resolve_not_found, "the host name " + host + " does not exist (" +
                                               ::gai_strerror(state->status) + ")");
#ifdef EAI_SYSTEM
    case EAI_SYSTEM:
      return fail(Kind::resolve_failed,
                  "could not resolve " + host + ": " + std::strerror(state->saved_errno));
#endif
    default:
      return fail(Kind::resolve_failed, "could not resolve " + host + ": " + ::gai_strerror(state->status));
  }
}

// ---- one TLS connection with its own io_context -------------------------------------------------

struct Connection {
  explicit Connection(ssl::context& context) : io(1), stream(io, context) {}

  asio::io_context io;  // declared before the stream that uses it
  beast::ssl_stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  Clock::time_point idle_since{};

  tcp::socket& socket() { return beast::get_lowest_layer(stream).socket(); }

  // Runs the io_context until `done` or the deadline (plus a grace period for the stream's own
  // timer, which fires at the deadline). If the operation is still pending then, the socket is
  // closed so that its handler completes, aborted.
  void run(const bool& done, Clock::time_point deadline) {
    io.restart();
    io.run_until(deadline + std::chrono::seconds(2));
    if (!done) {
      beast::error_code ignored;
      socket().close(ignored);
      io.restart();
      io.run_for(std::chrono::seconds(2));
    }
  }

  // True when an idle connection still looks usable: the peer has not closed it and sent nothing.
  // (A non-blocking peek: "would block" means open and quiet. Portable across POSIX and Winsock.)
  bool looks_alive() {
    tcp::socket& s = socket();
    if (!s.is_open()) return false;
    beast::error_code ec;
    s.non_blocking(true, ec);
    if (ec) return false;
    char byte;
    s.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
    beast::error_code ignored;
    s.non_blocking(false, ignored);
    return ec == asio::error::would_block;
  }
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
  std::condition_variable available;
};

// A claim on one connection slot of a host pool: either a reused connection or a slot for a new one.
struct Lease {
  HostPool* pool = nullptr;
  std::unique_ptr<Connection> connection;  // null: the caller must open a new connection
};

}  // namespace

struct HttpsClient::Impl {
  HttpsOptions options;
  ssl::context tls{ssl::context::tls_client};
  std::mutex mutex;
  std::map<std::string, HostPool> pools;  // by "host:port"

  std::variant<Lease, TransportError> acquire(const Url& url, Clock::time_point deadline) {
    std::unique_lock lock(mutex);
    HostPool& pool = pools[url.host + ":" + std::to_string(url.port)];
    for (;;) {
      while (!pool.idle.empty()) {
        std::unique_ptr<Connection> candidate = std::move(pool.idle.back());
        pool.idle.pop_back();
        if (Clock::now() - candidate->idle_since < options.max_idle && candidate->looks_alive()) {
          return Lease{&pool, std::move(candidate)};
        }
        --pool.open;  // stale: dropped (closing a socket does not block)
      }
      if (pool.open < std::max<std::size_t>(options.max_connections_per_host, 1)) {
        ++pool.open;
        return Lease{&pool, nullptr};
      }
      if (pool.available.wait_until(lock, deadline) == std::cv_status::timeout && Clock::now() >= deadline) {
        return fail(Kind::timeout, "no connection to " + url.authority() + " became free before the deadline");
      }
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

  std::optional<TransportError> open(Connection& connection, const Url& url, Clock::time_point deadline) {
    const std::string where = url.host + ":" + std::to_string(url.port);
    const auto override_it = options.resolve_overrides.find(url.host);
    auto resolved = resolve(url.host, url.port,
                            override_it == options.resolve_overrides.end() ? std::string() : override_it->second,
                            deadline);
    if (auto* error = std::get_if<TransportError>(&resolved)) return *error;
    const auto& endpoints = std::get<std::vector<tcp::endpoint>>(resolved);

    auto& tcp_stream = beast::get_lowest_layer(connection.stream);
    beast::error_code ec;
    bool done = false;
    tcp_stream.expires_at(deadline);
    tcp_stream.async_connect(endpoints, [&](const beast::error_code& e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    connection.run(done, deadline);
    if (!done || ec) {
      if (!done || ec == beast::error::timeout) return fail(Kind::timeout, "connecting to " + where + " timed out");
      return fail(Kind::connect, "could not connect to " + where + ": " + ec.message());
    }

    SSL* ssl_handle = connection.stream.native_handle();
    if (SSL_set_tlsext_host_name(ssl_handle, url.host.c_str()) != 1 || SSL_set1_host(ssl_handle, url.host.c_str()) != 1) {
      return fail(Kind::tls, "could not set up TLS for " + where);
    }
    connection.stream.set_verify_mode(ssl::verify_peer);
    connection.stream.set_verify_callback(ssl::host_name_verification(url.host));

    done = false;
    tcp_stream.expires_at(deadline);
    connection.stream.async_handshake(ssl::stream_base::client, [&](const beast::error_code& e) {
      ec = e;
      done = true;
    });
    connection.run(done, deadline);
    if (!done || ec == beast::error::timeout) return fail(Kind::timeout, "TLS handshake with " + where + " timed out");
    if (ec) return fail(Kind::tls, tls_failure_detail(connection, ec, where));
    return std::nullopt;
  }

  struct Exchange {
    Outcome outcome;
    bool keep_alive = false;
    bool nothing_received = false;  // failed before any response byte arrived
  };

  Exchange exchange(Connection& connection, const http::request<http::string_body>& message, const Url& url,
                    const std::string& method, Clock::time_point deadline) {
    const std::string where = url.host + ":" + std::to_string(url.port);
    auto& tcp_stream = beast::get_lowest_layer(connection.stream);
    beast::error_code ec;
    bool done = false;

    tcp_stream.expires_at(deadline);
    http::async_write(connection.stream, message, [&](const beast::error_code& e, std::size_t) {
      ec = e;
      done = true;
    });
    connection.run(done, deadline);
    if (!done || ec) {
      const Kind kind = !done ? Kind::timeout : classify_io_error(ec);
      return {fail(kind, "sending the request to " + where + " failed: " + (done ? ec.message() : "timed out")),
              false, true};
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_response_body);
    parser.header_limit(kMaxResponseHeaderBytes);
    if (method == "HEAD") parser.skip(true);
    done = false;
    tcp_stream.expires_at(deadline);
    http::async_read(connection.stream, connection.buffer, parser, [&](const beast::error_code& e, std::size_t) {
      ec = e;
      done = true;
    });
    connection.run(done, deadline);
    if (!done || ec) {
      const bool nothing = !parser.got_some() && connection.buffer.size() == 0;
      if (done && ec == http::error::body_limit) {
        return {fail(Kind::protocol, "the response from " + where + " is larger than " +
                                         std::to_string(options.max_response_body) + " bytes"),
                false, false};
      }
      if (done && ec == http::error::header_limit) {
        return {fail(Kind::protocol, "the response headers from " + where + " are too large"), false, false};
      }
      const Kind kind = !done ? Kind::timeout : classify_io_error(ec);
      return {fail(kind, "reading the response from " + where + " failed: " + (done ? ec.message() : "timed out")),
              false, nothing};
    }

    http::response<http::string_body> response = parser.release();
    Response out;
    out.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      out.headers.push_back(Header{std::string(field.name_string()), std::string(field.value())});
    }
    out.body = std::move(response.body());
    const bool keep = response.keep_alive() && connection.buffer.size() == 0;
    return {std::move(out), keep, false};
  }

  Outcome send(const Request& request) {
    const Clock::time_point deadline = Clock::now() + request.timeout;
    const Url& url = request.url;

    // Refusals: decided before any connection is made.
    if (request.bearer && request.bearer->host != url.host) {
      return fail(Kind::refused, "a bearer token for " + request.bearer->host + " may not be sent to " + url.host);
    }
    const http::verb verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) return fail(Kind::refused, "unsupported HTTP method");
    if (has_control_line_break(url.target)) return fail(Kind::refused, "the request target contains a line break");
    http::request<http::string_body> message{verb, url.target, 11};
    message.set(http::field::host, url.authority());
    message.set(http::field::user_agent, options.user_agent);
    for (const auto& header : request.headers) {
      const std::string name = ascii_lower(header.name);
      if (name == "authorization" || name == "host" || name == "content-length" || name == "transfer-encoding" ||
          name == "connection") {
        return fail(Kind::refused, "the request may not set the " + header.name + " header");
      }
      if (name.empty() || has_control_line_break(header.name) || has_control_line_break(header.value) ||
          name.find_first_of(" :") != std::string::npos) {
        return fail(Kind::refused, "a request header is malformed");
      }
      message.set(header.name, header.value);
    }
    if (request.bearer) {
      if (request.bearer->token.empty() || has_control_line_break(request.bearer->token)) {
        return fail(Kind::refused, "the bearer token is empty or malformed");
      }
      message.set(http::field::authorization, "Bearer " + request.bearer->token);
    }
    message.body() = request.body;
    message.prepare_payload();
    message.keep_alive(true);

    auto leased = acquire(url, deadline);
    if (auto* error = std::get_if<TransportError>(&leased)) return *error;
    Lease lease = std::move(std::get<Lease>(leased));

    for (int round = 0;; ++round) {
      const bool reused = lease.connection != nullptr;
      if (!reused) {
        lease.connection = std::make_unique<Connection>(tls);
        if (auto error = open(*lease.connection, url, deadline)) {
          release(lease, false);
          return *error;
        }
      }
      Exchange result = exchange(*lease.connection, message, url, request.method, deadline);
      const auto* error = std::get_if<TransportError>(&result.outcome);
      if (error && reused && round == 0 && result.nothing_received && error->kind != Kind::timeout &&
          Clock::now() < deadline) {
        lease.connection.reset();  // the server closed it while idle: same slot, fresh connection
        continue;
      }
      release(lease, result.keep_alive);
      return std::move(result.outcome);
    }
  }
};

HttpsClient::HttpsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsClient::~HttpsClient() = default;

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

}  // namespace fkv::net
