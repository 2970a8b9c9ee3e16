#include <doctest/doctest.h>

#include "net/url.hpp"

using fkv::net::host_within;
using fkv::net::parse_https_url;

TEST_CASE("parse_https_url accepts https URLs and normalises the host") {
  struct Row { const char* text; const char* host; unsigned port; const char* target; };
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
  const char* rows[] = {"http://dev.azure.com/", "https://", "https://user@host/", "https://ho st/",
                        "https://host:0/", "https://host:99999/", "https://host/#frag", "https://[::1]/",
                        "https://a..b/", "ftp://x/", "https://host:/"};
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
