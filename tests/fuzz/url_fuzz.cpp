// URLs (net/url.hpp: parse_https_url, host_within, url_encode). Properties:
// - a parsed URL has a valid lower-case host and a target starting with '/', and parsing its str()
//   gives the same URL back;
// - url_encode emits only unreserved characters and %XX, and decoding that gives the input back;
// - host_within(host, domain) implies host is domain or ends with "." + domain (case-insensitive).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/text.hpp"
#include "fuzz_support.hpp"
#include "net/url.hpp"

namespace {

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fkv::fuzz::as_text(data, size);

  if (const auto url = fkv::net::parse_https_url(text)) {
    FKV_FUZZ_CHECK(!url->host.empty() && url->host == fkv::ascii_lower(url->host));
    FKV_FUZZ_CHECK(url->port != 0);
    FKV_FUZZ_CHECK(!url->target.empty() && url->target.front() == '/');
    const auto again = fkv::net::parse_https_url(url->str());
    FKV_FUZZ_CHECK(again && again->host == url->host && again->port == url->port && again->target == url->target);
  }

  const std::string encoded = fkv::net::url_encode(text);
  std::string decoded;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%') {
      FKV_FUZZ_CHECK(i + 2 < encoded.size() && hex(encoded[i + 1]) >= 0 && hex(encoded[i + 2]) >= 0);
      decoded.push_back(static_cast<char>(hex(encoded[i + 1]) * 16 + hex(encoded[i + 2])));
      i += 2;
    } else {
      FKV_FUZZ_CHECK(unreserved(encoded[i]));
      decoded.push_back(encoded[i]);
    }
  }
  FKV_FUZZ_CHECK(decoded == text);

  // host_within on the two halves of the input, split at the first '|'.
  const auto bar = text.find('|');
  if (bar != std::string_view::npos) {
    const std::string host = fkv::ascii_lower(text.substr(0, bar));
    const std::string domain = fkv::ascii_lower(text.substr(bar + 1));
    if (fkv::net::host_within(host, domain)) {
      const std::string dotted = "." + domain;
      FKV_FUZZ_CHECK(!domain.empty());
      FKV_FUZZ_CHECK(host == domain || host.ends_with(dotted));
    }
  }
  return 0;
}
