// JWT claims (auth/jwt_claims.hpp: decode_jwt_claims, base64url_decode). Two input forms:
// - text starting with '{' is a claims payload: it is base64url-encoded here and sent as the middle
//   part of "header.<payload>.signature", so the fuzzer reaches the JSON reading directly;
// - anything else is the token text itself.
// Properties: base64url_decode inverts an encoder; a decoded payload of three parts gives claims.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/jwt_claims.hpp"
#include "fuzz_support.hpp"
#include "jwt_test_support.hpp"  // tests/unit/auth: the same base64url as the unit tests

namespace {

using fkv::test::base64url;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fkv::fuzz::as_text(data, size);
  if (!text.empty() && text.front() == '{') {
    const std::string encoded = base64url(text);
    const auto decoded = fkv::auth::base64url_decode(encoded);
    FKV_FUZZ_CHECK(decoded && *decoded == text);
    (void)fkv::auth::decode_jwt_claims("eyJhbGciOiJSUzI1NiJ9." + encoded + ".c2lnbmF0dXJl");
    return 0;
  }
  if (const auto decoded = fkv::auth::base64url_decode(text)) {
    FKV_FUZZ_CHECK(decoded->size() <= text.size());
  }
  (void)fkv::auth::decode_jwt_claims(text);
  return 0;
}
