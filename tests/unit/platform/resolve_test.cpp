// platform/resolve: the one mapping of getaddrinfo's answer, and the same finding through diagnose mode
// and the download for the same DNS answer.
#include "platform/resolve.hpp"

#include <doctest/doctest.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#endif

#include <cerrno>
#include <cstring>

#include "agent/environment.hpp"
#include "diagnose/checks.hpp"
#include "fake_http_client.hpp"
#include "vault/client.hpp"

using namespace fkv;
using Kind = net::TransportError::Kind;
using platform::LookupAnswer;

namespace {

#ifdef _WIN32
// getaddrinfo needs Winsock started (in the binary, Asio starts it before any lookup).
const struct WinsockStarted {
  WinsockStarted() {
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
  }
} winsock_started;
#endif

std::string ipv4(const char* text) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(443);
  REQUIRE(inet_pton(AF_INET, text, &address.sin_addr) == 1);
  return std::string(reinterpret_cast<const char*>(&address), sizeof address);
}

std::string ipv6(const char* text) {
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(443);
  REQUIRE(inet_pton(AF_INET6, text, &address.sin6_addr) == 1);
  return std::string(reinterpret_cast<const char*>(&address), sizeof address);
}

struct Answer {
  const char* what;
  LookupAnswer answer;
};

// The DNS answers the tests go through: every class of getaddrinfo result.
std::vector<Answer> answers() {
  std::vector<Answer> out = {
      {"EAI_NONAME (NXDOMAIN)", {EAI_NONAME, 0, {}}},
      {"no address at all", {0, 0, {}}},
      {"EAI_AGAIN (SERVFAIL)", {EAI_AGAIN, 0, {}}},
      {"EAI_FAIL", {EAI_FAIL, 0, {}}},
  };
#ifdef EAI_NODATA
  out.push_back({"EAI_NODATA (no address of any family)", {EAI_NODATA, 0, {}}});
#endif
#ifdef EAI_SYSTEM
  out.push_back({"EAI_SYSTEM (EBUSY)", {EAI_SYSTEM, EBUSY, {}}});
#endif
  return out;
}

}  // namespace

TEST_CASE("lookup_error: one kind and one message per getaddrinfo answer") {
  const std::string host = "fkv.vault.azure.net";
  struct Row {
    LookupAnswer answer;
    Kind kind;
    std::string detail;
  };
  std::vector<Row> rows = {
      {{EAI_NONAME, 0, {}},
       Kind::resolve_not_found,
       "the host name fkv.vault.azure.net does not exist (" + std::string(gai_strerror(EAI_NONAME)) + ")"},
      {{0, 0, {}}, Kind::resolve_not_found, "no address for fkv.vault.azure.net"},
      {{EAI_AGAIN, 0, {}},
       Kind::resolve_failed,
       "could not resolve fkv.vault.azure.net: " + std::string(gai_strerror(EAI_AGAIN))},
      {{EAI_FAIL, 0, {}},
       Kind::resolve_failed,
       "could not resolve fkv.vault.azure.net: " + std::string(gai_strerror(EAI_FAIL))},
  };
#ifdef EAI_NODATA
  // A name with no address of any family is a name that does not exist here (for both callers).
  rows.push_back({{EAI_NODATA, 0, {}},
                  Kind::resolve_not_found,
                  "the host name fkv.vault.azure.net does not exist (" + std::string(gai_strerror(EAI_NODATA)) + ")"});
#endif
#ifdef EAI_SYSTEM
  rows.push_back({{EAI_SYSTEM, EBUSY, {}},
                  Kind::resolve_failed,
                  "could not resolve fkv.vault.azure.net: " + std::string(std::strerror(EBUSY))});
#endif
  for (const auto& row : rows) {
    CAPTURE(row.detail);
    const auto error = platform::lookup_error(host, row.answer);
    REQUIRE(error);
    CHECK(error->kind == row.kind);
    CHECK(error->phase == net::TransportError::Phase::resolve);
    CHECK(error->detail == row.detail);
  }
  CHECK_FALSE(platform::lookup_error(host, {0, 0, {ipv4("192.0.2.7")}}));
}

TEST_CASE("numeric_address: IPv4 and IPv6 socket addresses as text") {
  CHECK(platform::numeric_address(ipv4("192.0.2.7")) == "192.0.2.7");
  CHECK(platform::numeric_address(ipv6("2001:db8::1")) == "2001:db8::1");
}

TEST_CASE(
    "lookup_bounded and resolve_host: numeric hosts resolve without DNS; a past deadline or a stop ends the wait") {
  const auto later = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto lookup = platform::lookup_bounded("127.0.0.1", 8443, true, later, nullptr);
  REQUIRE(lookup.end == platform::LookupEnd::answered);
  CHECK_FALSE(platform::lookup_error("127.0.0.1", lookup.answer));
  REQUIRE_FALSE(lookup.answer.addresses.empty());
  CHECK(platform::numeric_address(lookup.answer.addresses.front()) == "127.0.0.1");
  auto not_numeric = platform::lookup_bounded("localhost.invalid", 443, true, later, nullptr);
  REQUIRE(not_numeric.end == platform::LookupEnd::answered);
  CHECK(not_numeric.answer.status != 0);  // AI_NUMERICHOST: never asks DNS

  std::string address;
  CHECK_FALSE(platform::resolve_host("127.0.0.1", address, std::chrono::seconds(10), nullptr));
  CHECK(address == "127.0.0.1");

  const std::atomic<bool> stop{true};
  const auto stopped = platform::resolve_host("127.0.0.2", address, std::chrono::seconds(10), &stop);
  // A numeric lookup may finish before the first look at the flag; if it did not, it was cancelled.
  if (stopped) CHECK(stopped->kind == Kind::cancelled);
}

// Diagnose mode's "Name resolution <vault host>" finding and the download's stop say the same for the same
// DNS answer: both go through lookup_error, then the vault's error text (vault::error_from_transport).
TEST_CASE("the same DNS answer gives the same message in diagnose mode and in the download") {
  const std::string host = "fkv-unit.vault.azure.net";
  for (const auto& row : answers()) {
    const char* what = row.what;  // not a structured binding: clang 14 cannot capture one (CAPTURE)
    const LookupAnswer& answer = row.answer;
    CAPTURE(what);
    const auto error = platform::lookup_error(host, answer);
    REQUIRE(error);

    // The download (vault::download over the HTTP seam, as HttpsClient reports the answer).
    test::FakeHttpClient http;
    http.on("GET", "https://" + host + "/", *error);
    vault::ClientOptions options;
    options.vault_url = *net::parse_https_url("https://" + host + "/");
    options.vault_name = "fkv-unit";
    options.vault_dns_suffix = "vault.azure.net";
    options.concurrency = 1;
    vault::DownloadHooks hooks;
    hooks.secret = [](vault::SecretOutcome) {};
    vault::FetchSource everything;  // '*': what the plan of the default filter fetches
    everything.list = true;
    const auto downloaded = vault::download_secrets(
        http, options, everything, "token", [](const std::string&) -> Expected<std::string> { return Error{}; }, hooks);
    const Error* download_error = downloaded.stopped        ? &*downloaded.stopped
                                  : downloaded.list_failure ? &*downloaded.list_failure
                                                            : nullptr;
    REQUIRE(download_error);

    // Diagnose mode, its resolver answering the same.
    agent::TaskConfig cfg;
    cfg.vault_name = "fkv-unit";
    cfg.connection.auth = AuthScheme::managed_identity;  // only the vault's host is resolved
    cfg.connection.vault_dns_suffix = "vault.azure.net";
    cfg.connection.vault_resource = "https://vault.azure.net";
    test::FakeHttpClient diagnose_http;
    RunControl run{std::chrono::seconds(60)};
    diagnose::Input in;
    in.config = &cfg;
    in.credential = agent::credential_of(cfg);
    in.scope = "https://vault.azure.net/.default";
    in.http = &diagnose_http;
    in.vault_http = &diagnose_http;
    in.register_secret = [](std::string_view) {};
    in.resolve = [&](const std::string&, std::string&) { return error; };
    in.probe_name = "fkv-diagnose-0123456789abcdef";
    in.run = &run;
    const auto result = diagnose::run_checks(in);
    const agent::SummaryFinding* finding = nullptr;
    for (const auto& f : result.findings) {
      if (f.check == "Name resolution " + host) finding = &f;
    }
    REQUIRE(finding);
    CHECK(finding->status == agent::FindingStatus::failed);
    CAPTURE(finding->text);
    CHECK(finding->text.rfind(download_error->message + " " + download_error->hint, 0) == 0);
  }
}
