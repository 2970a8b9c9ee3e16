#include "vault/client.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "fake_http_client.hpp"

using namespace fkv::vault;
using fkv::agent::SecretRef;
using fkv::agent::Selection;
using fkv::net::Response;
using fkv::net::TransportError;
using fkv::test::FakeHttpClient;

namespace {

const std::string kVault = "https://kv1.vault.azure.net";
constexpr std::int64_t kNow = 1'700'000'000;

ClientOptions options(unsigned concurrency = 4) {
  ClientOptions o;
  o.vault_url = *fkv::net::parse_https_url(kVault + "/");
  o.vault_name = "kv1";
  o.vault_dns_suffix = "vault.azure.net";
  o.concurrency = concurrency;
  o.now = kNow;
  return o;
}

Selection all() { return Selection{}; }
Selection names(std::vector<SecretRef> refs) { return Selection{false, std::move(refs)}; }

std::string item(const std::string& name, const std::string& attrs = R"("enabled":true)") {
  return R"({"id":")" + kVault + "/secrets/" + name + R"(","attributes":{)" + attrs + "}}";
}

Response secret(const std::string& value, const std::string& attrs = R"("enabled":true)") {
  return FakeHttpClient::json(200, R"({"value":")" + value + R"(","attributes":{)" + attrs + "}}");
}

TokenSource no_reacquire(int* calls = nullptr) {
  return [calls](const std::string&) -> fkv::Expected<std::string> {
    if (calls) ++*calls;
    fkv::Error e;
    e.message = "should not be called";
    return e;
  };
}

std::vector<std::string> urls(const FakeHttpClient& http) {
  std::vector<std::string> out;
  for (const auto& r : http.requests()) out.push_back(r.url.str());
  return out;
}

}  // namespace

TEST_CASE("with_api_version replaces or adds the api-version parameter") {
  CHECK(with_api_version("/secrets?api-version=7.2&$skiptoken=abc&maxresults=25", "7.5") ==
        "/secrets?api-version=7.5&$skiptoken=abc&maxresults=25");
  CHECK(with_api_version("/secrets?$skiptoken=abc", "7.5") == "/secrets?api-version=7.5&$skiptoken=abc");
  CHECK(with_api_version("/secrets", "7.5") == "/secrets?api-version=7.5");
  CHECK(list_url(options().vault_url).str() == kVault + "/secrets?api-version=7.5&maxresults=25");
}

TEST_CASE("'*': pages incl. empty and null ones, skips disabled/expired/invalid, keeps list order") {
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets?api-version=7.5&maxresults=25",
          FakeHttpClient::json(200, R"({"value":[)" + item("a") + "," + item("b", R"("enabled":false)") + "," +
                                        item("bad_name") + R"(],"nextLink":"https://kv1.vault.azure.net:443/secrets?api-version=7.2&$skiptoken=p2&maxresults=25"})"));
  http.on("GET", kVault + "/secrets?api-version=7.5&$skiptoken=p2",
          FakeHttpClient::json(200, R"({"value":[],"nextLink":"https://KV1.vault.azure.net/secrets?$skiptoken=p3"})"));
  http.on("GET", kVault + "/secrets?api-version=7.5&$skiptoken=p3",
          FakeHttpClient::json(200, R"({"value":null,"nextLink":"https://kv1.vault.azure.net/secrets?$skiptoken=p4"})"));
  http.on("GET", kVault + "/secrets?api-version=7.5&$skiptoken=p4",
          FakeHttpClient::json(200, R"({"value":[)" + item("c", R"("enabled":true,"exp":)" + std::to_string(kNow - 1)) +
                                        "," + item("d", R"("enabled":true,"exp":)" + std::to_string(kNow + 60)) + "," +
                                        item("e") + "," + item("A") + R"(],"nextLink":null})"));
  http.on("GET", kVault + "/secrets/a?", secret("va"));
  http.on("GET", kVault + "/secrets/d?", secret("vd", R"("enabled":true,"nbf":)" + std::to_string(kNow + 3600)));
  http.on("GET", kVault + "/secrets/e?", secret("ve"));

  auto result = download_secrets(http, options(), all(), "tok", no_reacquire());
  REQUIRE(result);
  CHECK(http.unmatched().empty());
  CHECK(result->list.listed);
  CHECK(result->list.pages == 4);
  CHECK(result->list.found == 5);  // a b c d e
  CHECK(result->list.disabled == std::vector<std::string>{"b"});
  CHECK(result->list.expired == std::vector<std::string>{"c"});
  CHECK(result->list.invalid_names == 2);  // bad_name, duplicate A
  CHECK(result->list.kept() == 3);
  REQUIRE(result->secrets.size() == 3);
  CHECK(result->secrets[0].ref.text() == "a");
  CHECK(result->secrets[0].value == "va");
  CHECK(result->secrets[1].ref.text() == "d");
  CHECK(result->secrets[1].not_before == kNow + 3600);
  CHECK(result->secrets[2].value == "ve");
  for (const auto& r : http.requests()) {
    REQUIRE(r.bearer);
    CHECK(r.bearer->token == "tok");
    CHECK(r.bearer->host == "kv1.vault.azure.net");
    CHECK(r.url.host == "kv1.vault.azure.net");
  }
  CHECK(http.requests().size() == 7);
}

TEST_CASE("'*': a nextLink to another host stops the run; nothing is sent there") {
  for (const std::string link : {"https://evil.example.com/secrets?$skiptoken=x", "https://kv1.vault.azure.net.evil.com/s",
                                 "https://kv1.vault.azure.net:8443/secrets", "http://kv1.vault.azure.net/secrets"}) {
    CAPTURE(link);
    FakeHttpClient http;
    http.on("GET", kVault + "/secrets?api-version=7.5&maxresults=25",
            FakeHttpClient::json(200, R"({"value":[)" + item("a") + R"(],"nextLink":")" + link + R"("})"));
    http.on("GET", kVault + "/secrets/a?", secret("va"));
    http.on_match([](const fkv::net::Request&) { return true; }, FakeHttpClient::json(200, "{}"));
    auto result = download_secrets(http, options(), all(), "tok", no_reacquire());
    REQUIRE_FALSE(result);
    CHECK(result.error().stage == fkv::Stage::vault_list);
    for (const auto& u : urls(http)) CHECK(u.rfind(kVault + "/", 0) == 0);
    if (link.rfind("http:", 0) == 0) {
      CHECK(result.error().message ==
            "Key Vault returned a nextLink that is not an https URL, so listing stopped and the token was not sent.");
    }
  }
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets?", FakeHttpClient::json(200, R"({"value":[],"nextLink":"https://evil.example.com/x"})"));
  auto result = download_secrets(http, options(), all(), "tok", no_reacquire());
  REQUIRE_FALSE(result);
  CHECK(result.error().message == "Key Vault returned a nextLink for another host (evil.example.com) than the vault "
                                  "(kv1.vault.azure.net), so listing stopped and the token was not sent there.");
}

TEST_CASE("'*': a list failure fails at once, with the Key Vault message") {
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets?",
          FakeHttpClient::json(403, R"({"error":{"code":"Forbidden","message":"no","innererror":{"code":"ForbiddenByRbac"}}})"));
  auto result = download_secrets(http, options(), all(), "tok", no_reacquire());
  REQUIRE_FALSE(result);
  CHECK(result.error().stage == fkv::Stage::vault_list);
  CHECK(result.error().message ==
        "Access to the list of secrets in vault 'kv1' was denied by Azure RBAC. Key Vault says: \"no\"");
}

TEST_CASE("'*': empty vault") {
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets?", FakeHttpClient::json(200, R"({"value":[]})"));
  auto result = download_secrets(http, options(), all(), "tok", no_reacquire());
  REQUIRE(result);
  CHECK(result->list.found == 0);
  CHECK(result->secrets.empty());
}

TEST_CASE("explicit names: no list call, name/version URL, per-secret failures do not stop the others") {
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets/one?api-version=7.5", secret("v1"));
  http.on("GET", kVault + "/secrets/two/0123abcd?api-version=7.5", secret("v2"));
  http.on("GET", kVault + "/secrets/gone?api-version=7.5",
          FakeHttpClient::json(404, R"({"error":{"code":"SecretNotFound","message":"A secret was not found."}})",
                               {{"x-ms-request-id", "r404"}}));
  http.on("GET", kVault + "/secrets/three?api-version=7.5", secret(""));
  auto result = download_secrets(http, options(2),
                                 names({{"one", ""}, {"gone", ""}, {"two", "0123abcd"}, {"three", ""}}), "tok",
                                 no_reacquire());
  REQUIRE(result);
  CHECK_FALSE(result->list.listed);
  CHECK(http.unmatched().empty());
  for (const auto& u : urls(http)) CHECK(u.find("/secrets?") == std::string::npos);
  REQUIRE(result->secrets.size() == 4);
  CHECK(result->secrets[0].value == "v1");
  REQUIRE(result->secrets[1].error);
  CHECK(result->secrets[1].error->message ==
        "Secret 'gone' was not found in vault 'kv1'. Key Vault says: \"A secret was not found.\"");
  CHECK(result->secrets[1].error->correlation.at(0).second == "r404");
  CHECK_FALSE(result->secrets[1].value);
  CHECK(result->secrets[2].ref.text() == "two/0123abcd");
  CHECK(result->secrets[2].value == "v2");
  CHECK(result->secrets[3].value == "");
}

TEST_CASE("an unknown vault host fails the run at once") {
  FakeHttpClient http;
  http.on("GET", kVault + "/", TransportError{TransportError::Kind::resolve_not_found, "NXDOMAIN"});
  auto result = download_secrets(http, options(4), names({{"a", ""}, {"b", ""}, {"c", ""}}), "tok", no_reacquire());
  REQUIRE_FALSE(result);
  CHECK(result.error().message == "Key vault 'kv1' not found: the host name kv1.vault.azure.net does not exist.");
  FakeHttpClient list_http;
  list_http.on("GET", kVault + "/", TransportError{TransportError::Kind::resolve_not_found, "NXDOMAIN"});
  auto listed = download_secrets(list_http, options(4), all(), "tok", no_reacquire());
  REQUIRE_FALSE(listed);
  CHECK(listed.error().message == "Key vault 'kv1' not found: the host name kv1.vault.azure.net does not exist.");
  CHECK(list_http.requests().size() == 1);
}

TEST_CASE("other transport errors are per-secret") {
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets/a?", TransportError{TransportError::Kind::timeout, "read"});
  http.on("GET", kVault + "/secrets/b?", secret("vb"));
  auto result = download_secrets(http, options(), names({{"a", ""}, {"b", ""}}), "tok", no_reacquire());
  REQUIRE(result);
  REQUIRE(result->secrets[0].error);
  CHECK(result->secrets[0].error->message ==
        "Could not reach vault 'kv1' (kv1.vault.azure.net) for secret 'a': timed out (read).");
  CHECK(result->secrets[1].value == "vb");
}

namespace {
Response challenge(const std::string& params) {
  return FakeHttpClient::json(401, R"({"error":{"code":"Unauthorized","message":"AKV10032: Invalid issuer."}})",
                              {{"WWW-Authenticate", "Bearer " + params}});
}
bool with_token(const fkv::net::Request& r, const std::string& token) { return r.bearer && r.bearer->token == token; }
}  // namespace

TEST_CASE("401 challenge within the DNS suffix: one re-acquisition for the challenge scope, then retry") {
  FakeHttpClient http;
  http.on_match([](const auto& r) { return with_token(r, "old"); },
                challenge(R"(authorization="https://login.windows.net/t", resource="https://vault.azure.net")"));
  http.on_match([](const auto& r) { return with_token(r, "new") && r.url.target.rfind("/secrets/a?", 0) == 0; }, secret("va"));
  http.on_match([](const auto& r) { return with_token(r, "new") && r.url.target.rfind("/secrets/b?", 0) == 0; }, secret("vb"));
  std::atomic<int> calls{0};
  std::string scope_seen;
  TokenSource source = [&](const std::string& scope) -> fkv::Expected<std::string> {
    ++calls;
    scope_seen = scope;
    return std::string("new");
  };
  auto result = download_secrets(http, options(4), names({{"a", ""}, {"b", ""}}), "old", source);
  REQUIRE(result);
  CHECK(calls == 1);
  CHECK(scope_seen == "https://vault.azure.net/.default");
  CHECK(result->secrets[0].value == "va");
  CHECK(result->secrets[1].value == "vb");
  CHECK(http.unmatched().empty());
}

TEST_CASE("401 challenge for a foreign resource is not followed") {
  for (const std::string params : {R"(authorization="https://l/t", resource="https://evil.example.com")",
                                   R"(authorization="https://l/t", scope="https://evilvault.azure.net/.default")",
                                   R"(authorization="https://l/t", resource="http://vault.azure.net")"}) {
    CAPTURE(params);
    FakeHttpClient http;
    http.on("GET", kVault + "/", challenge(params));
    int calls = 0;
    auto result = download_secrets(http, options(), names({{"a", ""}}), "old", no_reacquire(&calls));
    REQUIRE(result);
    CHECK(calls == 0);
    CHECK(http.requests().size() == 1);
    REQUIRE(result->secrets[0].error);
    CHECK(result->secrets[0].error->http_status == 401);
    CHECK(result->secrets[0].error->message.find("which is not within the vault's DNS suffix 'vault.azure.net', so the "
                                                 "challenge was not followed.") != std::string::npos);
  }
}

TEST_CASE("401 again after following the challenge: per-secret 401 error; no challenge header: no retry") {
  FakeHttpClient http;
  http.on("GET", kVault + "/", challenge(R"(authorization="https://l/t", resource="https://vault.azure.net")"));
  int calls = 0;
  TokenSource source = [&](const std::string&) -> fkv::Expected<std::string> {
    ++calls;
    return std::string("new");
  };
  auto result = download_secrets(http, options(1), names({{"a", ""}, {"b", ""}}), "old", source);
  REQUIRE(result);
  CHECK(calls == 1);  // at most one re-acquisition per scope per run
  CHECK(http.requests().size() == 3);  // a: old+new; b: new (scope already refreshed)
  for (const auto& s : result->secrets) {
    REQUIRE(s.error);
    CHECK(s.error->message.rfind("Key Vault did not accept the access token for secret", 0) == 0);
  }

  FakeHttpClient plain;
  plain.on("GET", kVault + "/", FakeHttpClient::json(401, "{}"));
  auto r2 = download_secrets(plain, options(), names({{"a", ""}}), "old", no_reacquire(&calls));
  REQUIRE(r2);
  CHECK(plain.requests().size() == 1);
  CHECK(r2->secrets[0].error->http_status == 401);
}

TEST_CASE("a failed token re-acquisition fails the run") {
  FakeHttpClient http;
  http.on("GET", kVault + "/", challenge(R"(authorization="https://l/t", resource="https://vault.azure.net")"));
  TokenSource source = [](const std::string&) -> fkv::Expected<std::string> {
    fkv::Error e;
    e.stage = fkv::Stage::entra;
    e.message = "Entra said no.";
    return e;
  };
  auto result = download_secrets(http, options(), names({{"a", ""}, {"b", ""}}), "old", source);
  REQUIRE_FALSE(result);
  CHECK(result.error().stage == fkv::Stage::entra);
  CHECK(result.error().message == "Entra said no.");
}

namespace {
// Counts concurrent sends; answers every GET of a secret after a short pause.
class SlowClient : public fkv::net::HttpClient {
 public:
  fkv::net::Outcome send(const fkv::net::Request& r) override {
    const int now = ++in_flight_;
    int seen = max_.load();
    while (now > seen && !max_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
    --in_flight_;
    ++total_;
    (void)r;
    return FakeHttpClient::json(200, R"({"value":"x"})");
  }
  std::atomic<int> in_flight_{0}, max_{0}, total_{0};
};
}  // namespace

TEST_CASE("GETs run concurrently, never above the bound") {
  std::vector<SecretRef> refs;
  for (int i = 0; i < 24; ++i) refs.push_back({"s" + std::to_string(i), ""});
  SlowClient http;
  auto result = download_secrets(http, options(4), names(refs), "tok", no_reacquire());
  REQUIRE(result);
  CHECK(http.total_ == 24);
  CHECK(http.max_ <= 4);
  CHECK(http.max_ >= 2);
  for (std::size_t i = 0; i < refs.size(); ++i) CHECK(result->secrets[i].ref == refs[i]);
}

namespace {
// Page 2 is answered only once a GET from page 1 has arrived (bounded wait), which proves that GETs start
// while later pages are still being fetched.
class OverlapClient : public fkv::net::HttpClient {
 public:
  fkv::net::Outcome send(const fkv::net::Request& r) override {
    if (r.url.target.find("skiptoken=p2") != std::string::npos) {
      std::unique_lock lock(mutex_);
      overlapped_ = cv_.wait_for(lock, std::chrono::seconds(5), [&] { return got_get_; });
      return FakeHttpClient::json(200, R"({"value":[)" + item("b") + "]}");
    }
    if (r.url.target.rfind("/secrets?", 0) == 0) {
      return FakeHttpClient::json(200, R"({"value":[)" + item("a") +
                                           R"(],"nextLink":"https://kv1.vault.azure.net/secrets?$skiptoken=p2"})");
    }
    {
      std::lock_guard lock(mutex_);
      got_get_ = true;
    }
    cv_.notify_all();
    return FakeHttpClient::json(200, R"({"value":"x"})");
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  bool got_get_ = false;
  bool overlapped_ = false;
};
}  // namespace

TEST_CASE("GETs start while later list pages are still being fetched") {
  OverlapClient http;
  auto result = download_secrets(http, options(2), all(), "tok", no_reacquire());
  REQUIRE(result);
  CHECK(http.overlapped_);
  REQUIRE(result->secrets.size() == 2);
  CHECK(result->secrets[0].ref.name == "a");
  CHECK(result->secrets[1].ref.name == "b");
}
