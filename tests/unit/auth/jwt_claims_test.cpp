#include <doctest/doctest.h>

#include <limits>

#include "auth/jwt_claims.hpp"
#include "jwt_test_support.hpp"

using fkv::auth::decode_jwt_claims;
using fkv::test::make_jwt;

TEST_CASE("base64url_decode round-trips every length and rejects foreign characters") {
  const std::string data = "\x00\xff\xfe any bytes \x7f?";
  for (std::size_t n = 0; n <= data.size(); ++n) {
    CAPTURE(n);
    CHECK(fkv::auth::base64url_decode(fkv::test::base64url(data.substr(0, n))) == data.substr(0, n));
  }
  CHECK(fkv::auth::base64url_decode("YWJj") == "abc");
  CHECK(fkv::auth::base64url_decode("YWI=") == "ab");  // padding tolerated
  CHECK_FALSE(fkv::auth::base64url_decode("YW+j"));    // '+' is base64, not base64url
  CHECK_FALSE(fkv::auth::base64url_decode("YWJjZ"));   // impossible length
}

TEST_CASE("decode_jwt_claims reads the Azure DevOps issuer claims") {
  const auto claims = decode_jwt_claims(make_jwt(
      R"({"iss":"https://vstoken.dev.azure.com/0d2c4a5e-1111-2222-3333-444455556666","sub":"sc://contoso/web/prod-connection",)"
      R"("aud":"api://AzureADTokenExchange","iat":1700000000,"nbf":1699999400,"exp":1700000300,"jti":"x"})"));
  REQUIRE(claims);
  CHECK(claims->iss == "https://vstoken.dev.azure.com/0d2c4a5e-1111-2222-3333-444455556666");
  CHECK(claims->sub == "sc://contoso/web/prod-connection");
  CHECK(claims->aud == std::vector<std::string>{"api://AzureADTokenExchange"});
  CHECK(claims->iat == 1700000000);
  CHECK(claims->nbf == 1699999400);
  CHECK(claims->exp == 1700000300);
}

TEST_CASE("decode_jwt_claims: aud as an array, missing and mistyped claims") {
  auto claims = decode_jwt_claims(make_jwt(R"({"aud":["a","b",3],"iss":5,"exp":"soon"})"));
  REQUIRE(claims);
  CHECK(claims->aud == std::vector<std::string>{"a", "b"});
  CHECK(claims->iss.empty());
  CHECK(claims->sub.empty());
  CHECK_FALSE(claims->exp);
  CHECK_FALSE(claims->iat);
}

TEST_CASE("decode_jwt_claims rejects what is not a JWT with a JSON object payload") {
  const std::string rows[] = {
      "",
      "opaque-token",
      "a.b",
      "a.b.c.d",
      fkv::test::base64url("{}") + ".***." + "sig",
      "x." + fkv::test::base64url("[1,2]") + ".sig",
      "x." + fkv::test::base64url("{not json") + ".sig",
  };
  for (const auto& row : rows) {
    CAPTURE(row);
    CHECK_FALSE(decode_jwt_claims(row));
  }
  CHECK(decode_jwt_claims("x." + fkv::test::base64url("{}") + "."));  // unsigned is fine: never verified
}

// Found by tests/fuzz/jwt_claims_fuzz.cpp: a time claim such as 1e300 was converted to int64
// (undefined behaviour); outside int64 it now saturates (core/numbers.hpp).
TEST_CASE("decode_jwt_claims: time claims outside int64 saturate, fractions are truncated") {
  const auto claims = decode_jwt_claims(make_jwt(R"({"exp":1e300,"iat":-1e300,"nbf":18446744073709551615,"sub":"x"})"));
  REQUIRE(claims);
  CHECK(claims->exp == std::numeric_limits<std::int64_t>::max());
  CHECK(claims->iat == std::numeric_limits<std::int64_t>::min());
  CHECK(claims->nbf == std::numeric_limits<std::int64_t>::max());
  CHECK(claims->sub == "x");
  const auto fraction = decode_jwt_claims(make_jwt(R"({"exp":1700000300.9,"iat":-9.2e18})"));
  REQUIRE(fraction);
  CHECK(fraction->exp == 1700000300);
  CHECK(fraction->iat == -9200000000000000000);
}
