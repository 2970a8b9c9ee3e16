#include "crypto.hpp"
#include "jwt.hpp"
#include "util.hpp"

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

using namespace fake;

namespace {
X509* load(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}
}  // namespace

TEST_CASE("crypto: the leaf chains to the CA and covers every served name and 127.0.0.1") {
  TlsMaterial m = make_tls_material({"dev.azure.com", "fkv-basic.vault.azure.net", "localhost"}, {"127.0.0.1"});
  X509* ca = load(m.ca_cert_pem);
  X509* leaf = load(m.leaf_cert_pem);
  REQUIRE(ca);
  REQUIRE(leaf);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_VERIFY_PARAM_set_purpose(X509_STORE_CTX_get0_param(ctx), X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), X509_V_FLAG_X509_STRICT);
  CHECK(X509_verify_cert(ctx) == 1);
  CHECK(X509_check_host(leaf, "dev.azure.com", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(leaf, "fkv-basic.vault.azure.net", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(leaf, "other.vault.azure.net", 0, 0, nullptr) != 1);
  CHECK(X509_check_ip_asc(leaf, "127.0.0.1", 0) == 1);
  CHECK(X509_check_ca(ca) >= 1);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(ca);
  X509_free(leaf);
  CHECK(m.leaf_key_pem.find("PRIVATE KEY") != std::string::npos);
}

TEST_CASE("crypto: RS256 signatures verify and tampering is detected") {
  Rs256Key key;
  std::string sig = key.sign("hello");
  CHECK(sig.size() == 256);
  CHECK(key.verify("hello", sig));
  CHECK_FALSE(key.verify("hellp", sig));
  Rs256Key other;
  CHECK_FALSE(other.verify("hello", sig));
  CHECK(key.jwk_json().find("\"kid\":\"" + key.kid() + "\"") != std::string::npos);
}

TEST_CASE("jwt: made tokens parse back with their claims") {
  Rs256Key key;
  std::string token = make_jwt(key, R"({"iss":"i","sub":"s","aud":"a","exp":20,"nbf":5,"iat":10,"jti":"j"})");
  auto p = parse_jwt(token);
  REQUIRE(p);
  CHECK(p->alg == "RS256");
  CHECK(p->kid == key.kid());
  CHECK(p->claims.iss == "i");
  CHECK(p->claims.sub == "s");
  CHECK(p->claims.aud == std::vector<std::string>{"a"});
  CHECK(*p->claims.exp == 20);
  CHECK(*p->claims.nbf == 5);
  CHECK(key.verify(p->signing_input, p->signature));
  CHECK_FALSE(parse_jwt("a.b").has_value());
  CHECK_FALSE(parse_jwt("e30.e30.e30.e30").has_value());
  CHECK_FALSE(parse_jwt("bm90anNvbg.e30.").has_value());
  auto multi = parse_jwt(make_jwt(key, R"({"aud":["x","y"]})"));
  CHECK(multi->claims.aud == std::vector<std::string>{"x", "y"});
}
