#include <doctest/doctest.h>

#include "net/url.hpp"

using fkv::net::host_within;
using fkv::net::parse_https_url;

TEST_CASE("parse_https_url accepts https URLs and normalises the host") {
  struct Row {
    const char* text;
    const char* host;
    unsigned port;
    const char* target;
  };
  const Row rows[] = {
      {"https://Dev.Azure.com/org/_apis/x?a=1", "dev.azure.com", 443, "/org/_apis/x?a=1"},
      {"https://myvault.vault.azure.net:443/secrets?api-version=7.2&$skiptoken=abc", "myvault.vault.azure.net", 443,
       "/secrets?api-version=7.2&$skiptoken=abc"},
      {"https://login.microsoftonline.com", "login.microsoftonline.com", 443, "/"},
      {"https://localhost:8443?x=1", "localhost", 8443, "/?x=1"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    auto url = parse_https_url(row.text);
    REQUIRE(url);
    CHECK(url->host == row.host);
    CHECK(url->port == row.port);
    CHECK(url->target == row.target);
  }
}

TEST_CASE("parse_https_url rejects what it cannot compare safely") {
  const char* rows[] = {
      "http://dev.azure.com/", "https://",           "https://user@host/", "https://ho st/", "https://host:0/",
      "https://host:99999/",   "https://host/#frag", "https://[::1]/",     "https://a..b/",  "ftp://x/",
      "https://host:/"};
  for (const char* row : rows) {
    CAPTURE(row);
    CHECK_FALSE(parse_https_url(row));
  }
}

TEST_CASE("Url::str omits the default port") {
  CHECK(parse_https_url("https://a.b:443/x")->str() == "https://a.b/x");
  CHECK(parse_https_url("https://a.b:8443/x")->str() == "https://a.b:8443/x");
}

TEST_CASE("host_within matches at a dot boundary only") {
  CHECK(host_within("myvault.vault.azure.net", "vault.azure.net"));
  CHECK(host_within("vault.azure.net", "vault.azure.net"));
  CHECK(host_within("MyVault.Vault.Azure.Net", "vault.azure.net"));
  CHECK_FALSE(host_within("evilvault.azure.net", "vault.azure.net"));
  CHECK_FALSE(host_within("vault.azure.net.evil.com", "vault.azure.net"));
  CHECK_FALSE(host_within("x.vault.azure.net", ""));
}

TEST_CASE("query_parameter: decoded value of the first exact match (Boost.URL)") {
  using fkv::net::query_parameter;
  CHECK(query_parameter("/t?serviceConnectionId=a%20b&z=1", "serviceConnectionId") == "a b");
  CHECK(query_parameter("/t?z=1&flag", "flag") == "");
  CHECK(query_parameter("/t?a=1&a=2", "a") == "1");
  CHECK_FALSE(query_parameter("/t?xa=1", "a"));
  CHECK_FALSE(query_parameter("/t?A=1", "a"));
  CHECK_FALSE(query_parameter("/t", "a"));
  CHECK_FALSE(query_parameter("/t?a=%zz", "a"));  // not a valid origin-form
  CHECK_FALSE(query_parameter("no-slash?a=1", "a"));
}

TEST_CASE("without_query_parameter: drops a name in any case, keeps the rest as written") {
  using fkv::net::without_query_parameter;
  CHECK(without_query_parameter("/secrets?api-version=7.2&$skiptoken=ab%2Fc&maxresults=25", "api-version") ==
        "/secrets?$skiptoken=ab%2Fc&maxresults=25");
  CHECK(without_query_parameter("/s?API-Version=1&a=1&&api-version=2&b", "api-version") == "/s?a=1&b");
  CHECK(without_query_parameter("/s?api-version=1", "api-version") == "/s");
  CHECK(without_query_parameter("/s", "api-version") == "/s");
  CHECK(without_query_parameter("/s?%61pi-version=1", "api-version") == "/s");  // the name compared decoded
  CHECK_FALSE(without_query_parameter("/s?a=%zz", "api-version"));
}
