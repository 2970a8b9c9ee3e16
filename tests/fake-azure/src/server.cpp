#include "server.hpp"

#include "dns.hpp"
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
  std::vector<std::string> served_names;

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

awaitable<void> session(tcp::socket socket, Shared& sh) {
  const std::uint64_t conn = sh.next_connection++;
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), sh.tls);
  stream.next_layer().expires_after(std::chrono::seconds(30));
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, tuple_awaitable);
  if (hec) co_return;
  beast::flat_buffer buffer;
  bool closed_abruptly = false;
  for (;;) {
    stream.next_layer().expires_after(std::chrono::seconds(300));
    http::request_parser<http::string_body> parser;
    parser.body_limit(8 * 1024 * 1024);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
    if (rec) break;
    const double start_ms = sh.ms_since_start();
    const auto epoch_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
    auto& req = parser.get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.host = host_without_port(req[http::field::host]);
    request.target = std::string(req.target());
    for (const auto& f : req) request.headers.emplace_back(to_lower(f.name_string()), std::string(f.value()));
    request.body = std::move(req.body());
    request.connection_id = conn;

    HttpResponse response = sh.app.handle(request);
    if (response.delay_ms > 0) {
      net::steady_timer timer(co_await net::this_coro::executor);
      timer.expires_after(std::chrono::milliseconds(response.delay_ms));
      co_await timer.async_wait(tuple_awaitable);
    }
    LogEntry entry{sh.next_seq++, conn, request.method, request.host, request.target, 0, start_ms, 0, epoch_ms, response.log};
    if (response.reset) {
      beast::error_code ignored;
      auto& sock = beast::get_lowest_layer(stream).socket();
      sock.set_option(net::socket_base::linger(true, 0), ignored);
      sock.close(ignored);
      entry.end_ms = sh.ms_since_start();
      if (sh.log) sh.log->write(format_log_line(entry));
      closed_abruptly = true;
      break;
    }
    http::response<http::string_body> res;
    res.version(req.version());
    res.result(static_cast<unsigned>(response.status));
    for (const auto& [k, v] : response.headers) res.set(k, v);
    res.set(http::field::date, http_date(unix_now()));
    res.keep_alive(req.keep_alive());
    res.body() = std::move(response.body);
    res.prepare_payload();
    // Logged before the write: once a client has the response, its log line is on disk.
    entry.status = response.status;
    entry.end_ms = sh.ms_since_start();
    if (sh.log) sh.log->write(format_log_line(entry));
    auto [wec, wn] = co_await http::async_write(stream, res, tuple_awaitable);
    if (wec || !res.keep_alive()) break;
  }
  if (!closed_abruptly) {
    stream.next_layer().expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(tuple_awaitable);
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
    if (auto answer = dns_answer(std::string_view(buf.data(), n), sh.served_names))
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

  Shared shared{app, log, tls_context, std::chrono::steady_clock::now(), {1}, {1}, app.scenario().served_names()};

  tcp::endpoint endpoint(net::ip::make_address(options.bind), static_cast<unsigned short>(options.port));
  tcp::acceptor acceptor(ioc);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(1024);

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
