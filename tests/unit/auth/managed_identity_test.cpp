#include <doctest/doctest.h>

#include "auth/credential.hpp"
#include "auth/managed_identity.hpp"
#include "fake_http_client.hpp"
#include "net/retry.hpp"
#include "net/retrying_client.hpp"

using fkv::test::FakeHttpClient;
using std::chrono::milliseconds;
namespace net = fkv::net;

namespace {

const auto kNow = std::chrono::system_clock::time_point{std::chrono::seconds{1'700'000'000}};
const std::string kUser = "eeeeeeee-0000-4000-8000-000000000022";
const std::string kOk =
    R"({"access_token":"mi-token-1","client_id":"x","expires_in":"86399","expires_on":"1767225600",)"
    R"("ext_expires_in":"86399","not_before":"1767139200","resource":"https://vault.azure.net",)"
    R"("token_type":"Bearer"})";

net::Outcome status(int code, std::string body = "{}", std::vector<net::Header> headers = {}) {
  return FakeHttpClient::json(code, std::move(body), std::move(headers));
}
net::Outcome transport(net::TransportError::Kind kind,
                       net::TransportError::Phase phase = net::TransportError::Phase::none) {
  return net::TransportError{kind, "could not connect to 169.254.169.254:80: Network is unreachable", phase};
}

auto always = [](const net::Request&) { return true; };

// What a run's pipeline puts in front of the IMDS client (run/connection.cpp): retries with the IMDS policy
// on the run's clock; the waits are recorded, not slept.
struct ImdsPipeline {
  explicit ImdsPipeline(FakeHttpClient& imds, std::function<milliseconds()> remaining = nullptr)
      : retrying(imds, net::imds_retry_policy(), hooks(std::move(remaining))) {}
  net::RetryHooks hooks(std::function<milliseconds()> remaining) {
    net::RetryHooks h = net::RetryHooks::real();
    h.sleep = [this](milliseconds d) { slept.push_back(d); };
    h.jitter = [] { return 0.4; };
    h.remaining = std::move(remaining);
    return h;
  }
  std::vector<milliseconds> slept;
  net::RetryingClient retrying;
};

}  // namespace

TEST_CASE("imds_token_request: the 2018-02-01 route, Metadata: true, no bearer, client_id only when given") {
  const auto system = fkv::auth::imds_token_request("https://vault.azure.net", "");
  CHECK(system.method == "GET");
  CHECK(system.url.host == "169.254.169.254");
  CHECK(system.url.port == 80);
  CHECK(system.url.target ==
        "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net");
  CHECK_FALSE(system.bearer);
  CHECK(system.body.empty());
  REQUIRE(system.headers.size() == 2);
  CHECK(system.headers[0].name == "Metadata");
  CHECK(system.headers[0].value == "true");
  CHECK(system.timeout == milliseconds{10'000});

  const auto user = fkv::auth::imds_token_request("https://vault.usgovcloudapi.net", kUser);
  CHECK(user.url.target == "/metadata/identity/oauth2/token?api-version=2018-02-01"
                           "&resource=https%3A%2F%2Fvault.usgovcloudapi.net&client_id=" +
                               kUser);
}

TEST_CASE("imds_resource: the scope without /.default") {
  CHECK(fkv::auth::imds_resource("https://vault.azure.net/.default") == "https://vault.azure.net");
  CHECK(fkv::auth::imds_resource("https://vault.azure.net") == "https://vault.azure.net");
  CHECK(fkv::auth::imds_resource("https://vault.azure.cn/.default") == "https://vault.azure.cn");
}

TEST_CASE("imds_retry_policy: 404, 410, 429, 5xx with backoff; never 400, 401, 403; never an unreachable IMDS") {
  using Kind = net::TransportError::Kind;
  using Phase = net::TransportError::Phase;
  struct Row {
    const char* what;
    int attempt;
    net::Outcome outcome;
    std::optional<milliseconds> delay;  // with jitter 0.4 (factor 1.0)
  };
  const Row rows[] = {
      {"404 identity attaching", 1, status(404), milliseconds{500}},
      {"404, second time", 2, status(404), milliseconds{1000}},
      {"410 IMDS updating", 1, status(410), milliseconds{500}},
      {"429", 3, status(429), milliseconds{2000}},
      {"500", 1, status(500), milliseconds{500}},
      {"503", 4, status(503), milliseconds{4000}},
      {"backoff capped at 4 s", 4, status(502), milliseconds{4000}},
      {"Retry-After seconds", 1, status(429, "{}", {{"Retry-After", "3"}}), milliseconds{3000}},
      {"Retry-After capped at 10 s", 1, status(503, "{}", {{"Retry-After", "120"}}), milliseconds{10'000}},
      {"Retry-After unparseable: backoff", 1, status(503, "{}", {{"Retry-After", "soon"}}), milliseconds{500}},
      {"the last attempt", 5, status(404), std::nullopt},
      {"200", 1, status(200, kOk), std::nullopt},
      {"400 identity not found", 1, status(400), std::nullopt},
      {"401", 1, status(401), std::nullopt},
      {"403", 1, status(403), std::nullopt},
      {"connect refused / unreachable", 1, transport(Kind::connect, Phase::connect), std::nullopt},
      {"connect timeout", 1, transport(Kind::timeout, Phase::connect), std::nullopt},
      {"reset mid-exchange", 1, transport(Kind::reset, Phase::headers), milliseconds{500}},
      {"timeout waiting for headers", 2, transport(Kind::timeout, Phase::headers), milliseconds{1000}},
      {"refused (our own decision)", 1, transport(Kind::refused), std::nullopt},
      {"cancelled", 1, transport(Kind::cancelled), std::nullopt},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    CHECK(net::retry_delay(net::imds_retry_policy(), row.attempt, row.outcome, kNow, 0.4) == row.delay);
  }
  // Jitter scales the backoff into [0.8, 1.3).
  CHECK(net::retry_delay(net::imds_retry_policy(), 1, status(404), kNow, 0.0) == milliseconds{400});
  CHECK(net::retry_delay(net::imds_retry_policy(), 1, status(404), kNow, 0.99) < milliseconds{650});
}

TEST_CASE("read_imds_response: IMDS's string-valued success shape; every failure names cause and fix") {
  SUBCASE("success") {
    auto token = fkv::auth::read_imds_response(status(200, kOk), "");
    REQUIRE(token);
    CHECK(token->token == "mi-token-1");
    CHECK(token->expires_in == std::chrono::seconds{86399});
  }
  SUBCASE("200 without a usable token: nothing of the body is shown") {
    for (const char* body : {R"({"access_token":"mi-token-2"})", R"({"expires_in":"3599"})", "not json",
                             R"({"access_token":"mi-token-3","expires_in":"soon"})"}) {
      auto token = fkv::auth::read_imds_response(status(200, body), "");
      REQUIRE_FALSE(token);
      CHECK(token.error().stage == fkv::Stage::imds);
      CHECK(token.error().message ==
            "The Azure Instance Metadata Service answered HTTP 200 without a usable access token.");
      CHECK(token.error().message.find("mi-token") == std::string::npos);
    }
  }
  SUBCASE("Identity not found, user-assigned and system-assigned") {
    const std::string body = R"({"error":"invalid_request","error_description":"Identity not found"})";
    auto user = fkv::auth::read_imds_response(status(400, body), kUser);
    REQUIRE_FALSE(user);
    CHECK(user.error().http_status == 400);
    CHECK(user.error().service_code == "invalid_request");
    CHECK(user.error().message == "The Azure Instance Metadata Service found no user-assigned managed identity with "
                                  "client id '" +
                                      kUser + "' on this agent's VM (HTTP 400: Identity not found).");
    CHECK(user.error().hint.find("msiclientId") != std::string::npos);
    auto system = fkv::auth::read_imds_response(status(400, body), "");
    REQUIRE_FALSE(system);
    CHECK(system.error().message == "The Azure Instance Metadata Service found no system-assigned managed identity "
                                    "on this agent's VM (HTTP 400: Identity not found).");
    CHECK(system.error().hint.find("System assigned") != std::string::npos);
  }
  SUBCASE("unreachable: not an Azure VM") {
    auto error = fkv::auth::read_imds_response(
        transport(net::TransportError::Kind::connect, net::TransportError::Phase::connect), "");
    REQUIRE_FALSE(error);
    CHECK(error.error().http_status == 0);
    CHECK(error.error().message == "The Azure Instance Metadata Service (169.254.169.254) cannot be reached, so the "
                                   "agent has no managed identity: could not connect to 169.254.169.254:80: Network is "
                                   "unreachable.");
    CHECK(error.error().hint.find("Azure VM or virtual machine scale set") != std::string::npos);
  }
  SUBCASE("still 404 after every attempt; another 400; an echoed token is redacted by the sanitiser") {
    auto busy = fkv::auth::read_imds_response(status(404, R"({"error":"not_found"})"), "");
    REQUIRE_FALSE(busy);
    CHECK(busy.error().message == "The Azure Instance Metadata Service refused the token request for the "
                                  "system-assigned managed identity (HTTP 404).");
    CHECK(busy.error().hint.find("when the task stopped retrying") != std::string::npos);
    auto other = fkv::auth::read_imds_response(
        status(400, R"({"error":"invalid_request","error_description":"Bad \"access_token\":\"eyJabc.def.ghi\""})"),
        "");
    REQUIRE_FALSE(other);
    CHECK(other.error().message.find("eyJabc") == std::string::npos);
  }
  SUBCASE("an error answer that carries an access token echoes none of its texts (found by fuzzing)") {
    const std::string token = "plain-token-without-jwt-shape-0123456789";
    auto error = fkv::auth::read_imds_response(status(400, R"({"access_token":")" + token + R"(","error":")" + token +
                                                               R"(","error_description":")" + token + R"("})"),
                                               "");
    REQUIRE_FALSE(error);
    CHECK(error.error().message == "The Azure Instance Metadata Service refused the token request for the "
                                   "system-assigned managed identity (HTTP 400).");
    CHECK(error.error().service_code.empty());
  }
}

TEST_CASE("acquire_access_token_for(managed identity): retried through the warm-up, the token registered once") {
  FakeHttpClient imds;
  imds.on_match(always, status(404), true).on_match(always, status(503), true).on_match(always, status(200, kOk));
  ImdsPipeline pipeline(imds);
  FakeHttpClient https;  // never used by a managed identity
  fkv::auth::Credential c;
  c.scheme = fkv::auth::ManagedIdentityCredential{kUser};
  std::vector<std::string> registered;
  auto token = fkv::auth::acquire_access_token_for({https, &pipeline.retrying}, c, "https://vault.azure.net/.default",
                                                   [&](std::string_view s) { registered.emplace_back(s); });
  REQUIRE(token);
  CHECK(token->token == "mi-token-1");
  CHECK(registered == std::vector<std::string>{"mi-token-1"});
  CHECK(pipeline.slept == std::vector<milliseconds>{milliseconds{500}, milliseconds{1000}});
  const auto sent = imds.requests();
  REQUIRE(sent.size() == 3);
  for (const auto& r : sent) CHECK(r.url.target.find("&client_id=" + kUser) != std::string::npos);
  CHECK(https.requests().empty());
  CHECK(fkv::auth::credential_warnings(c).empty());
}

TEST_CASE("acquire_with_managed_identity: bounded by attempts and by the run's deadline; unreachable tried once") {
  const fkv::auth::ManagedIdentityCredential system{};
  SUBCASE("404 forever: 5 attempts, and the hint says the task stopped retrying") {
    FakeHttpClient imds;
    imds.on_match(always, status(404));
    ImdsPipeline pipeline(imds);
    auto token = fkv::auth::acquire_with_managed_identity(&pipeline.retrying, system,
                                                          "https://vault.azure.net/.default", [](std::string_view) {});
    REQUIRE_FALSE(token);
    CHECK(token.error().http_status == 404);
    CHECK(token.error().hint ==
          "IMDS still answered so when the task stopped retrying (after its attempts or at the run's time limit): if "
          "the identity was assigned just now, run the job again in a minute.");
    CHECK(imds.requests().size() == 5);
  }
  SUBCASE("a wait that would outlast the run is not made; each request gets at most what is left") {
    FakeHttpClient imds;
    imds.on_match(always, status(503));
    ImdsPipeline pipeline(imds, [] { return milliseconds{300}; });
    auto token = fkv::auth::acquire_with_managed_identity(&pipeline.retrying, system,
                                                          "https://vault.azure.net/.default", [](std::string_view) {});
    REQUIRE_FALSE(token);
    CHECK(pipeline.slept.empty());
    REQUIRE(imds.requests().size() == 1);
    CHECK(imds.requests()[0].timeout == milliseconds{300});
  }
  SUBCASE("unreachable") {
    FakeHttpClient imds;
    imds.on_match(always, transport(net::TransportError::Kind::connect, net::TransportError::Phase::connect));
    ImdsPipeline pipeline(imds);
    auto token = fkv::auth::acquire_with_managed_identity(&pipeline.retrying, system,
                                                          "https://vault.azure.net/.default", [](std::string_view) {});
    REQUIRE_FALSE(token);
    CHECK(imds.requests().size() == 1);
  }
  SUBCASE("no IMDS client in this build") {
    auto token = fkv::auth::acquire_with_managed_identity(nullptr, system, "https://vault.azure.net/.default",
                                                          [](std::string_view) {});
    REQUIRE_FALSE(token);
    CHECK(token.error().stage == fkv::Stage::config);
  }
}
