// Small pure helpers shared by the fake: encodings, URL pieces, random identifiers, time.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fake {

std::string base64_encode(std::string_view bytes);
std::string base64url_encode(std::string_view bytes);  // no padding
// Accepts the standard and the URL alphabets, padded or not; nullopt on any other character.
std::optional<std::string> base64_decode(std::string_view text);

std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool starts_with_icase(std::string_view s, std::string_view prefix);

// Percent-decoding ('+' stays '+': it is only a space in form bodies, see form_decode).
std::string url_decode(std::string_view s);
std::string form_decode(std::string_view s);
std::string url_encode(std::string_view s);  // RFC 3986 unreserved kept, everything else %XX

// Splits "a=1&b=2" into decoded pairs; later duplicates overwrite earlier ones.
std::map<std::string, std::string> parse_query(std::string_view query, bool form = false);

struct Target {
  std::string path;   // still percent-encoded, as sent
  std::string query;  // without '?'
};
Target split_target(std::string_view target);
std::vector<std::string> split_path(std::string_view path);  // "/a/b/" -> {"a","b",""}

// Glob with '*' (any run, including '/') and '?' (one char); case-insensitive.
bool glob_match(std::string_view pattern, std::string_view text);

std::string random_bytes(std::size_t n);
std::string random_hex(std::size_t bytes);
std::string random_guid();
// Little-endian-first-three-groups byte layout of a GUID, as .NET's Guid.ToByteArray.
std::optional<std::string> guid_bytes_ms(std::string_view guid);
bool is_guid(std::string_view s);

std::int64_t unix_now();
std::string http_date(std::int64_t unix_seconds);        // "Sun, 06 Nov 1994 08:49:37 GMT"
std::string entra_timestamp(std::int64_t unix_seconds);  // "2024-06-13 15:40:46Z"

}  // namespace fake
