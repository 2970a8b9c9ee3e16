// ImdsClient refuses, before any socket is opened, everything but a plain GET to 169.254.169.254:80.
#include <doctest/doctest.h>

#include "net/imds_client.hpp"

namespace net = fkv::net;

namespace {

net::Request imds_request() {
  net::Request request;
  request.url.host = "169.254.169.254";
  request.url.port = 80;
  request.url.target = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net";
  request.headers = {{"Metadata", "true"}};
  request.timeout = std::chrono::milliseconds{500};
  return request;
}

net::TransportError::Kind refused_kind(const net::Outcome& outcome) {
  REQUIRE(std::holds_alternative<net::TransportError>(outcome));
  return std::get<net::TransportError>(outcome).kind;
}

}  // namespace

TEST_CASE("ImdsClient: refuses any other host or port, a bearer token, a body, another method, forbidden headers") {
  net::ImdsClient client;
  struct Row {
    const char* what;
    net::Request request;
  };
  std::vector<Row> rows;
  auto add = [&](const char* what, auto change) {
    net::Request r = imds_request();
    change(r);
    rows.push_back({what, std::move(r)});
  };
  add("another host", [](net::Request& r) { r.url.host = "login.microsoftonline.com"; });
  add("a look-alike host", [](net::Request& r) { r.url.host = "169.254.169.254.nip.io"; });
  add("another port", [](net::Request& r) { r.url.port = 443; });
  add("a bearer token", [](net::Request& r) { r.bearer = net::Bearer{"t", "169.254.169.254"}; });
  add("a body", [](net::Request& r) { r.body = "x"; });
  add("POST", [](net::Request& r) { r.method = "POST"; });
  add("Authorization header", [](net::Request& r) { r.headers.push_back({"Authorization", "Bearer t"}); });
  add("Proxy-Authorization header", [](net::Request& r) { r.headers.push_back({"proxy-authorization", "Basic x"}); });
  add("a header with CR LF", [](net::Request& r) { r.headers.push_back({"X-A", "1\r\nX-B: 2"}); });
  add("a target with LF", [](net::Request& r) { r.url.target += "\nX: y"; });
  for (const auto& row : rows) {
    CAPTURE(row.what);
    CHECK(refused_kind(client.send(row.request)) == net::TransportError::Kind::refused);
  }
}

TEST_CASE("ImdsClient: a stopped run sends nothing") {
  auto stop = std::make_shared<std::atomic<bool>>(true);
  net::ImdsOptions options;
  options.stop = stop;
  net::ImdsClient client(options);
  CHECK(refused_kind(client.send(imds_request())) == net::TransportError::Kind::cancelled);
}
