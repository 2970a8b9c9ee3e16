// Compact JWS (RS256) creation and parsing for the OIDC tokens the fake issues and later checks.
#pragma once
#include "crypto.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fake {

struct JwtClaims {
  std::string iss, sub, jti;
  std::vector<std::string> aud;  // a string claim becomes one element
  std::optional<std::int64_t> exp, nbf, iat;
};

struct ParsedJwt {
  std::string alg, kid, x5t, x5t_s256;  // x5t / x5t#S256: certificate thumbprints (base64url)
  JwtClaims claims;
  std::string signing_input;  // "<header>.<payload>" as received
  std::string signature;      // raw bytes
};

// header.payload.signature with header {"typ":"JWT","alg":"RS256","kid":...}; payload is JSON text.
std::string make_jwt(const Rs256Key& key, const std::string& payload_json);
// nullopt when it is not three base64url parts with JSON objects in the first two.
std::optional<ParsedJwt> parse_jwt(std::string_view token);

}  // namespace fake
