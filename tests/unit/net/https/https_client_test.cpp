// HttpsClient end to end against an in-process TLS server on 127.0.0.1. CTest runs this binary in
// a private network + mount namespace (see tests/unit/CMakeLists.txt), so its traffic never leaves
// loopback, and /etc/resolv.conf there names the test's own DNS responder.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "net/https_client.hpp"
#include "net/tls.hpp"
#include "test_connect_proxy.hpp"
#include "test_dns_server.hpp"
#include "test_tls_server.hpp"

using namespace std::chrono_literals;
using fkv::net::HttpsClient;
using fkv::net::HttpsOptions;
using fkv::net::Request;
using fkv::net::Response;
using fkv::net::TransportError;
using fkv::test::ServerReply;
using fkv::test::ServerRequest;
using fkv::test::TestTlsServer;
using Kind = TransportError::Kind;

namespace {

std::unique_ptr<HttpsClient> client_for(const TestTlsServer& server, HttpsOptions options = {}) {
  fkv::net::init_openssl();
  options.trust.extra_ca_files.push_back(server.ca_file());
  options.resolve_overrides["fake.test"] = "127.0.0.1";
  options.resolve_overrides["other.test"] = "127.0.0.1";
  auto client = HttpsClient::create(std::move(options));
  REQUIRE(client);
  return std::move(*client);
}

Request request(const TestTlsServer& server, const std::string& host, const std::string& target,
                std::string method = "GET") {
  Request r;
  r.method = std::move(method);
  r.url = *fkv::net::parse_https_url("https://" + host + ":" + std::to_string(server.port()) + target);
  r.timeout = 5s;
  return r;
}

ServerReply ok(std::string body = "{}") {
  ServerReply reply;
  reply.headers = {{"Content-Type", "application/json"}, {"x-ms-request-id", "r-1"}};
  reply.body = std::move(body);
  return reply;
}

Response response_of(const fkv::net::Outcome& outcome) {
  if (const auto* error = std::get_if<TransportError>(&outcome)) {
    FAIL_CHECK("transport error: " << error->detail);
    return Response{};
  }
  return std::get<Response>(outcome);
}

TransportError error_of(const fkv::net::Outcome& outcome) {
  if (!std::holds_alternative<TransportError>(outcome)) {
    FAIL_CHECK("expected a transport error, got HTTP " << std::get<Response>(outcome).status);
    return TransportError{};
  }
  return std::get<TransportError>(outcome);
}

}  // namespace

TEST_CASE("HttpsClient: POST with a bearer token; headers the client adds; response headers and body") {
  TestTlsServer server([](const ServerRequest&) { return ok(R"({"oidcToken":"x"})"); });
  auto client = client_for(server);
  auto r = request(server, "fake.test", "/org/_apis/oidctoken?api-version=7.1", "POST");
  r.headers = {{"Content-Type", "application/json"}, {"X-TFS-FedAuthRedirect", "Suppress"}};
  r.bearer = fkv::net::Bearer{"JOB-TOKEN", "fake.test"};

  const Response response = response_of(client->send(r));
  CHECK(response.status == 200);
  CHECK(response.body == R"({"oidcToken":"x"})");
  CHECK(response.header("X-MS-Request-Id") == "r-1");

  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  const auto& seen = requests[0];
  CHECK(seen.method == "POST");
  CHECK(seen.target == "/org/_apis/oidctoken?api-version=7.1");
  CHECK(seen.headers.at("host") == "fake.test:" + std::to_string(server.port()));
  CHECK(seen.headers.at("user-agent") == "federated-keyvault/" FKV_VERSION);
  CHECK(seen.headers.at("authorization") == "Bearer JOB-TOKEN");
  CHECK(seen.headers.at("content-length") == "0");
  CHECK(seen.headers.at("content-type") == "application/json");
  CHECK(seen.headers.at("x-tfs-fedauthredirect") == "Suppress");
  CHECK(seen.body.empty());
}

TEST_CASE("HttpsClient: GET without body sends no Content-Length; a form body is sent as is") {
  TestTlsServer server([](const ServerRequest&) { return ok(); });
  auto client = client_for(server);
  (void)response_of(client->send(request(server, "fake.test", "/secrets?api-version=7.5")));
  auto post = request(server, "fake.test", "/t/oauth2/v2.0/token", "POST");
  post.body = "grant_type=client_credentials&client_id=abc";
  (void)response_of(client->send(post));
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].headers.count("content-length") == 0);
  CHECK(requests[0].headers.count("authorization") == 0);
  CHECK(requests[1].headers.at("content-length") == "43");
  CHECK(requests[1].body == "grant_type=client_credentials&client_id=abc");
}

TEST_CASE("HttpsClient: keep-alive reuses one connection for sequential requests") {
  TestTlsServer server([](const ServerRequest&) { return ok(); });
  auto client = client_for(server);
  for (int i = 0; i < 5; ++i) CHECK(response_of(client->send(request(server, "fake.test", "/x"))).status == 200);
  CHECK(server.connections() == 1);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 5);
  CHECK(requests[4].index_on_connection == 5);
}

TEST_CASE("HttpsClient: Connection: close from the server means a new connection next time") {
  TestTlsServer server([](const ServerRequest&) {
    auto reply = ok();
    reply.close_after = true;
    return reply;
  });
  auto client = client_for(server);
  for (int i = 0; i < 3; ++i) CHECK(response_of(client->send(request(server, "fake.test", "/x"))).status == 200);
  CHECK(server.connections() == 3);
}

TEST_CASE("HttpsClient: a reused connection that dies before answering is retried once on a fresh one") {
  TestTlsServer server([](const ServerRequest& r) {
    if (r.index_on_connection == 2) {
      ServerReply reply;
      reply.action = ServerReply::Action::close_without_response;
      return reply;
    }
    return ok();
  });
  auto client = client_for(server);
  CHECK(response_of(client->send(request(server, "fake.test", "/1"))).status == 200);
  CHECK(response_of(client->send(request(server, "fake.test", "/2"))).status == 200);
  CHECK(server.connections() == 2);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 3);  // /1, /2 (dropped), /2 again on connection 2
  CHECK(requests[2].target == "/2");
  CHECK(requests[2].connection == 2);
}

TEST_CASE("HttpsClient: a fresh connection that dies before answering is not retried") {
  TestTlsServer server([](const ServerRequest&) {
    ServerReply reply;
    reply.action = ServerReply::Action::close_without_response;
    return reply;
  });
  auto client = client_for(server);
  const auto error = error_of(client->send(request(server, "fake.test", "/x", "POST")));
  CHECK(error.kind == Kind::reset);
  CHECK(server.requests().size() == 1);
}

TEST_CASE("HttpsClient: redirects are returned, not followed") {
  TestTlsServer server([](const ServerRequest&) {
    ServerReply reply;
    reply.status = 302;
    reply.headers = {{"Location", "https://other.test/_signin"}};
    return reply;
  });
  auto client = client_for(server);
  const Response response = response_of(client->send(request(server, "fake.test", "/x")));
  CHECK(response.status == 302);
  CHECK(response.header("location") == "https://other.test/_signin");
  CHECK(server.requests().size() == 1);
}

TEST_CASE("HttpsClient: a bearer token for another host is refused without connecting") {
  TestTlsServer server([](const ServerRequest&) { return ok(); });
  auto client = client_for(server);
  auto r = request(server, "fake.test", "/x");
  r.bearer = fkv::net::Bearer{"TOKEN-VALUE", "other.test"};
  const auto error = error_of(client->send(r));
  CHECK(error.kind == Kind::refused);
  CHECK(error.detail.find("TOKEN-VALUE") == std::string::npos);
  CHECK(server.connections() == 0);
}

TEST_CASE("HttpsClient: requests that would inject or override headers are refused") {
  TestTlsServer server([](const ServerRequest&) { return ok(); });
  auto client = client_for(server);
  const std::vector<fkv::net::Header> bad[] = {
      {{"Authorization", "Bearer x"}},           {{"Host", "evil"}}, {{"Content-Length", "5"}},
      {{"X-A", "v\r\nAuthorization: Bearer x"}}, {{"X:B", "v"}},     {{"", "v"}},
  };
  for (const auto& headers : bad) {
    auto r = request(server, "fake.test", "/x");
    r.headers = headers;
    CHECK(error_of(client->send(r)).kind == Kind::refused);
  }
  auto r = request(server, "fake.test", "/x");
  r.bearer = fkv::net::Bearer{"a\r\nb", "fake.test"};
  CHECK(error_of(client->send(r)).kind == Kind::refused);
  CHECK(server.connections() == 0);
}

TEST_CASE("HttpsClient: a server that does not answer hits the request's timeout") {
  TestTlsServer server([](const ServerRequest&) {
    ServerReply reply;
    reply.action = ServerReply::Action::hang;
    reply.hang_for = 5s;
    return reply;
  });
  auto client = client_for(server);
  auto r = request(server, "fake.test", "/x");
  r.timeout = 400ms;
  const auto start = std::chrono::steady_clock::now();
  const auto error = error_of(client->send(r));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(error.kind == Kind::timeout);
  CHECK(elapsed >= 350ms);
  CHECK(elapsed < 3s);
}

TEST_CASE("HttpsClient: TLS verification fails without the test CA, and for a name not in the certificate") {
  TestTlsServer server([](const ServerRequest&) { return ok(); });
  {
    fkv::net::init_openssl();
    HttpsOptions options;
    options.resolve_overrides["fake.test"] = "127.0.0.1";
    auto client = HttpsClient::create(options);
    REQUIRE(client);
    const auto error = error_of((*client)->send(request(server, "fake.test", "/x")));
    CHECK(error.kind == Kind::tls);
    CHECK(error.detail == "TLS certificate verification for fake.test:" + std::to_string(server.port()) +
                              " failed: unable to get local issuer certificate");
  }
  {
    auto client = client_for(server);
    const auto error = error_of(client->send(request(server, "other.test", "/x")));
    CHECK(error.kind == Kind::tls);
    CHECK(error.detail == "TLS certificate verification for other.test:" + std::to_string(server.port()) +
                              " failed: hostname mismatch");
  }
  CHECK(server.requests().empty());
}

TEST_CASE("HttpsClient: an IP address URL is verified against the certificate's IP SAN") {
  TestTlsServer server([](const ServerRequest&) { return ok(); });
  auto client = client_for(server);
  CHECK(response_of(client->send(request(server, "127.0.0.1", "/x"))).status == 200);
}

TEST_CASE("HttpsClient: the response body size is capped") {
  TestTlsServer server([](const ServerRequest&) { return ok(std::string(2000, 'x')); });
  HttpsOptions options;
  options.max_response_body = 1000;
  auto client = client_for(server, options);
  const auto error = error_of(client->send(request(server, "fake.test", "/x")));
  CHECK(error.kind == Kind::protocol);
  CHECK(error.detail.find("larger than 1000 bytes") != std::string::npos);
  CHECK(error.detail.find("xxxx") == std::string::npos);
}

TEST_CASE("HttpsClient: connection refused") {
  unsigned short closed_port = 0;
  {
    TestTlsServer server([](const ServerRequest&) { return ok(); });
    closed_port = server.port();
  }
  fkv::net::init_openssl();
  auto client = HttpsClient::create({});
  REQUIRE(client);
  Request r;
  r.url = *fkv::net::parse_https_url("https://127.0.0.1:" + std::to_string(closed_port) + "/x");
  r.timeout = 3s;
  CHECK(error_of((*client)->send(r)).kind == Kind::connect);
}

TEST_CASE("HttpsClient: AGENT_CAINFO pointing at a missing file is a config error") {
  fkv::net::init_openssl();
  HttpsOptions options;
  options.trust.environment.agent_cainfo = "/nonexistent/ca.pem";
  auto client = HttpsClient::create(options);
  REQUIRE_FALSE(client);
  CHECK(client.error().stage == fkv::Stage::config);
  CHECK(client.error().message.rfind("The CA certificate file '/nonexistent/ca.pem' could not be loaded", 0) == 0);
}

TEST_CASE("HttpsClient: many threads share a bounded pool") {
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  TestTlsServer server([&](const ServerRequest&) {
    const int now = ++in_flight;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(5ms);
    --in_flight;
    return ok();
  });
  HttpsOptions options;
  options.max_connections_per_host = 3;
  auto client = client_for(server, options);
  std::atomic<int> successes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto outcome = client->send(request(server, "fake.test", "/t" + std::to_string(t)));
        if (std::holds_alternative<Response>(outcome) && std::get<Response>(outcome).status == 200) ++successes;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(successes == 60);
  CHECK(server.connections() <= 3);
  CHECK(max_in_flight <= 3);
}

// Waits (bounded: 5 s) until the server has accepted `count` connections.
static bool wait_for_connections(const TestTlsServer& server, int count) {
  for (int i = 0; i < 250 && server.connections() < count; ++i) std::this_thread::sleep_for(20ms);
  return server.connections() >= count;
}

TEST_CASE("HttpsClient: preconnect parks connections that requests then reuse, sending nothing on them first") {
  TestTlsServer server([](const ServerRequest&) { return ok(); });
  auto client = client_for(server);
  const auto url = request(server, "fake.test", "/x").url;
  client->preconnect(url, 3, 5s);
  REQUIRE(wait_for_connections(server, 3));
  CHECK(server.requests().empty());

  std::vector<std::thread> threads;
  std::atomic<int> successes{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      if (response_of(client->send(request(server, "fake.test", "/x"))).status == 200) ++successes;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(successes == 3);
  CHECK(server.connections() == 3);  // no new connection: the parked ones were used
  client->preconnect(url, 3, 5s);    // already 3 open: nothing more
  CHECK(response_of(client->send(request(server, "fake.test", "/x"))).status == 200);
  CHECK(server.connections() == 3);
}

TEST_CASE("HttpsClient: preconnect never opens more than the pool allows") {
  TestTlsServer server([](const ServerRequest&) { return ok(); });
  HttpsOptions options;
  options.max_connections_per_host = 2;
  auto client = client_for(server, options);
  client->preconnect(request(server, "fake.test", "/x").url, 10, 5s);
  REQUIRE(wait_for_connections(server, 2));
  for (int i = 0; i < 4; ++i) CHECK(response_of(client->send(request(server, "fake.test", "/x"))).status == 200);
  CHECK(server.connections() == 2);
}

TEST_CASE("HttpsClient: a failed preconnect is silent and the request reports the failure itself") {
  unsigned short closed_port = 0;
  {
    TestTlsServer server([](const ServerRequest&) { return ok(); });
    closed_port = server.port();
  }
  fkv::net::init_openssl();
  auto client = HttpsClient::create({});
  REQUIRE(client);
  Request r;
  r.url = *fkv::net::parse_https_url("https://127.0.0.1:" + std::to_string(closed_port) + "/x");
  r.timeout = 3s;
  (*client)->preconnect(r.url, 5, 3s);
  CHECK(error_of((*client)->send(r)).kind == Kind::connect);
}

TEST_CASE("HttpsClient: destroying the client aborts a pre-connection whose TLS handshake never ends") {
  // A listener that never accepts: the kernel completes the TCP handshake, nobody speaks TLS.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = silent.local_endpoint().port();
  fkv::net::init_openssl();
  auto client = HttpsClient::create({});
  REQUIRE(client);
  (*client)->preconnect(*fkv::net::parse_https_url("https://127.0.0.1:" + std::to_string(port) + "/x"), 1, 20s);
  std::this_thread::sleep_for(200ms);  // the handshake is under way
  const auto start = std::chrono::steady_clock::now();
  client->reset();
  CHECK(std::chrono::steady_clock::now() - start < 3s);  // not the 10 s TLS limit
}

TEST_CASE("HttpsClient: NXDOMAIN is resolve_not_found, SERVFAIL is resolve_failed (private DNS only)") {
  if (std::getenv("FKV_TEST_PRIVATE_DNS") == nullptr) {
    MESSAGE("skipped: needs the private resolv.conf that CTest's wrapper sets up");
    return;
  }
  fkv::test::TestDnsServer dns;
  REQUIRE(dns.ok());
  fkv::net::init_openssl();
  auto client = HttpsClient::create({});
  REQUIRE(client);
  struct Row {
    const char* url;
    Kind kind;
  };
  const Row rows[] = {
      {"https://missing-vault.vault.azure.net/secrets", Kind::resolve_not_found},
      {"https://servfail.example.test/x", Kind::resolve_failed},
  };
  for (const auto& row : rows) {
    CAPTURE(row.url);
    Request r;
    r.url = *fkv::net::parse_https_url(row.url);
    r.timeout = 5s;
    const auto error = error_of((*client)->send(r));
    CHECK(error.kind == row.kind);
    CHECK(error.detail.find(r.url.host) != std::string::npos);
  }
  CHECK(dns.queries() > 0);
}

TEST_CASE("HttpsClient: interim 1xx responses (100, 102, 103) are skipped; the final response is returned") {
  TestTlsServer server([](const ServerRequest&) {
    auto reply = ok(R"({"value":[]})");
    reply.interim = {100, 102, 103};
    return reply;
  });
  auto client = client_for(server);
  for (int i = 0; i < 2; ++i) {  // the connection stays usable after interim responses
    const Response response = response_of(client->send(request(server, "fake.test", "/secrets")));
    CHECK(response.status == 200);
    CHECK(response.body == R"({"value":[]})");
    CHECK_FALSE(response.header("X-Interim"));
  }
  CHECK(server.connections() == 1);
}

TEST_CASE("HttpsClient: interim responses are bounded; 101 is a protocol error") {
  std::vector<int> interim;  // read by the server thread while a send() is in progress only
  TestTlsServer server([&](const ServerRequest&) {
    auto reply = ok();
    reply.interim = interim;
    return reply;
  });
  auto client = client_for(server);
  const std::string where = "fake.test:" + std::to_string(server.port());
  interim.assign(15, 100);  // 15 interim responses: still fine
  CHECK(response_of(client->send(request(server, "fake.test", "/x"))).status == 200);
  interim.assign(16, 103);
  auto error = error_of(client->send(request(server, "fake.test", "/x")));
  CHECK(error.kind == Kind::protocol);
  CHECK(error.phase == TransportError::Phase::headers);
  CHECK(error.detail == where + " sent more than 16 interim (1xx) responses");
  interim = {101};
  error = error_of(client->send(request(server, "fake.test", "/x")));
  CHECK(error.kind == Kind::protocol);
  CHECK(error.detail == where + " answered 101 Switching Protocols, but no protocol upgrade was asked for");
}

TEST_CASE("HttpsClient: header_timeout bounds the wait for the response headers; the phase is named") {
  TestTlsServer server([](const ServerRequest&) {
    ServerReply reply;
    reply.action = ServerReply::Action::hang;
    reply.hang_for = 5s;
    return reply;
  });
  HttpsOptions options;
  options.header_timeout = 300ms;
  auto client = client_for(server, options);
  const auto error = error_of(client->send(request(server, "fake.test", "/x")));  // request timeout 5 s
  CHECK(error.kind == Kind::timeout);
  CHECK(error.phase == TransportError::Phase::headers);
  CHECK(error.detail == "no response headers from fake.test:" + std::to_string(server.port()) + " within 0.3 s");
}

TEST_CASE("HttpsClient: a stalled body hits body_idle_timeout; a dribbling one the request's time limit") {
  TestTlsServer server([](const ServerRequest& r) {
    auto reply = ok(std::string(200, 'x'));
    reply.action = ServerReply::Action::drip;
    reply.hang_for = 5s;
    reply.drip_every = r.target == "/stall" ? 3000ms : 50ms;
    return reply;
  });
  HttpsOptions options;
  options.body_idle_timeout = 300ms;
  auto client = client_for(server, options);
  const std::string where = "fake.test:" + std::to_string(server.port());

  auto error = error_of(client->send(request(server, "fake.test", "/stall")));
  CHECK(error.kind == Kind::timeout);
  CHECK(error.phase == TransportError::Phase::body);
  CHECK(error.detail == "the response body from " + where + " stalled: no data for 0.3 s");

  // One byte every 50 ms never trips the 300 ms idle limit; 200 bytes take 10 s, the request has 1 s.
  auto slow = request(server, "fake.test", "/slow");
  slow.timeout = 1s;
  error = error_of(client->send(slow));
  CHECK(error.kind == Kind::timeout);
  CHECK(error.phase == TransportError::Phase::body);
  CHECK(error.detail == "the response body from " + where + " did not finish within the request's time limit");
}

TEST_CASE("HttpsClient: the stop flag cancels a request in progress and every later one") {
  TestTlsServer server([](const ServerRequest&) {
    ServerReply reply;
    reply.action = ServerReply::Action::hang;
    reply.hang_for = 5s;
    return reply;
  });
  auto stop = std::make_shared<std::atomic<bool>>(false);
  HttpsOptions options;
  options.stop = stop;
  auto client = client_for(server, options);
  auto r = request(server, "fake.test", "/x");
  r.timeout = 20s;  // far longer than the hang: only the flag can end this request early
  std::thread canceller([&] {
    // Bounded: waits until the server has the request (at most 5 s), then sets the flag.
    for (int i = 0; i < 500 && server.requests().empty(); ++i) std::this_thread::sleep_for(10ms);
    stop->store(true);
  });
  const auto error = error_of(client->send(r));
  canceller.join();
  CHECK(error.kind == Kind::cancelled);
  CHECK(error.phase == TransportError::Phase::headers);
  CHECK(error.detail ==
        "the request to fake.test:" + std::to_string(server.port()) + " was cancelled (response headers)");

  const int connections = server.connections();
  const auto later = error_of(client->send(request(server, "fake.test", "/y")));
  CHECK(later.kind == Kind::cancelled);
  CHECK(later.phase == TransportError::Phase::none);
  CHECK(server.connections() == connections);  // nothing was sent
}

TEST_CASE("HttpsClient: a request waiting for a pool slot observes the stop flag (phase pool)") {
  TestTlsServer server([](const ServerRequest&) {
    ServerReply reply;
    reply.action = ServerReply::Action::hang;
    reply.hang_for = 5s;
    return reply;
  });
  auto stop = std::make_shared<std::atomic<bool>>(false);
  HttpsOptions options;
  options.stop = stop;
  options.max_connections_per_host = 1;
  auto client = client_for(server, options);
  TransportError first;
  std::thread holder([&] {
    auto r = request(server, "fake.test", "/hold");
    r.timeout = 20s;
    first = error_of(client->send(r));
  });
  for (int i = 0; i < 500 && server.requests().empty(); ++i) std::this_thread::sleep_for(10ms);
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);  // by then the send() below waits for the only slot
    stop->store(true);
  });
  auto r = request(server, "fake.test", "/wait");
  r.timeout = 20s;
  const auto waiting = error_of(client->send(r));
  canceller.join();
  holder.join();
  CHECK(waiting.kind == Kind::cancelled);
  CHECK(waiting.phase == TransportError::Phase::pool);
  CHECK(first.kind == Kind::cancelled);
  CHECK(server.requests().size() == 1);
}

TEST_CASE("HttpsClient: transport errors carry their phase") {
  unsigned short closed_port = 0;
  {
    TestTlsServer server([](const ServerRequest&) { return ok(); });
    closed_port = server.port();
  }
  fkv::net::init_openssl();
  auto client = HttpsClient::create({});
  REQUIRE(client);
  Request r;
  r.url = *fkv::net::parse_https_url("https://127.0.0.1:" + std::to_string(closed_port) + "/x");
  r.timeout = 3s;
  const auto error = error_of((*client)->send(r));
  CHECK(error.kind == Kind::connect);
  CHECK(error.phase == TransportError::Phase::connect);
  CHECK(error.detail.rfind("could not connect to 127.0.0.1:" + std::to_string(closed_port) + ": ", 0) == 0);

  TestTlsServer server([](const ServerRequest&) { return ok(); });
  fkv::net::init_openssl();
  HttpsOptions options;
  options.resolve_overrides["fake.test"] = "127.0.0.1";
  auto untrusted = HttpsClient::create(options);
  REQUIRE(untrusted);
  CHECK(error_of((*untrusted)->send(request(server, "fake.test", "/x"))).phase == TransportError::Phase::tls);
}

namespace {

fkv::net::ProxySettings via_proxy(unsigned short port, std::string user = "", std::string password = "",
                                  std::vector<fkv::net::NoProxyEntry> no_proxy = {}) {
  fkv::net::ProxySettings settings;
  fkv::net::Proxy proxy;
  proxy.host = "127.0.0.1";
  proxy.port = port;
  proxy.username = std::move(user);
  proxy.password = std::move(password);
  proxy.source = "AGENT_PROXYURL";
  proxy.credentials_source = "AGENT_PROXYUSERNAME and SECRET_AGENT_PROXYPASSWORD";
  settings.proxy = proxy;
  settings.no_proxy = std::move(no_proxy);
  settings.no_proxy_source = "NO_PROXY";
  return settings;
}

}  // namespace

TEST_CASE("HttpsClient through a CONNECT proxy: CONNECT host:port with Basic credentials, TLS with the target") {
  TestTlsServer server([](const ServerRequest&) { return ok(); });
  fkv::test::TestConnectProxy proxy(server.port());
  HttpsOptions options;
  // fake.test goes through the proxy (which never resolves it); 127.0.0.1 is bypassed and goes direct.
  options.proxy = via_proxy(proxy.port(), "svc", "pw", {fkv::net::NoProxyEntry{"127.0.0.1", std::nullopt, true}});
  options.resolve_overrides.clear();
  fkv::net::init_openssl();
  options.trust.extra_ca_files.push_back(server.ca_file());
  auto created = HttpsClient::create(options);
  REQUIRE(created);
  auto& client = **created;
  const std::string target = "fake.test:" + std::to_string(server.port());

  for (int i = 0; i < 2; ++i) CHECK(response_of(client.send(request(server, "fake.test", "/via"))).status == 200);
  for (int i = 0; i < 2; ++i) CHECK(response_of(client.send(request(server, "127.0.0.1", "/direct"))).status == 200);

  const auto seen = proxy.seen();
  REQUIRE(seen.size() == 1);  // one tunnel, reused; the direct requests never touched the proxy
  CHECK(seen[0].request_line == "CONNECT " + target + " HTTP/1.1");
  CHECK(seen[0].headers.at("host") == target);
  CHECK(seen[0].headers.at("proxy-authorization") == "Basic c3ZjOnB3");
  CHECK(seen[0].headers.at("user-agent") == "federated-keyvault/" FKV_VERSION);
  CHECK(server.connections() == 2);  // one tunnelled, one direct: never mixed
  const auto requests = server.requests();
  REQUIRE(requests.size() == 4);
  for (const auto& r : requests) CHECK(r.headers.count("proxy-authorization") == 0);  // never sent to the host
  CHECK(requests[0].headers.at("host") == target);
}

TEST_CASE("HttpsClient through a CONNECT proxy: the certificate is verified against the target host") {
  TestTlsServer server([](const ServerRequest&) { return ok(); });
  fkv::test::TestConnectProxy proxy(server.port());
  HttpsOptions options;
  options.proxy = via_proxy(proxy.port());
  auto client = client_for(server, options);
  const auto error = error_of(client->send(request(server, "other.test", "/x")));  // not in the certificate
  CHECK(error.kind == Kind::tls);
  CHECK(error.phase == TransportError::Phase::tls);
  CHECK(error.detail == "TLS certificate verification for other.test:" + std::to_string(server.port()) +
                            " through the proxy http://127.0.0.1:" + std::to_string(proxy.port()) +
                            " failed: hostname mismatch");
  CHECK(proxy.seen().size() == 1);
  CHECK(server.requests().empty());
}

TEST_CASE("HttpsClient through a CONNECT proxy: 407, another 4xx and 5xx answers") {
  TestTlsServer server([](const ServerRequest&) { return ok(); });
  struct Row {
    int status;
    std::string user;
    Kind kind;
    std::string detail;
  };
  const std::string target = "fake.test:" + std::to_string(server.port());
  for (const auto& row :
       std::vector<Row>{{407, "svc", Kind::refused,
                         "requires authentication for CONNECT " + target +
                             " (HTTP 407 Proxy Authentication Required): check AGENT_PROXYUSERNAME and "
                             "SECRET_AGENT_PROXYPASSWORD"},
                        {407, "", Kind::refused,
                         "requires authentication for CONNECT " + target +
                             " (HTTP 407 Proxy Authentication Required): no credentials are configured; set "
                             "AGENT_PROXYUSERNAME and SECRET_AGENT_PROXYPASSWORD"},
                        {403, "", Kind::refused, "refused CONNECT to " + target + " with HTTP 403"},
                        {502, "", Kind::connect, "refused CONNECT to " + target + " with HTTP 502"}}) {
    CAPTURE(row.status);
    fkv::test::TestConnectProxy proxy(server.port(), row.status);
    HttpsOptions options;
    options.proxy = via_proxy(proxy.port(), row.user, "wrong-password-123");
    auto client = client_for(server, options);
    const auto error = error_of(client->send(request(server, "fake.test", "/x")));
    const std::string shown = "http://127.0.0.1:" + std::to_string(proxy.port());
    CHECK(error.kind == row.kind);
    CHECK(error.phase == TransportError::Phase::proxy);
    CHECK(error.detail == (row.status == 407 ? "the proxy " + shown + " " : "proxy " + shown + " ") + row.detail);
    CHECK(error.detail.find("wrong-password-123") == std::string::npos);
  }
  CHECK(server.connections() == 0);
}
