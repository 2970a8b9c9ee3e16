// Base64 (RFC 4648), both alphabets, encoding and decoding: the one implementation. Pure.
//
// - standard (§4, '+' and '/'): Basic credentials (padded), PKCS#12 values from Key Vault (decoded).
// - url (§5, '-' and '_'): JWTs (RFC 7515 §2: written without padding).
//
// Decoding: padding is optional (only '=' may follow the first '='); with Base64Space::skip white space
// (as in wrapped base64) is ignored, with Base64Space::reject it is invalid. Any other character, or a
// length that leaves a lone 6-bit group, makes the text invalid (nullopt).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fkv {

enum class Base64Alphabet { standard, url };
enum class Base64Padding { with, without };  // encoding: '=' up to a multiple of 4, or none
enum class Base64Space { skip, reject };     // decoding: white space ignored, or invalid

std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet = Base64Alphabet::standard,
                          Base64Padding padding = Base64Padding::with);

std::optional<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet = Base64Alphabet::standard,
                                         Base64Space space = Base64Space::skip);

// base64url as JWTs use it: written without padding; read with padding tolerated, no white space.
inline std::string base64url_encode(std::string_view bytes) {
  return base64_encode(bytes, Base64Alphabet::url, Base64Padding::without);
}
inline std::optional<std::string> base64url_decode(std::string_view text) {
  return base64_decode(text, Base64Alphabet::url, Base64Space::reject);
}

}  // namespace fkv
