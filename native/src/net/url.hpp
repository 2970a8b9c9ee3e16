// Absolute https URLs, parsed strictly. Pure.
//
// Only what the task needs: scheme "https", a DNS host name (lower-cased), an optional port
// (default 443) and the target (path + query, exactly as given, "/" when empty). No user-info,
// no fragment, no IP literals with brackets. Anything else is rejected, so a URL taken from a
// server response (nextLink, challenge) can be compared by host before a token goes near it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fkv::net {

struct Url {
  std::string host;  // lower-case
  unsigned short port = 443;
  std::string target;  // "/path?query", never empty

  // "https://host[:port]/target" with the port omitted when it is 443.
  std::string str() const;
  // "host" or "host:port" when not 443.
  std::string authority() const;
};

std::optional<Url> parse_https_url(std::string_view text);

// True when `host` equals `domain` or is a subdomain of it at a dot boundary
// ("a.vault.azure.net" is within "vault.azure.net"; "evilvault.azure.net" is not). Case-insensitive.
bool host_within(std::string_view host, std::string_view domain);

// A TCP port written in decimal: 1-5 digits, 1..65535; nullopt otherwise.
std::optional<unsigned short> parse_port(std::string_view text);

// Percent-encodes everything except unreserved characters (RFC 3986), for query values and
// application/x-www-form-urlencoded bodies.
std::string url_encode(std::string_view text);

// Query parameters of a request target ("/path?query"), parsed with Boost.URL (RFC 3986 origin-form).
// The percent-decoded value of the first parameter named exactly `name` ("" for "name" without '='), or
// nullopt when there is none or the target is not a valid origin-form.
std::optional<std::string> query_parameter(std::string_view target, std::string_view name);

// `target` with every parameter whose name equals `name` ignoring ASCII case removed, the others kept in
// order and exactly as written (still encoded), empty ones ("a&&b") dropped; "?" only when one is left.
// nullopt when the target is not a valid origin-form.
std::optional<std::string> without_query_parameter(std::string_view target, std::string_view name);

}  // namespace fkv::net
