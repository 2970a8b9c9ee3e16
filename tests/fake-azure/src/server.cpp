#include "server.hpp"

#include "client_hello.hpp"
#include "dns.hpp"
#include "interim.hpp"
#include "stall.hpp"
#include "util.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

namespace fake {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using udp = net::ip::udp;
using net::awaitable;
using net::use_awaitable;
constexpr auto tuple_awaitable = net::as_tuple(net::use_awaitable);

struct Shared {
  App& app;
  RequestLog* log;
  ssl::context& tls;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> next_connection{1};
  std::atomic<std::uint64_t> next_seq{1};
  DnsTable dns;
  bool scan_sni = false;  // read the ClientHello first: "stall": "accept" rules pick connections by SNI

  double ms_since_start() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  }
};

std::string host_without_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    auto end = host.find(']');
    return to_lower(host.substr(1, end == std::string_view::npos ? host.size() : end - 1));
  }
  return to_lower(host.substr(0, host.find(':')));
}

awaitable<void> sleep_ms(int ms) {
  if (ms <= 0) co_return;
  net::steady_timer timer(co_await net::this_coro::executor);
  timer.expires_after(std::chrono::milliseconds(ms));
  co_await timer.async_wait(tuple_awaitable);
}

// A held connection: read and discard until the client closes or `ms` pass (the tcp_stream's
// timeout then closes the socket). Only timers and async reads: it never blocks a thread, and
// SIGTERM (ioc.stop) ends it like any other pending operation.
template <class Stream>
awaitable<void> hold(Stream& stream, beast::tcp_stream& lowest, int ms) {
  lowest.expires_after(std::chrono::milliseconds(ms));
  std::array<char, 4096> sink;
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), tuple_awaitable);
    if (ec) co_return;
  }
}

void write_log(Shared& sh, LogEntry& entry) {
  entry.end_ms = sh.ms_since_start();
  if (sh.log) sh.log->write(format_log_line(entry));
}

std::int64_t epoch_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Reads until the first TLS record is complete (or 20000 bytes are in); nullopt if the connection failed.
awaitable<std::optional<ClientHelloScan>> read_client_hello(beast::tcp_stream& tcp, beast::flat_buffer& hello) {
  tcp.expires_after(std::chrono::seconds(30));
  for (;;) {
    auto scan = scan_client_hello(std::string_view(static_cast<const char*>(hello.cdata().data()), hello.size()));
    if (scan.state != ClientHelloScan::State::need_more || hello.size() >= 20000) co_return scan;
    auto [ec, n] = co_await tcp.async_read_some(hello.prepare(4096), tuple_awaitable);
    if (ec) co_return std::nullopt;
    hello.commit(n);
  }
}

awaitable<void> session(tcp::socket socket, Shared& sh) {
  const std::uint64_t conn = sh.next_connection++;
  beast::tcp_stream tcp(std::move(socket));
  co_await sleep_ms(sh.app.scenario().connect_delay_ms);  // models the TCP + TLS round trips of a real connection
  // With "accept" rules, the ClientHello is read here (its SNI picks the rule) and handed to the TLS
  // engine afterwards; without them `hello` stays empty and the handshake reads the socket itself.
  beast::flat_buffer hello;
  if (sh.scan_sni) {
    auto scan = co_await read_client_hello(tcp, hello);
    if (!scan) co_return;
    const std::string sni = scan->sni.value_or("");
    App::ConnectionPlan plan = sh.app.on_connection(sni);
    if (plan.stall) {
      LogEntry entry{sh.next_seq++, conn, "", sni, "", 0, sh.ms_since_start(), 0, epoch_ms_now(), {}};
      entry.info.fault = plan.fault;
      entry.info.stall = "accept";
      write_log(sh, entry);
      co_await hold(tcp, tcp, plan.hold_ms);
      co_return;
    }
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), sh.tls);
  auto& lowest = stream.next_layer();
  lowest.expires_after(std::chrono::seconds(30));
  auto [hec, used] = co_await stream.async_handshake(ssl::stream_base::server, hello.cdata(), tuple_awaitable);
  if (hec) co_return;
  beast::flat_buffer buffer;
  bool closed_abruptly = false;
  for (;;) {
    lowest.expires_after(std::chrono::seconds(300));
    http::request_parser<http::string_body> parser;
    parser.body_limit(8 * 1024 * 1024);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
    if (rec) break;
    const double start_ms = sh.ms_since_start();
    const auto epoch_ms = epoch_ms_now();
    auto& req = parser.get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.host = host_without_port(req[http::field::host]);
    request.target = std::string(req.target());
    for (const auto& f : req) request.headers.emplace_back(to_lower(f.name_string()), std::string(f.value()));
    request.body = std::move(req.body());
    request.connection_id = conn;

    HttpResponse response = sh.app.handle(request);
    co_await sleep_ms(response.delay_ms);
    LogEntry entry{sh.next_seq++, conn, request.method, request.host, request.target, 0,
                   start_ms,      0,    epoch_ms,       response.log};
    if (response.reset) {
      beast::error_code ignored;
      auto& sock = lowest.socket();
      sock.set_option(net::socket_base::linger(true, 0), ignored);
      sock.close(ignored);
      write_log(sh, entry);
      closed_abruptly = true;
      break;
    }
    http::response<http::string_body> res;
    res.version(req.version());
    res.result(static_cast<unsigned>(response.status));
    res.set(http::field::date, http_date(unix_now()));  // first, so that a fault's "headers" may replace it
    for (const auto& [k, v] : response.headers) res.set(k, v);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(response.body);
    res.prepare_payload();
    // Logged before the write: once a client has the response, its log line is on disk.
    entry.status = response.stall.kind == StallKind::headers ? 0 : response.status;
    write_log(sh, entry);
    for (int status : response.interim) {
      const std::string text = interim_response(status);
      lowest.expires_after(std::chrono::seconds(30));
      auto [iec, in] = co_await net::async_write(stream, net::buffer(text), tuple_awaitable);
      if (iec) co_return;
    }
    if (response.stall.kind == StallKind::none) {
      lowest.expires_after(std::chrono::seconds(300));
      auto [wec, wn] = co_await http::async_write(stream, res, tuple_awaitable);
      if (wec || !res.keep_alive()) break;
      continue;
    }
    // A stalled answer: the serialized head and body, written as the plan says.
    std::ostringstream head;
    head << res.base();
    const StallPlan plan = plan_stall(response.stall, head.str(), res.body());
    for (const auto& step : plan.steps) {
      co_await sleep_ms(step.wait_ms);
      lowest.expires_after(std::chrono::seconds(30));
      auto [sec, sn] = co_await net::async_write(stream, net::buffer(step.bytes), tuple_awaitable);
      if (sec) co_return;
    }
    if (plan.end == StallEnd::hold) co_await hold(stream, lowest, response.stall.hold_ms);
    if (plan.end != StallEnd::finish || !res.keep_alive()) break;
  }
  if (!closed_abruptly) {
    lowest.expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(tuple_awaitable);
  }
}

// The IMDS listener: plain HTTP/1.1, one request after another, no faults or stalls.
awaitable<void> plain_session(tcp::socket socket, Shared& sh) {
  const std::uint64_t conn = sh.next_connection++;
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    stream.expires_after(std::chrono::seconds(30));
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
    if (rec) break;
    const double start_ms = sh.ms_since_start();
    const auto epoch_ms = epoch_ms_now();
    auto& req = parser.get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.host = host_without_port(req[http::field::host]);
    request.target = std::string(req.target());
    for (const auto& f : req) request.headers.emplace_back(to_lower(f.name_string()), std::string(f.value()));
    request.body = std::move(req.body());
    request.connection_id = conn;
    request.plain = true;
    HttpResponse response = sh.app.handle(request);
    LogEntry entry{sh.next_seq++, conn, request.method, request.host, request.target, response.status,
                   start_ms,      0,    epoch_ms,       response.log};
    http::response<http::string_body> res;
    res.version(req.version());
    res.result(static_cast<unsigned>(response.status));
    res.set(http::field::date, http_date(unix_now()));
    for (const auto& [k, v] : response.headers) res.set(k, v);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(response.body);
    res.prepare_payload();
    write_log(sh, entry);
    auto [wec, wn] = co_await http::async_write(stream, res, tuple_awaitable);
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

awaitable<void> plain_accept_loop(tcp::acceptor& acceptor, Shared& sh) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(acceptor.get_executor()), tuple_awaitable);
    if (ec == net::error::operation_aborted) co_return;
    if (ec) continue;
    auto executor = socket.get_executor();
    net::co_spawn(executor, plain_session(std::move(socket), sh), net::detached);
  }
}

awaitable<void> accept_loop(tcp::acceptor& acceptor, Shared& sh) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(acceptor.get_executor()), tuple_awaitable);
    if (ec == net::error::operation_aborted) co_return;
    if (ec) continue;
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto executor = socket.get_executor();
    net::co_spawn(executor, session(std::move(socket), sh), net::detached);
  }
}

awaitable<void> dns_loop(udp::socket& socket, Shared& sh) {
  std::array<char, 1500> buf;
  for (;;) {
    udp::endpoint from;
    auto [ec, n] = co_await socket.async_receive_from(net::buffer(buf), from, tuple_awaitable);
    if (ec == net::error::operation_aborted) co_return;
    if (ec) continue;
    if (auto answer = sh.dns.answer(std::string_view(buf.data(), n)))
      co_await socket.async_send_to(net::buffer(*answer), from, tuple_awaitable);
  }
}

}  // namespace

int run_server(const ServerOptions& options, App& app, const TlsMaterial& tls, RequestLog* log,
               const std::function<void()>& on_ready) {
  std::signal(SIGPIPE, SIG_IGN);
  net::io_context ioc(options.threads);
  ssl::context tls_context(ssl::context::tls_server);
  tls_context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                          ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  tls_context.use_certificate_chain(net::buffer(tls.leaf_cert_pem));
  tls_context.use_private_key(net::buffer(tls.leaf_key_pem), ssl::context::pem);

  Shared shared{app,
                log,
                tls_context,
                std::chrono::steady_clock::now(),
                {1},
                {1},
                DnsTable(app.scenario().served_names(), app.scenario().dns_fail_after()),
                app.scenario().has_accept_stalls()};

  tcp::endpoint endpoint(net::ip::make_address(options.bind), static_cast<unsigned short>(options.port));
  tcp::acceptor acceptor(ioc);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(1024);

  std::optional<tcp::acceptor> imds;
  if (!options.imds_bind.empty()) {
    const tcp::endpoint at(net::ip::make_address(options.imds_bind), 80);
    imds.emplace(ioc);
    imds->open(at.protocol());
    imds->set_option(net::socket_base::reuse_address(true));
    imds->bind(at);
    imds->listen(64);
    net::co_spawn(ioc, plain_accept_loop(*imds, shared), net::detached);
  }

  std::optional<udp::socket> dns;
  if (options.dns_port) {
    dns.emplace(ioc, udp::endpoint(net::ip::make_address(options.bind), static_cast<unsigned short>(options.dns_port)));
    net::co_spawn(ioc, dns_loop(*dns, shared), net::detached);
  }
  net::co_spawn(ioc, accept_loop(acceptor, shared), net::detached);

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const beast::error_code&, int) { ioc.stop(); });

  on_ready();
  std::vector<std::thread> threads;
  for (int i = 1; i < options.threads; ++i) threads.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  return 0;
}

}  // namespace fake
