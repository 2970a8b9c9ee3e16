#include "util.hpp"

#include <doctest/doctest.h>

using namespace fake;

TEST_CASE("util: base64 and base64url round-trip every byte value") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += char(i);
  for (std::size_t n = 0; n < 8; ++n) {
    std::string s = all.substr(n, 250 - n * 3);
    CHECK(base64_decode(base64_encode(s)).value() == s);
    CHECK(base64_decode(base64url_encode(s)).value() == s);
  }
  CHECK(base64_encode("ab") == "YWI=");
  CHECK(base64url_encode("ab") == "YWI");
  CHECK_FALSE(base64_decode("YW*I").has_value());
}

TEST_CASE("util: GUID bytes use .NET's mixed-endian layout (the Azure DevOps app id in Entra subjects)") {
  // The published sample subject carries ".../a/rISbSSETf0KqFyZ8ppdXmA/..." for Azure DevOps' app id.
  CHECK(base64url_encode(guid_bytes_ms("499b84ac-1321-427f-aa17-267ca6975798").value()) == "rISbSSETf0KqFyZ8ppdXmA");
  CHECK_FALSE(guid_bytes_ms("not-a-guid").has_value());
  CHECK(is_guid(random_guid()));
  CHECK(random_guid() != random_guid());
}

TEST_CASE("util: URL pieces") {
  CHECK(url_decode("a%20b%2Fc+d") == "a b/c+d");
  CHECK(form_decode("a%20b+c") == "a b c");
  CHECK(url_decode("100%") == "100%");
  CHECK(url_encode("a b/:") == "a%20b%2F%3A");
  auto q = parse_query("api-version=7.5&%24skiptoken=x%3D&maxresults=3");
  CHECK(q["api-version"] == "7.5");
  CHECK(q["$skiptoken"] == "x=");
  CHECK(q["maxresults"] == "3");
  auto t = split_target("/secrets/a/?api-version=7.4");
  CHECK(t.path == "/secrets/a/");
  CHECK(t.query == "api-version=7.4");
  CHECK(split_path("/secrets/a/") == std::vector<std::string>{"secrets", "a", ""});
  CHECK(split_path("/") == std::vector<std::string>{});
}

TEST_CASE("util: glob") {
  CHECK(glob_match("*.vault.azure.net", "fkv-basic.vault.azure.net"));
  CHECK_FALSE(glob_match("*.vault.azure.net", "login.microsoftonline.com"));
  CHECK(glob_match("/secrets/*", "/secrets/a/b"));
  CHECK(glob_match("/secrets/?", "/secrets/A"));
  CHECK_FALSE(glob_match("/secrets/?", "/secrets/ab"));
  CHECK(glob_match("*", ""));
}

TEST_CASE("util: dates in HTTP and Entra formats") {
  CHECK(http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(entra_timestamp(784111777) == "1994-11-06 08:49:37Z");
}
