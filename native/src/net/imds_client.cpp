// A Beast translation unit (with https_client.cpp): the plain-HTTP client of the Azure Instance Metadata
// Service. See imds_client.hpp for what it refuses.
#include "net/imds_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>

#include "core/text.hpp"
#include "net/io_wait.hpp"

namespace fkv::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Kind = TransportError::Kind;
using Phase = TransportError::Phase;

constexpr const char* kAddress = "169.254.169.254";
constexpr unsigned short kPort = 80;
constexpr const char* kWhere = "169.254.169.254:80";
constexpr std::size_t kMaxResponseBytes = 64 * 1024;

TransportError fail(Kind kind, Phase phase, std::string detail) {
  return TransportError{kind, std::move(detail), phase};
}

bool bad_text(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

using detail::Wait;

// Runs `io` until `done`, the deadline or *stop (net/io_wait.hpp).
Wait run(asio::io_context& io, tcp::socket& socket, const bool& done, Clock::time_point deadline,
         const std::atomic<bool>* stop) {
  return detail::run_io(
      io, socket, done, deadline, [stop] { return stop && stop->load(std::memory_order_relaxed); },
      std::chrono::seconds(1));
}

}  // namespace

ImdsClient::ImdsClient(ImdsOptions options) : options_(std::move(options)) {}

Outcome ImdsClient::send(const Request& request) {
  const std::atomic<bool>* stop = options_.stop.get();
  if (request.url.host != kAddress || request.url.port != kPort) {
    return fail(Kind::refused, Phase::none,
                "the metadata client sends only to " + std::string(kWhere) + ", not to " + request.url.authority());
  }
  if (request.bearer)
    return fail(Kind::refused, Phase::none, "a bearer token may never be sent to " + std::string(kWhere));
  if (request.method != "GET" || !request.body.empty()) {
    return fail(Kind::refused, Phase::none, "the metadata client sends only GET requests without a body");
  }
  if (bad_text(request.url.target) || request.url.target.empty() || request.url.target.front() != '/') {
    return fail(Kind::refused, Phase::none, "the request target is malformed");
  }
  http::request<http::empty_body> message{http::verb::get, request.url.target, 11};
  message.set(http::field::host, kAddress);
  message.set(http::field::user_agent, options_.user_agent);
  message.set(http::field::connection, "close");
  for (const auto& header : request.headers) {
    const std::string name = ascii_lower(header.name);
    if (name.empty() || name == "authorization" || name == "proxy-authorization" || name == "host" ||
        name == "connection" || name == "content-length" || name == "transfer-encoding" ||
        name.find_first_of(" :") != std::string::npos || bad_text(header.name) || bad_text(header.value)) {
      return fail(Kind::refused, Phase::none, "the request may not set the " + header.name + " header");
    }
    message.set(header.name, header.value);
  }
  if (stop && stop->load(std::memory_order_relaxed)) {
    return fail(Kind::cancelled, Phase::none, "the request to " + std::string(kWhere) + " was cancelled");
  }

  const auto deadline = Clock::now() + request.timeout;
  asio::io_context io(1);
  tcp::socket socket(io);
  beast::error_code ec;
  bool done = false;
  const tcp::endpoint endpoint(asio::ip::make_address_v4(kAddress), kPort);
  socket.async_connect(endpoint, [&](const beast::error_code& e) {
    ec = e;
    done = true;
  });
  const auto connect_deadline = std::min(deadline, Clock::now() + options_.connect_timeout);
  Wait waited = run(io, socket, done, connect_deadline, stop);
  if (waited == Wait::cancelled)
    return fail(Kind::cancelled, Phase::connect, "the request to " + std::string(kWhere) + " was cancelled");
  if (waited == Wait::timeout) {
    const auto span = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::min<Clock::duration>(options_.connect_timeout, request.timeout));
    return fail(Kind::timeout, Phase::connect,
                "no TCP connection to " + std::string(kWhere) + " within " + std::to_string(span.count()) + " ms");
  }
  if (ec)
    return fail(Kind::connect, Phase::connect, "could not connect to " + std::string(kWhere) + ": " + ec.message());

  done = false;
  http::async_write(socket, message, [&](const beast::error_code& e, std::size_t) {
    ec = e;
    done = true;
  });
  waited = run(io, socket, done, deadline, stop);
  if (waited == Wait::cancelled)
    return fail(Kind::cancelled, Phase::send, "the request to " + std::string(kWhere) + " was cancelled");
  if (waited == Wait::timeout)
    return fail(Kind::timeout, Phase::send, "sending the request to " + std::string(kWhere) + " timed out");
  if (ec)
    return fail(Kind::reset, Phase::send, "sending the request to " + std::string(kWhere) + " failed: " + ec.message());

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(kMaxResponseBytes);
  done = false;
  http::async_read(socket, buffer, parser, [&](const beast::error_code& e, std::size_t) {
    ec = e;
    done = true;
  });
  waited = run(io, socket, done, deadline, stop);
  if (waited == Wait::cancelled)
    return fail(Kind::cancelled, Phase::headers, "the request to " + std::string(kWhere) + " was cancelled");
  if (waited == Wait::timeout) {
    return fail(Kind::timeout, parser.is_header_done() ? Phase::body : Phase::headers,
                "no complete response from " + std::string(kWhere) + " within the request's time limit");
  }
  if (ec == http::error::body_limit || ec == http::error::header_limit) {
    return fail(Kind::protocol, Phase::body, "the response from " + std::string(kWhere) + " is too large");
  }
  if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::connection_reset ||
      ec == asio::error::eof) {
    return fail(Kind::reset, Phase::headers,
                "the connection to " + std::string(kWhere) + " closed before the response was complete");
  }
  if (ec)
    return fail(Kind::protocol, Phase::headers,
                "reading the response from " + std::string(kWhere) + " failed: " + ec.message());

  http::response<http::string_body> response = parser.release();
  Response out;
  out.status = static_cast<int>(response.result_int());
  for (const auto& field : response)
    out.headers.push_back(Header{std::string(field.name_string()), std::string(field.value())});
  out.body = std::move(response.body());
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  return out;
}

}  // namespace fkv::net
