#include <doctest/doctest.h>

#include "fake_http_client.hpp"
#include "net/retrying_client.hpp"

using namespace std::chrono_literals;
using fkv::net::Outcome;
using fkv::net::Response;
using fkv::net::RetryEvent;
using fkv::net::RetryingClient;
using fkv::net::TransportError;
using fkv::test::FakeHttpClient;
using Clock = std::chrono::system_clock;

namespace {

struct Recorder {
  std::vector<std::chrono::milliseconds> sleeps;
  std::vector<RetryEvent> events;
  Clock::time_point now = Clock::time_point{std::chrono::seconds{784111777}};  // Sun, 06 Nov 1994 08:49:37 GMT

  fkv::net::RetryHooks hooks() {
    fkv::net::RetryHooks hooks;
    hooks.sleep = [this](std::chrono::milliseconds delay) {
      sleeps.push_back(delay);
      now += delay;
    };
    hooks.now = [this] { return now; };
    hooks.jitter = [] { return 0.5; };
    hooks.on_retry = [this](const RetryEvent& event) { events.push_back(event); };
    return hooks;
  }
};

fkv::net::Request get(const char* url) {
  fkv::net::Request request;
  request.url = *fkv::net::parse_https_url(url);
  return request;
}

int status_of(const Outcome& outcome) { return std::get<Response>(outcome).status; }

}  // namespace

TEST_CASE("RetryingClient retries a 503 and returns the following success") {
  FakeHttpClient fake;
  fake.on("GET", "https://v.vault.azure.net/", FakeHttpClient::json(503, "{}"), true)
      .on("GET", "https://v.vault.azure.net/", FakeHttpClient::json(200, "{\"ok\":1}"));
  Recorder recorder;
  RetryingClient client(fake, {}, recorder.hooks());

  const Outcome outcome = client.send(get("https://v.vault.azure.net/secrets?api-version=7.5"));
  CHECK(status_of(outcome) == 200);
  CHECK(fake.requests().size() == 2);
  REQUIRE(recorder.sleeps == std::vector<std::chrono::milliseconds>{840ms});
  REQUIRE(recorder.events.size() == 1);
  CHECK(recorder.events[0].method == "GET");
  CHECK(recorder.events[0].host == "v.vault.azure.net");
  CHECK(recorder.events[0].failed_attempt == 1);
  CHECK(recorder.events[0].reason == "HTTP 503");
  CHECK(recorder.events[0].delay == 840ms);
}

TEST_CASE("RetryingClient gives up after max_attempts and returns the last outcome") {
  FakeHttpClient fake;
  fake.on("GET", "https://v.vault.azure.net/", FakeHttpClient::json(500, "{}"));
  Recorder recorder;
  RetryingClient client(fake, {}, recorder.hooks());

  CHECK(status_of(client.send(get("https://v.vault.azure.net/x"))) == 500);
  CHECK(fake.requests().size() == 4);
  CHECK(recorder.sleeps == std::vector<std::chrono::milliseconds>{840ms, 1680ms, 3360ms});
}

TEST_CASE("RetryingClient does not retry a permanent failure") {
  for (int code : {400, 401, 403, 404}) {
    CAPTURE(code);
    FakeHttpClient fake;
    fake.on("POST", "https://login.microsoftonline.com/", FakeHttpClient::json(code, "{}"));
    Recorder recorder;
    RetryingClient client(fake, {}, recorder.hooks());
    auto request = get("https://login.microsoftonline.com/t/oauth2/v2.0/token");
    request.method = "POST";
    CHECK(status_of(client.send(request)) == code);
    CHECK(fake.requests().size() == 1);
    CHECK(recorder.sleeps.empty());
    CHECK(recorder.events.empty());
  }
}

TEST_CASE("RetryingClient retries transport errors except permanent ones") {
  FakeHttpClient fake;
  fake.on("GET", "https://a.example/", TransportError{TransportError::Kind::reset, "reset"}, true)
      .on("GET", "https://a.example/", FakeHttpClient::json(200, "{}"));
  fake.on("GET", "https://b.example/", TransportError{TransportError::Kind::tls, "verify failed"});
  Recorder recorder;
  RetryingClient client(fake, {}, recorder.hooks());

  CHECK(status_of(client.send(get("https://a.example/"))) == 200);
  REQUIRE(recorder.events.size() == 1);
  CHECK(recorder.events[0].reason == "connection reset");

  const Outcome tls = client.send(get("https://b.example/"));
  REQUIRE(std::holds_alternative<TransportError>(tls));
  CHECK(std::get<TransportError>(tls).kind == TransportError::Kind::tls);
  CHECK(fake.requests().size() == 3);
}

TEST_CASE("RetryingClient honours Retry-After, as seconds and as a date against the injected clock") {
  FakeHttpClient fake;
  fake.on("GET", "https://v.vault.azure.net/", FakeHttpClient::json(429, "{}", {{"Retry-After", "3"}}), true)
      .on("GET", "https://v.vault.azure.net/",
          FakeHttpClient::json(503, "{}", {{"Retry-After", "Sun, 06 Nov 1994 08:49:50 GMT"}}), true)
      .on("GET", "https://v.vault.azure.net/", FakeHttpClient::json(200, "{}"));
  Recorder recorder;
  RetryingClient client(fake, {}, recorder.hooks());

  CHECK(status_of(client.send(get("https://v.vault.azure.net/s"))) == 200);
  // 3 s, then until 08:49:50 from 08:49:40 (the clock advanced by the first sleep): 10 s.
  CHECK(recorder.sleeps == std::vector<std::chrono::milliseconds>{3000ms, 10000ms});
}

TEST_CASE("RetryingClient retry events carry no query string or headers") {
  FakeHttpClient fake;
  fake.on("GET", "https://v.vault.azure.net/", FakeHttpClient::json(503, "{}"), true)
      .on("GET", "https://v.vault.azure.net/", FakeHttpClient::json(200, "{}"));
  Recorder recorder;
  RetryingClient client(fake, {}, recorder.hooks());
  auto request = get("https://v.vault.azure.net/secrets?$skiptoken=SECRETISH");
  request.bearer = fkv::net::Bearer{"TOKEN-VALUE", "v.vault.azure.net"};
  (void)client.send(request);
  REQUIRE(recorder.events.size() == 1);
  const auto& e = recorder.events[0];
  for (const std::string& field : {e.method, e.host, e.reason}) {
    CHECK(field.find("SECRETISH") == std::string::npos);
    CHECK(field.find("TOKEN-VALUE") == std::string::npos);
  }
}

TEST_CASE("RetryingClient: each attempt's timeout is capped by what is left of the run") {
  FakeHttpClient fake;
  fake.on("GET", "https://v.vault.azure.net/", FakeHttpClient::json(200, "{}"));
  Recorder recorder;
  auto hooks = recorder.hooks();
  hooks.remaining = [] { return 1200ms; };
  RetryingClient client(fake, {}, hooks);
  auto request = get("https://v.vault.azure.net/secrets");
  request.timeout = 30s;
  CHECK(status_of(client.send(request)) == 200);
  REQUIRE(fake.requests().size() == 1);
  CHECK(fake.requests()[0].timeout == 1200ms);
}

TEST_CASE("RetryingClient: no attempt once the run's time is up, and no retry whose wait outlasts it") {
  FakeHttpClient fake;
  fake.on("GET", "https://v.vault.azure.net/", FakeHttpClient::json(429, "{}", {{"Retry-After", "5"}}));
  Recorder recorder;
  auto hooks = recorder.hooks();
  std::chrono::milliseconds left = 4000ms;  // less than the 5 s the server asks for
  hooks.remaining = [&] { return left; };
  RetryingClient client(fake, {}, hooks);
  CHECK(status_of(client.send(get("https://v.vault.azure.net/secrets"))) == 429);
  CHECK(fake.requests().size() == 1);
  CHECK(recorder.sleeps.empty());

  left = 0ms;
  const Outcome none = client.send(get("https://v.vault.azure.net/secrets"));
  REQUIRE(std::holds_alternative<TransportError>(none));
  CHECK(std::get<TransportError>(none).kind == TransportError::Kind::timeout);
  CHECK(std::get<TransportError>(none).detail ==
        "the run's time limit was reached before the request to v.vault.azure.net was sent");
  CHECK(fake.requests().size() == 1);  // nothing sent
}

TEST_CASE("RetryingClient: no retry that would start with less than half a second left") {
  // A 503 with Retry-After 1 s: retried only when at least 1 s + 0.5 s remain.
  struct Row {
    std::chrono::milliseconds left;
    std::size_t attempts;
  };
  for (const Row row : {Row{1400ms, 1}, Row{1600ms, 2}}) {
    CAPTURE(row.left.count());
    FakeHttpClient fake;
    fake.on("GET", "https://v.vault.azure.net/", FakeHttpClient::json(503, "{}", {{"Retry-After", "1"}}));
    Recorder recorder;
    auto hooks = recorder.hooks();
    hooks.remaining = [&] { return row.left; };
    fkv::net::RetryPolicy policy;
    policy.max_attempts = 2;
    RetryingClient client(fake, policy, hooks);
    CHECK(status_of(client.send(get("https://v.vault.azure.net/secrets"))) == 503);
    CHECK(fake.requests().size() == row.attempts);
  }
}

TEST_CASE("RetryingClient: a cancelled run sends nothing more; a cancelled outcome is never retried") {
  FakeHttpClient fake;
  fake.on("GET", "https://a.vault.azure.net/", TransportError{TransportError::Kind::cancelled, "stop"});
  fake.on("GET", "https://b.vault.azure.net/", FakeHttpClient::json(200, "{}"));
  Recorder recorder;
  bool stopped = false;
  auto hooks = recorder.hooks();
  hooks.stopped = [&] { return stopped; };
  RetryingClient client(fake, {}, hooks);
  const Outcome cancelled = client.send(get("https://a.vault.azure.net/x"));
  CHECK(std::get<TransportError>(cancelled).kind == TransportError::Kind::cancelled);
  CHECK(fake.requests().size() == 1);
  stopped = true;
  const Outcome refused = client.send(get("https://b.vault.azure.net/x"));
  CHECK(std::get<TransportError>(refused).kind == TransportError::Kind::cancelled);
  CHECK(fake.requests().size() == 1);
  CHECK(recorder.sleeps.empty());
}

TEST_CASE("RetryingClient never retries a cancelled request, whatever its phase") {
  using Phase = TransportError::Phase;
  for (Phase phase : {Phase::none, Phase::pool, Phase::connect, Phase::headers, Phase::body}) {
    CAPTURE(fkv::net::to_string(phase));
    FakeHttpClient fake;
    fake.on("GET", "https://a.example/", TransportError{TransportError::Kind::cancelled, "cancelled", phase});
    Recorder recorder;
    RetryingClient client(fake, {}, recorder.hooks());
    const Outcome outcome = client.send(get("https://a.example/"));
    REQUIRE(std::holds_alternative<TransportError>(outcome));
    CHECK(std::get<TransportError>(outcome).kind == TransportError::Kind::cancelled);
    CHECK(fake.requests().size() == 1);
    CHECK(recorder.sleeps.empty());
  }
}
