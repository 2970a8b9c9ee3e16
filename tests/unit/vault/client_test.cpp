#include "vault/client.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <functional>
#include <map>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "agent/secret_plan.hpp"
#include "fake_http_client.hpp"

using namespace fkv::vault;
using fkv::vault::SecretRef;
using fkv::vault::Selection;
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
Selection names(std::vector<SecretRef> refs) {
  Selection selection{false, refs};
  for (const auto& ref : refs) {
    selection.items.push_back(fkv::vault::FilterItem{fkv::vault::FilterItem::Kind::name, ref.text(), ref, "", "", {}});
  }
  return selection;
}

// What production fetches for a selection: its plan (agent/secret_plan.hpp) as the client's FetchSource.
struct Planned {
  explicit Planned(const Selection& selection) : plan(*fkv::agent::SecretPlan::make(selection, "")) {}
  fkv::agent::SecretPlan plan;
  std::mutex lock;
  FetchSource source() { return fkv::agent::fetch_source(plan, lock, nullptr); }
};

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

// What the streaming client handed out, collected in selection order for the checks.
struct Collected {
  DownloadSummary summary;
  std::vector<SecretOutcome> secrets;
  std::vector<ListStats> listed;
  bool ok() const { return !summary.stopped && !summary.list_failure; }
};

Collected download(fkv::net::HttpClient& http, const ClientOptions& o, const Selection& selection,
                   const std::string& token, const TokenSource& reacquire) {
  Collected c;
  std::mutex mutex;
  DownloadHooks hooks;
  hooks.secret = [&](SecretOutcome outcome) {
    std::lock_guard lock(mutex);
    c.secrets.push_back(std::move(outcome));
  };
  hooks.listed = [&](const ListStats& stats) {
    std::lock_guard lock(mutex);
    c.listed.push_back(stats);
  };
  Planned planned(selection);
  c.summary = download_secrets(http, o, planned.source(), token, reacquire, hooks);
  std::sort(c.secrets.begin(), c.secrets.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  CHECK(c.summary.delivered == c.secrets.size());
  return c;
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
  CHECK(with_api_version("/secrets?API-VERSION=7.2&&$skiptoken=a%2Fb", "7.5") ==
        "/secrets?api-version=7.5&$skiptoken=a%2Fb");
  CHECK(with_api_version("/secrets?api-version=7.2&x=%zz", "7.5") == "/secrets?api-version=7.2&x=%zz");  // kept as is
  CHECK(list_url(options().vault_url).str() == kVault + "/secrets?api-version=7.5&maxresults=25");
}

TEST_CASE("'*': pages incl. empty and null ones, skips disabled/expired/invalid, keeps list order") {
  FakeHttpClient http;
  http.on(
      "GET", kVault + "/secrets?api-version=7.5&maxresults=25",
      FakeHttpClient::json(
          200,
          R"({"value":[)" + item("a") + "," + item("b", R"("enabled":false)") + "," + item("bad_name") +
              R"(],"nextLink":"https://kv1.vault.azure.net:443/secrets?api-version=7.2&$skiptoken=p2&maxresults=25"})"));
  http.on("GET", kVault + "/secrets?api-version=7.5&$skiptoken=p2",
          FakeHttpClient::json(200, R"({"value":[],"nextLink":"https://KV1.vault.azure.net/secrets?$skiptoken=p3"})"));
  http.on("GET", kVault + "/secrets?api-version=7.5&$skiptoken=p3",
          FakeHttpClient::json(200,
                               R"({"value":null,"nextLink":"https://kv1.vault.azure.net/secrets?$skiptoken=p4"})"));
  http.on("GET", kVault + "/secrets?api-version=7.5&$skiptoken=p4",
          FakeHttpClient::json(200, R"({"value":[)" + item("c", R"("enabled":true,"exp":)" + std::to_string(kNow - 1)) +
                                        "," + item("d", R"("enabled":true,"exp":)" + std::to_string(kNow + 60)) + "," +
                                        item("e") + "," + item("A") + R"(],"nextLink":null})"));
  http.on("GET", kVault + "/secrets/a?", secret("va"));
  http.on("GET", kVault + "/secrets/d?", secret("vd", R"("enabled":true,"nbf":)" + std::to_string(kNow + 3600)));
  http.on("GET", kVault + "/secrets/e?", secret("ve"));

  auto result = download(http, options(), all(), "tok", no_reacquire());
  REQUIRE(result.ok());
  CHECK(http.unmatched().empty());
  CHECK(result.summary.list.listed);
  CHECK(result.summary.list.pages == 4);
  CHECK(result.summary.list.found == 5);  // a b c d e
  CHECK(result.summary.list.disabled == std::vector<std::string>{"b"});
  CHECK(result.summary.list.expired == std::vector<std::string>{"c"});
  CHECK(result.summary.list.invalid_names == 2);  // bad_name, duplicate A
  CHECK(result.summary.list.kept() == 3);
  REQUIRE(result.secrets.size() == 3);
  CHECK(result.secrets[0].ref.text() == "a");
  CHECK(result.secrets[0].value == "va");
  CHECK(result.secrets[1].ref.text() == "d");
  CHECK(result.secrets[1].not_before == kNow + 3600);
  CHECK(result.secrets[2].value == "ve");
  for (const auto& r : http.requests()) {
    REQUIRE(r.bearer);
    CHECK(r.bearer->token == "tok");
    CHECK(r.bearer->host == "kv1.vault.azure.net");
    CHECK(r.url.host == "kv1.vault.azure.net");
  }
  CHECK(http.requests().size() == 7);
}

TEST_CASE("'*': a nextLink to another host stops the run; nothing is sent there") {
  for (const std::string link :
       {"https://evil.example.com/secrets?$skiptoken=x", "https://kv1.vault.azure.net.evil.com/s",
        "https://kv1.vault.azure.net:8443/secrets", "http://kv1.vault.azure.net/secrets"}) {
    CAPTURE(link);
    FakeHttpClient http;
    http.on("GET", kVault + "/secrets?api-version=7.5&maxresults=25",
            FakeHttpClient::json(200, R"({"value":[)" + item("a") + R"(],"nextLink":")" + link + R"("})"));
    http.on("GET", kVault + "/secrets/a?", secret("va"));
    http.on_match([](const fkv::net::Request&) { return true; }, FakeHttpClient::json(200, "{}"));
    auto result = download(http, options(), all(), "tok", no_reacquire());
    REQUIRE(result.summary.list_failure);
    CHECK_FALSE(result.summary.stopped);
    CHECK(result.summary.list_failure->stage == fkv::Stage::vault_list);
    // Nothing fetched is lost: the first page's secret is still fetched and delivered.
    REQUIRE(result.secrets.size() == 1);
    CHECK(result.secrets[0].value == "va");
    CHECK(result.listed.empty());  // no summary of an incomplete list
    for (const auto& u : urls(http)) CHECK(u.rfind(kVault + "/", 0) == 0);
    if (link.rfind("http:", 0) == 0) {
      CHECK(result.summary.list_failure->message ==
            "Key Vault returned a nextLink that is not an https URL, so listing stopped and the token was not sent.");
    }
  }
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets?",
          FakeHttpClient::json(200, R"({"value":[],"nextLink":"https://evil.example.com/x"})"));
  auto result = download(http, options(), all(), "tok", no_reacquire());
  REQUIRE(result.summary.list_failure);
  CHECK(result.summary.list_failure->message ==
        "Key Vault returned a nextLink for another host (evil.example.com) than the vault "
        "(kv1.vault.azure.net), so listing stopped and the token was not sent there.");
}

TEST_CASE("'*': a failed first page is the list failure, with the Key Vault message") {
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets?",
          FakeHttpClient::json(
              403, R"({"error":{"code":"Forbidden","message":"no","innererror":{"code":"ForbiddenByRbac"}}})"));
  auto result = download(http, options(), all(), "tok", no_reacquire());
  REQUIRE(result.summary.list_failure);
  CHECK(result.secrets.empty());
  CHECK(result.summary.list_failure->stage == fkv::Stage::vault_list);
  CHECK(result.summary.list_failure->message ==
        "Access to the list of secrets in vault 'kv1' was denied by Azure RBAC. Key Vault says: \"no\"");
}

TEST_CASE("'*': empty vault") {
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets?", FakeHttpClient::json(200, R"({"value":[]})"));
  auto result = download(http, options(), all(), "tok", no_reacquire());
  REQUIRE(result.ok());
  CHECK(result.summary.list.found == 0);
  CHECK(result.secrets.empty());
}

TEST_CASE("explicit names: no list call, name/version URL, per-secret failures do not stop the others") {
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets/one?api-version=7.5", secret("v1"));
  http.on("GET", kVault + "/secrets/two/0123abcd?api-version=7.5", secret("v2"));
  http.on("GET", kVault + "/secrets/gone?api-version=7.5",
          FakeHttpClient::json(404, R"({"error":{"code":"SecretNotFound","message":"A secret was not found."}})",
                               {{"x-ms-request-id", "r404"}}));
  http.on("GET", kVault + "/secrets/three?api-version=7.5", secret(""));
  auto result = download(http, options(2), names({{"one", ""}, {"gone", ""}, {"two", "0123abcd"}, {"three", ""}}),
                         "tok", no_reacquire());
  REQUIRE(result.ok());
  CHECK_FALSE(result.summary.list.listed);
  CHECK(http.unmatched().empty());
  for (const auto& u : urls(http)) CHECK(u.find("/secrets?") == std::string::npos);
  REQUIRE(result.secrets.size() == 4);
  CHECK(result.secrets[0].value == "v1");
  REQUIRE(result.secrets[1].error);
  CHECK(result.secrets[1].error->message ==
        "Secret 'gone' was not found in vault 'kv1'. Key Vault says: \"A secret was not found.\"");
  CHECK(result.secrets[1].error->correlation.at(0).second == "r404");
  CHECK_FALSE(result.secrets[1].value);
  CHECK(result.secrets[2].ref.text() == "two/0123abcd");
  CHECK(result.secrets[2].value == "v2");
  CHECK(result.secrets[3].value == "");
}

TEST_CASE("an unknown vault host fails the run at once") {
  FakeHttpClient http;
  http.on("GET", kVault + "/", TransportError{TransportError::Kind::resolve_not_found, "NXDOMAIN"});
  auto result = download(http, options(1), names({{"a", ""}, {"b", ""}, {"c", ""}}), "tok", no_reacquire());
  REQUIRE(result.summary.stopped);
  CHECK(result.summary.stopped->message ==
        "Key vault 'kv1' not found: the host name kv1.vault.azure.net does not exist.");
  CHECK(result.secrets.empty());
  CHECK(result.summary.not_fetched == std::vector<SecretRef>{{"a", ""}, {"b", ""}, {"c", ""}});
  CHECK(http.requests().size() == 1);  // nothing more is tried once the vault's host is known not to exist
  FakeHttpClient list_http;
  list_http.on("GET", kVault + "/", TransportError{TransportError::Kind::resolve_not_found, "NXDOMAIN"});
  auto listed = download(list_http, options(4), all(), "tok", no_reacquire());
  REQUIRE(listed.summary.stopped);
  CHECK_FALSE(listed.summary.list_failure);
  CHECK(listed.summary.stopped->message ==
        "Key vault 'kv1' not found: the host name kv1.vault.azure.net does not exist.");
  CHECK(list_http.requests().size() == 1);
}

TEST_CASE("other transport errors are per-secret") {
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets/a?", TransportError{TransportError::Kind::timeout, "read"});
  http.on("GET", kVault + "/secrets/b?", secret("vb"));
  auto result = download(http, options(), names({{"a", ""}, {"b", ""}}), "tok", no_reacquire());
  REQUIRE(result.ok());
  REQUIRE(result.secrets[0].error);
  CHECK(result.secrets[0].error->message ==
        "Could not reach vault 'kv1' (kv1.vault.azure.net) for secret 'a': timed out (read).");
  CHECK(result.secrets[1].value == "vb");
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
  http.on_match([](const auto& r) { return with_token(r, "new") && r.url.target.rfind("/secrets/a?", 0) == 0; },
                secret("va"));
  http.on_match([](const auto& r) { return with_token(r, "new") && r.url.target.rfind("/secrets/b?", 0) == 0; },
                secret("vb"));
  std::atomic<int> calls{0};
  std::string scope_seen;
  TokenSource source = [&](const std::string& scope) -> fkv::Expected<std::string> {
    ++calls;
    scope_seen = scope;
    return std::string("new");
  };
  auto result = download(http, options(4), names({{"a", ""}, {"b", ""}}), "old", source);
  REQUIRE(result.ok());
  CHECK(calls == 1);
  CHECK(scope_seen == "https://vault.azure.net/.default");
  CHECK(result.secrets[0].value == "va");
  CHECK(result.secrets[1].value == "vb");
  CHECK(http.unmatched().empty());
}

TEST_CASE("401 challenge for a foreign resource is not followed") {
  for (const std::string params : {R"(authorization="https://l/t", resource="https://evil.example.com")",
                                   R"(authorization="https://l/t", scope="https://evilvault.azure.net/.default")",
                                   R"(authorization="https://l/t", resource="https://evil.vault.azure.net")",
                                   R"(authorization="https://l/t", scope="https://vault.azure.net/secrets/.default")",
                                   R"(authorization="https://l/t", resource="http://vault.azure.net")"}) {
    CAPTURE(params);
    FakeHttpClient http;
    http.on("GET", kVault + "/", challenge(params));
    int calls = 0;
    auto result = download(http, options(), names({{"a", ""}}), "old", no_reacquire(&calls));
    REQUIRE(result.ok());
    CHECK(calls == 0);
    CHECK(http.requests().size() == 1);
    REQUIRE(result.secrets[0].error);
    CHECK(result.secrets[0].error->http_status == 401);
    CHECK(result.secrets[0].error->message.find(
              "', which is not this vault's own resource (kv1.vault.azure.net must end with '.' and the resource's "
              "host, the scope with '/.default'), so the challenge was not followed.") != std::string::npos);
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
  auto result = download(http, options(1), names({{"a", ""}, {"b", ""}}), "old", source);
  REQUIRE(result.ok());
  CHECK(calls == 1);                   // at most one re-acquisition per scope per run
  CHECK(http.requests().size() == 3);  // a: old+new; b: new (scope already refreshed)
  for (const auto& s : result.secrets) {
    REQUIRE(s.error);
    CHECK(s.error->message.rfind("Key Vault did not accept the access token for secret", 0) == 0);
  }

  FakeHttpClient plain;
  plain.on("GET", kVault + "/", FakeHttpClient::json(401, "{}"));
  auto r2 = download(plain, options(), names({{"a", ""}}), "old", no_reacquire(&calls));
  REQUIRE(r2.ok());
  CHECK(plain.requests().size() == 1);
  CHECK(r2.secrets[0].error->http_status == 401);
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
  auto result = download(http, options(1), names({{"a", ""}, {"b", ""}}), "old", source);
  REQUIRE(result.summary.stopped);
  CHECK(result.summary.stopped->stage == fkv::Stage::entra);
  CHECK(result.summary.stopped->message == "Entra said no.");
  CHECK(result.summary.not_fetched == std::vector<SecretRef>{{"a", ""}, {"b", ""}});
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
  auto result = download(http, options(4), names(refs), "tok", no_reacquire());
  REQUIRE(result.ok());
  CHECK(http.total_ == 24);
  CHECK(http.max_ <= 4);
  CHECK(http.max_ >= 2);
  for (std::size_t i = 0; i < refs.size(); ++i) CHECK(result.secrets[i].ref == refs[i]);
}

TEST_CASE("worker_started runs once on each GET worker thread, never on the calling (page chain) thread") {
  std::vector<SecretRef> refs;
  for (int i = 0; i < 24; ++i) refs.push_back({"s" + std::to_string(i), ""});
  for (const std::size_t count : {std::size_t{24}, std::size_t{2}}) {
    SlowClient http;
    ClientOptions o = options(4);
    std::mutex mutex;
    std::set<std::thread::id> threads;
    int calls = 0;
    o.worker_started = [&] {
      std::lock_guard lock(mutex);
      ++calls;
      threads.insert(std::this_thread::get_id());
    };
    const std::vector<SecretRef> some(refs.begin(), refs.begin() + static_cast<std::ptrdiff_t>(count));
    auto result = download(http, o, names(some), "tok", no_reacquire());
    REQUIRE(result.ok());
    CHECK(calls == static_cast<int>(std::min<std::size_t>(count, 4)));  // as many workers as names, at most 4
    CHECK(threads.size() == static_cast<std::size_t>(calls));
    CHECK(threads.count(std::this_thread::get_id()) == 0);
  }
}

TEST_CASE("an exception on a worker thread stops the run with an internal error that says where to report it") {
  SlowClient http;
  ClientOptions o = options(2);
  o.worker_started = [] { throw std::runtime_error("worker boom"); };
  auto result = download(http, o, names({{"a", ""}, {"b", ""}}), "tok", no_reacquire());
  REQUIRE(result.summary.stopped);
  CHECK(result.summary.stopped->message == "Internal error while downloading secrets: worker boom");
  CHECK(result.summary.stopped->hint ==
        std::string("Run the job again; if it happens again, report it with this log at ") + FKV_ISSUES_URL + ".");
  // The address is the project's issues page, from package.json (the one place of the project's URL).
  CHECK(std::string(FKV_ISSUES_URL).rfind("https://", 0) == 0);
  CHECK(std::string(FKV_ISSUES_URL).size() > std::string("https://x/issues").size());
  CHECK(std::string(FKV_ISSUES_URL).substr(std::string(FKV_ISSUES_URL).size() - 7) == "/issues");
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
  auto result = download(http, options(2), all(), "tok", no_reacquire());
  REQUIRE(result.ok());
  CHECK(http.overlapped_);
  REQUIRE(result.secrets.size() == 2);
  CHECK(result.secrets[0].ref.name == "a");
  CHECK(result.secrets[1].ref.name == "b");
}

TEST_CASE("'*': a truncated later page still delivers the earlier pages' secrets") {
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets?api-version=7.5&maxresults=25",
          FakeHttpClient::json(200, R"({"value":[)" + item("a") + "," + item("b") +
                                        R"(],"nextLink":"https://kv1.vault.azure.net/secrets?$skiptoken=p2"})"));
  http.on("GET", kVault + "/secrets?api-version=7.5&$skiptoken=p2", FakeHttpClient::json(200, R"({"value":[{"id":)"));
  http.on("GET", kVault + "/secrets/a?", secret("va"));
  http.on("GET", kVault + "/secrets/b?", secret("vb"));
  auto result = download(http, options(2), all(), "tok", no_reacquire());
  REQUIRE(result.summary.list_failure);
  CHECK_FALSE(result.summary.stopped);
  CHECK(result.summary.list.pages == 1);
  REQUIRE(result.secrets.size() == 2);
  CHECK(result.secrets[0].value == "va");
  CHECK(result.secrets[1].value == "vb");
}

TEST_CASE("'*': a nextLink that leads back to an earlier page stops the listing, not the run") {
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets?api-version=7.5&maxresults=25",
          FakeHttpClient::json(200, R"({"value":[)" + item("a") +
                                        R"(],"nextLink":"https://kv1.vault.azure.net/secrets?$skiptoken=p2"})"));
  http.on("GET", kVault + "/secrets?api-version=7.5&$skiptoken=p2",
          FakeHttpClient::json(200, R"({"value":[)" + item("b") +
                                        R"(],"nextLink":"https://kv1.vault.azure.net/secrets?$skiptoken=p2"})"));
  http.on("GET", kVault + "/secrets/a?", secret("va"));
  http.on("GET", kVault + "/secrets/b?", secret("vb"));
  auto result = download(http, options(2), all(), "tok", no_reacquire());
  REQUIRE(result.summary.list_failure);
  CHECK(result.summary.list_failure->message ==
        "Key Vault returned a nextLink that leads back to an earlier page, so listing stopped after page 2.");
  CHECK(result.secrets.size() == 2);
  CHECK(http.requests().size() == 4);  // two pages, two GETs: the loop is not followed
}

TEST_CASE("a mid-run 'host not found' stops new requests; what arrived before is kept") {
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets/a?", secret("va"));
  http.on("GET", kVault + "/secrets/b?", TransportError{TransportError::Kind::resolve_not_found, "NXDOMAIN"});
  auto result = download(http, options(1), names({{"a", ""}, {"b", ""}, {"c", ""}}), "tok", no_reacquire());
  REQUIRE(result.summary.stopped);
  CHECK(result.summary.stopped->message ==
        "The host name kv1.vault.azure.net of vault 'kv1' stopped resolving during the run (DNS answered that it "
        "does not exist), so no further request was made.");
  REQUIRE(result.secrets.size() == 1);
  CHECK(result.secrets[0].value == "va");
  CHECK(result.summary.not_fetched == std::vector<SecretRef>{{"b", ""}, {"c", ""}});
}

TEST_CASE("a cancelled run: in-flight cancellations and every queued name are 'not fetched'") {
  fkv::RunControl run(std::chrono::seconds{300});
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets/a?", secret("va"));
  http.on("GET", kVault + "/secrets/b?", TransportError{TransportError::Kind::cancelled, "stop"});
  auto o = options(1);
  o.run = &run;
  auto result = download(http, o, names({{"a", ""}, {"b", ""}, {"c", ""}}), "tok", no_reacquire());
  REQUIRE(result.summary.stopped);
  CHECK(result.summary.stopped->message ==
        "The run was cancelled (a signal) before every selected secret was fetched.");
  CHECK(result.secrets.size() == 1);
  CHECK(result.summary.not_fetched == std::vector<SecretRef>{{"b", ""}, {"c", ""}});

  run.cancel(SIGTERM);
  FakeHttpClient none;
  auto after = download(none, o, all(), "tok", no_reacquire());
  REQUIRE(after.summary.stopped);
  CHECK(after.summary.stopped->message == "The run was cancelled (SIGTERM) before every selected secret was fetched.");
  CHECK(none.requests().empty());  // nothing is sent once the run is cancelled
}

TEST_CASE("the run's deadline: the stalled request names host and phase; the rest are 'not fetched'") {
  fkv::RunControl::Clock::time_point now{};
  fkv::RunControl run(std::chrono::seconds{60}, now, [&] { return now; });
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets/a?", secret("va"));
  http.on_match(
      [&](const fkv::net::Request& r) {
    if (r.url.target.rfind("/secrets/b?", 0) != 0) return false;
    now += std::chrono::seconds{61};  // the request stalls past the deadline
    return true;
      },
      TransportError{TransportError::Kind::timeout, "no response headers from kv1.vault.azure.net:443 within 30 s",
                     TransportError::Phase::headers});
  auto o = options(1);
  o.run = &run;
  auto result = download(http, o, names({{"a", ""}, {"b", ""}, {"c", ""}}), "tok", no_reacquire());
  REQUIRE(result.summary.stopped);
  CHECK(result.summary.stopped->message ==
        "The run reached its time limit of 60 s (TimeoutSeconds) while secret 'b' from kv1.vault.azure.net was "
        "stalled in the response headers phase (no response headers from kv1.vault.azure.net:443 within 30 s).");
  REQUIRE(result.secrets.size() == 1);
  CHECK(result.secrets[0].value == "va");
  CHECK(result.summary.not_fetched == std::vector<SecretRef>{{"b", ""}, {"c", ""}});
  CHECK(http.requests().size() == 2);  // c is never sent
}

TEST_CASE("streaming: outcomes are delivered while other requests are still running") {
  // The GET of 'slow' waits (bounded) until the outcome of 'fast' was delivered.
  std::mutex mutex;
  std::condition_variable cv;
  bool fast_delivered = false;
  bool saw_delivery_first = false;
  class Client : public fkv::net::HttpClient {
   public:
    explicit Client(std::function<void()> on_slow) : on_slow_(std::move(on_slow)) {}
    fkv::net::Outcome send(const fkv::net::Request& r) override {
      if (r.url.target.rfind("/secrets/slow?", 0) == 0) on_slow_();
      return FakeHttpClient::json(200, R"({"value":"x"})");
    }
    std::function<void()> on_slow_;
  } http([&] {
    std::unique_lock lock(mutex);
    saw_delivery_first = cv.wait_for(lock, std::chrono::seconds(5), [&] { return fast_delivered; });
  });
  DownloadHooks hooks;
  hooks.secret = [&](SecretOutcome o) {
    if (o.ref.name != "fast") return;
    std::lock_guard lock(mutex);
    fast_delivered = true;
    cv.notify_all();
  };
  Planned planned(names({{"slow", ""}, {"fast", ""}}));
  auto summary = download_secrets(http, options(2), planned.source(), "tok", no_reacquire(), hooks);
  CHECK(summary.delivered == 2);
  CHECK(saw_delivery_first);
}

TEST_CASE("throttled answers are paced by the controller and retried until they succeed; nothing is lost") {
  FakeHttpClient http;
  const auto throttled = FakeHttpClient::json(429, R"({"error":{"code":"Throttled","message":"slow down"}})",
                                              {{"retry-after-ms", "20"}});
  for (int i = 0; i < 6; ++i) http.on("GET", kVault + "/secrets/a?", throttled, true);
  http.on("GET", kVault + "/secrets/a?", secret("va"));
  // (Retry-After: 0 is no delay given: a plain 503 for the failure retries, net/retry.hpp)
  http.on("GET", kVault + "/secrets/b?", FakeHttpClient::json(503, "{}", {{"retry-after-ms", "20"}}), true);
  http.on("GET", kVault + "/secrets/b?", secret("vb"));
  auto result = download(http, options(2), names({{"a", ""}, {"b", ""}}), "tok", no_reacquire());
  REQUIRE(result.ok());
  REQUIRE(result.secrets.size() == 2);
  CHECK(result.secrets[0].value == "va");
  CHECK(result.secrets[1].value == "vb");
  CHECK(result.summary.throttle.throttled == 7);  // six 429s and a 503 with a delay
}

TEST_CASE("AccessWaitSeconds: RBAC / access-policy 403s are sent again until access applies; others are final") {
  const auto denied = [](const std::string& inner) {
    return FakeHttpClient::json(
        403, R"({"error":{"code":"Forbidden","message":"Caller is not authorized.","innererror":{"code":")" + inner +
                 R"("}}})");
  };
  ClientOptions o = options(2);
  o.access_wait.wait = std::chrono::seconds{60};
  o.access_wait.first_pause = std::chrono::milliseconds{5};
  o.access_wait.max_pause = std::chrono::milliseconds{20};
  FakeHttpClient http;
  // The list twice denied by RBAC, then allowed; 'slow' denied by an access policy three times, then served.
  http.on("GET", kVault + "/secrets?", denied("ForbiddenByRbac"), true);
  http.on("GET", kVault + "/secrets?", denied("ForbiddenByRbac"), true);
  http.on("GET", kVault + "/secrets?", FakeHttpClient::json(200, R"({"value":[)" + item("listed") + R"(]})"));
  http.on("GET", kVault + "/secrets/listed?", secret("v0"));
  for (int i = 0; i < 3; ++i) http.on("GET", kVault + "/secrets/slow?", denied("AccessDenied"), true);
  http.on("GET", kVault + "/secrets/slow?", secret("v1"));
  http.on("GET", kVault + "/secrets/wall?", denied("ForbiddenByFirewall"));
  http.on("GET", kVault + "/secrets/off?", denied("SecretDisabled"));
  http.on("GET", kVault + "/secrets/gone?", FakeHttpClient::json(404, R"({"error":{"code":"SecretNotFound"}})"));
  http.on("GET", kVault + "/secrets/who?", FakeHttpClient::json(401, R"({"error":{"code":"Unauthorized"}})"));

  std::vector<std::string> announced;
  std::mutex mutex;
  DownloadHooks hooks;
  std::vector<SecretOutcome> outcomes;
  hooks.secret = [&](SecretOutcome outcome) {
    std::lock_guard lock(mutex);
    outcomes.push_back(std::move(outcome));
  };
  hooks.access_waiting = [&](std::string_view code, std::chrono::seconds wait) {
    std::lock_guard lock(mutex);
    announced.push_back(std::string(code) + " " + std::to_string(wait.count()));
  };
  Planned listing(all());
  const auto listed = download_secrets(http, o, listing.source(), "tok", no_reacquire(), hooks);
  CHECK_FALSE(listed.list_failure);
  CHECK(announced == std::vector<std::string>{"ForbiddenByRbac 60"});
  Planned planned(names({{"slow", ""}, {"wall", ""}, {"off", ""}, {"gone", ""}, {"who", ""}}));
  const auto summary = download_secrets(http, o, planned.source(), "tok", no_reacquire(), hooks);
  CHECK_FALSE(summary.stopped);
  CHECK(announced == std::vector<std::string>{"ForbiddenByRbac 60", "AccessDenied 60"});  // once per run
  std::map<std::string, std::size_t> sent;
  for (const auto& r : http.requests()) ++sent[r.url.target.substr(0, r.url.target.find('?'))];
  CHECK(sent["/secrets"] == 3);
  CHECK(sent["/secrets/slow"] == 4);
  for (const char* once : {"/secrets/wall", "/secrets/off", "/secrets/gone", "/secrets/who", "/secrets/listed"}) {
    CAPTURE(once);
    CHECK(sent[once] == 1);
  }
  std::map<std::string, const SecretOutcome*> by_name;
  for (const auto& outcome : outcomes) by_name[outcome.ref.name] = &outcome;
  REQUIRE(by_name.size() == 6);
  CHECK(by_name["slow"]->value == "v1");
  CHECK(by_name["listed"]->value == "v0");
  for (const char* failed : {"wall", "off", "gone", "who"}) CHECK(by_name[failed]->error);

  // Without AccessWaitSeconds the first 403 is final.
  FakeHttpClient once;
  once.on("GET", kVault + "/secrets/slow?", denied("ForbiddenByRbac"));
  const auto off = download(once, options(1), names({{"slow", ""}}), "tok", no_reacquire());
  CHECK(once.requests().size() == 1);
  REQUIRE(off.secrets.size() == 1);
  CHECK(off.secrets[0].error->service_code == "ForbiddenByRbac");
}

TEST_CASE("AccessWaitSeconds: the window is the run's, from its first 403; the last answer is the 403 itself") {
  ClientOptions o = options(1);
  o.access_wait.wait = std::chrono::seconds{1};
  o.access_wait.first_pause = std::chrono::milliseconds{100};
  o.access_wait.max_pause = std::chrono::milliseconds{200};
  FakeHttpClient http;
  http.on("GET", kVault + "/secrets/never?",
          FakeHttpClient::json(
              403, R"({"error":{"code":"Forbidden","message":"No.","innererror":{"code":"ForbiddenByRbac"}}})"));
  const auto started = std::chrono::steady_clock::now();
  const auto result = download(http, o, names({{"never", ""}}), "tok", no_reacquire());
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(took >= std::chrono::milliseconds{950});  // the pauses are whole milliseconds, cut to the window
  CHECK(took < std::chrono::milliseconds{3000});
  // 0.1 + 0.2 + 0.2 + 0.2 + 0.2 + 0.1 (the window's end) s of pauses: 7 requests (fewer when sleeps overshoot).
  CHECK(http.requests().size() >= 5);
  CHECK(http.requests().size() <= 7);
  REQUIRE(result.secrets.size() == 1);
  REQUIRE(result.secrets[0].error);
  CHECK(result.secrets[0].error->message ==
        "Access to secret 'never' in vault 'kv1' was denied by Azure RBAC. Key Vault says: \"No.\"");
}
