// Reads a few claims of a JWT (the Azure DevOps OIDC token) WITHOUT verifying it, for diagnostics
// only: the hint of an AADSTS700213-like failure names the issuer and subject the federated
// credential must match. Never used for a security decision. Azure DevOps may make its tokens
// opaque one day, so every caller must cope with nullopt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base64.hpp"

namespace fkv::auth {

struct JwtClaims {
  std::string iss;
  std::string sub;
  std::vector<std::string> aud;  // "aud" may be a string or an array of strings
  std::optional<std::int64_t> exp, iat, nbf;
};

// nullopt when `jwt` is not three dot-separated base64url parts with a JSON object payload.
// Claims of the wrong type are left empty.
std::optional<JwtClaims> decode_jwt_claims(std::string_view jwt);

// base64url (core/base64.hpp): written without padding (RFC 7515 §2) for the JWTs the task signs itself;
// read with padding tolerated, nullopt on any other character.
using fkv::base64url_decode;
using fkv::base64url_encode;

}  // namespace fkv::auth
