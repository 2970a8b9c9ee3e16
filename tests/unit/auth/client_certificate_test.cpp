#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <rapidjson/document.h>

#include <ctime>
#include <memory>

#include "auth/client_certificate.hpp"
#include "auth/credential.hpp"
#include "auth/jwt_claims.hpp"
#include "fake_http_client.hpp"

using fkv::auth::SigningCertificate;
using fkv::test::FakeHttpClient;

namespace {

// A throwaway key pair and self-signed certificate, made with OpenSSL in memory for each test.
struct TestCertificate {
  std::string certificate;  // PEM
  std::string pkcs8;        // PEM "PRIVATE KEY"
  std::string pkcs1;        // PEM "RSA PRIVATE KEY"
  std::string thumbprint;   // SHA-1, upper-case hex
  std::shared_ptr<X509> x509;
};

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

TestCertificate make_certificate(const char* type = "RSA", long valid_from = -3600, long valid_to = 86400) {
  EVP_PKEY* key = std::string_view(type) == "RSA" ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  REQUIRE(key != nullptr);
  std::shared_ptr<X509> cert(X509_new(), X509_free);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), valid_from);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), valid_to);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("fkv-test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  REQUIRE(X509_sign(cert.get(), key, EVP_sha256()) > 0);
  TestCertificate out;
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, cert.get());
  out.certificate = bio_text(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.pkcs8 = bio_text(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey_traditional(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.pkcs1 = bio_text(b);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  X509_digest(cert.get(), EVP_sha1(), md, &len);
  static const char* hex = "0123456789ABCDEF";
  for (unsigned i = 0; i < len; ++i) {
    out.thumbprint += hex[md[i] >> 4];
    out.thumbprint += hex[md[i] & 15];
  }
  out.x509 = cert;
  EVP_PKEY_free(key);
  return out;
}

bool verify_with_certificate(X509* cert, std::string_view data, std::string_view signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, X509_get0_pubkey(cert)) == 1 &&
                  EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                   reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

rapidjson::Document json_part(std::string_view jwt, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = jwt.find('.', start) + 1;
  const auto end = jwt.find('.', start);
  const auto text = fkv::auth::base64url_decode(jwt.substr(start, end - start));
  rapidjson::Document doc;
  doc.Parse(text->c_str(), text->size());
  return doc;
}

const std::string kPrefix = "The service connection's certificate (servicePrincipalCertificate) ";

}  // namespace

TEST_CASE("from_pem: every accepted layout gives the same certificate") {
  const auto t = make_certificate();
  const std::string chain_other = make_certificate().certificate;  // an unrelated certificate before the right one
  for (const std::string& pem : {t.certificate + t.pkcs8, t.pkcs8 + t.certificate, t.certificate + t.pkcs1,
                                 t.pkcs1 + t.certificate, chain_other + t.pkcs8 + t.certificate,
                                 "Bag Attributes\n    localKeyID: 01\n" + t.certificate + "\r\n" + t.pkcs8}) {
    auto certificate = SigningCertificate::from_pem(pem);
    REQUIRE(certificate);
    CHECK(certificate->info().thumbprint == t.thumbprint);
    CHECK(certificate->info().x5t.size() == 27);       // 20 bytes, base64url without padding
    CHECK(certificate->info().x5t_s256.size() == 43);  // 32 bytes
    CHECK(certificate->info().not_after > std::time(nullptr));
  }
}

TEST_CASE("from_pem: every rejected layout, each with its message") {
  const auto t = make_certificate();
  const auto other = make_certificate();
  const auto ec = make_certificate("EC");
  std::string encrypted_pkcs1 = t.pkcs1;
  encrypted_pkcs1.insert(encrypted_pkcs1.find('\n') + 1, "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n");
  std::string damaged = t.certificate;
  damaged[damaged.find('\n') + 10] = '*';
  struct Case {
    std::string name, pem, message;
  };
  std::string chain64;  // 64 certificates, then the key: the key lies beyond what the task reads
  for (int i = 0; i < 64; ++i) chain64 += other.certificate;
  const std::vector<Case> cases = {
      {"65 blocks", chain64 + t.certificate + t.pkcs8,
       "has more than 64 PEM blocks; the task reads no further, so it did not look for the key or the certificate "
       "beyond them."},
      {"not PEM", "MIIC+base64-of-a-pfx", "is not PEM text: it has no -----BEGIN ...----- block."},
      {"certificate only", t.certificate,
       "holds no private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)."},
      {"key only", t.pkcs8, "holds a private key but no certificate (-----BEGIN CERTIFICATE-----)."},
      {"key of another certificate", other.certificate + t.pkcs8,
       "holds a private key that does not belong to its certificate (thumbprint " + other.thumbprint + ")."},
      {"two keys", t.certificate + t.pkcs8 + t.pkcs1, "holds more than one private key."},
      {"EC key", ec.certificate + ec.pkcs8,
       "holds a private key that is not an RSA key; certificate credentials of Microsoft Entra ID need RSA."},
      {"encrypted PKCS#8",
       t.certificate + "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
       "holds an encrypted private key, which the task cannot use (there is no place for its password)."},
      {"encrypted PKCS#1", t.certificate + encrypted_pkcs1,
       "holds an encrypted private key, which the task cannot use (there is no place for its password)."},
      {"damaged base64", damaged + t.pkcs8,
       "has a PEM block that cannot be read (its base64 text is damaged or cut off)."},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto certificate = SigningCertificate::from_pem(c.pem);
    REQUIRE_FALSE(certificate);
    CHECK(certificate.error().stage == fkv::Stage::config);
    CHECK(certificate.error().message == kPrefix + c.message);
    CHECK_FALSE(certificate.error().hint.empty());
    // No key material in the error.
    CHECK(certificate.error().message.find("MII") == std::string::npos);
  }
}

TEST_CASE("from_pem: 64 blocks are read whole") {
  const auto t = make_certificate();
  std::string chain;
  for (int i = 0; i < 63; ++i) chain += t.certificate;
  CHECK(SigningCertificate::from_pem(chain + t.pkcs8));
}

TEST_CASE("client_assertion: header, claims, and a signature the certificate's public key verifies") {
  const auto t = make_certificate();
  auto certificate = SigningCertificate::from_pem(t.pkcs1 + t.certificate);
  REQUIRE(certificate);
  const std::string aud = "https://login.microsoftonline.com/tenant/oauth2/v2.0/token";
  auto assertion = fkv::auth::client_assertion(*certificate, {aud, "client-id", "jti-1", 1700000000});
  REQUIRE(assertion);
  const auto header = json_part(*assertion, 0);
  CHECK(std::string(header["alg"].GetString()) == "RS256");
  CHECK(std::string(header["typ"].GetString()) == "JWT");
  CHECK(std::string(header["x5t"].GetString()) == certificate->info().x5t);
  CHECK(std::string(header["x5t#S256"].GetString()) == certificate->info().x5t_s256);
  const auto x5t = fkv::auth::base64url_decode(header["x5t"].GetString());
  REQUIRE(x5t);
  CHECK(x5t->size() == 20);
  const auto claims = json_part(*assertion, 1);
  CHECK(std::string(claims["aud"].GetString()) == aud);
  CHECK(std::string(claims["iss"].GetString()) == "client-id");
  CHECK(std::string(claims["sub"].GetString()) == "client-id");
  CHECK(std::string(claims["jti"].GetString()) == "jti-1");
  CHECK(claims["nbf"].GetInt64() == 1700000000);
  CHECK(claims["iat"].GetInt64() == 1700000000);
  CHECK(claims["exp"].GetInt64() == 1700000000 + 600);
  CHECK(claims.MemberCount() == 7);

  const auto last_dot = assertion->rfind('.');
  const auto signature = fkv::auth::base64url_decode(assertion->substr(last_dot + 1));
  REQUIRE(signature);
  CHECK(verify_with_certificate(t.x509.get(), assertion->substr(0, last_dot), *signature));
  CHECK_FALSE(verify_with_certificate(t.x509.get(), assertion->substr(0, last_dot) + "x", *signature));
  CHECK_FALSE(verify_with_certificate(make_certificate().x509.get(), assertion->substr(0, last_dot), *signature));
}

TEST_CASE("random_jti: a version-4 UUID, different each time") {
  const auto a = fkv::auth::random_jti();
  const auto b = fkv::auth::random_jti();
  CHECK(a.size() == 36);
  CHECK(a[14] == '4');
  CHECK(a != b);
  for (const auto& id : {a, b}) {
    CAPTURE(id);
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);  // the RFC 4122 variant
    for (std::size_t dash : {8u, 13u, 18u, 23u}) CHECK(id[dash] == '-');
  }
}

TEST_CASE("expired_certificate_warning: only past notAfter") {
  const auto t = make_certificate("RSA", -7200, -3600);
  auto certificate = SigningCertificate::from_pem(t.certificate + t.pkcs8);
  REQUIRE(certificate);
  const auto& info = certificate->info();
  CHECK_FALSE(fkv::auth::expired_certificate_warning(info, "conn", info.not_after - 1));
  const auto warning = fkv::auth::expired_certificate_warning(info, "conn", info.not_after + 1);
  REQUIRE(warning);
  CHECK(*warning == "The certificate of service connection conn (thumbprint " + t.thumbprint + ") expired on " +
                        info.not_after_text +
                        "; Microsoft Entra ID will probably reject it. Upload a new certificate to the app "
                        "registration and the service connection, or convert the connection to workload identity "
                        "federation.");
  CHECK(info.not_after_text.size() == 20);
}

TEST_CASE("pem_secret_lines: the base64 lines, not markers, headers or short tails") {
  CHECK(fkv::auth::pem_secret_lines("-----BEGIN X-----\r\nAAAAbbbbCCCC\r\nProc-Type: 4\nAw==\n-----END X-----\n") ==
        std::vector<std::string>{"AAAAbbbbCCCC"});
}

TEST_CASE("acquire_access_token_for(certificate): the PEM lines and the assertion are registered; AADSTS700027") {
  const auto t = make_certificate();
  fkv::auth::Credential c;
  c.connection_id = "conn";
  c.scheme = fkv::auth::CertificateCredential{*fkv::net::parse_https_url("https://login.microsoftonline.com/"),
                                              "tenant", "client", t.certificate + t.pkcs8, ""};
  const std::string url = "https://login.microsoftonline.com/tenant/oauth2/v2.0/token";
  FakeHttpClient http;
  http.on("POST", url,
          FakeHttpClient::json(401, R"({"error":"invalid_client","error_description":"AADSTS700027: Client assertion )"
                                    R"(contains an invalid signature.","error_codes":[700027]})"));
  std::vector<std::string> registered;
  auto token = fkv::auth::acquire_access_token_for({http}, c, "https://vault.azure.net/.default",
                                                   [&](std::string_view s) { registered.emplace_back(s); });
  REQUIRE_FALSE(token);
  CHECK(token.error().message == "Microsoft Entra ID does not accept the service connection's certificate for app "
                                 "'client' (AADSTS700027): no certificate with thumbprint " +
                                     t.thumbprint + " is registered on the app.");
  CHECK(token.error().hint.rfind("Upload the certificate (its public part, thumbprint " + t.thumbprint + ")", 0) == 0);
  const auto lines = fkv::auth::pem_secret_lines(t.certificate + t.pkcs8);
  REQUIRE(registered.size() == lines.size() + 1);
  CHECK(std::equal(lines.begin(), lines.end(), registered.begin()));
  REQUIRE(http.requests().size() == 1);
  const std::string body = http.requests()[0].body;
  CHECK(body.find("client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer") !=
        std::string::npos);
  CHECK(body.find("&client_assertion=" + registered.back()) != std::string::npos);
  CHECK(body.find("client_secret") == std::string::npos);
}
