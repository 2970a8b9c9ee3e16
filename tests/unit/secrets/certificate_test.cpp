// Certificates as files (secrets/certificate.hpp): every format from a PKCS#12 and a PEM secret, checked with
// OpenSSL itself (the PFX opens with its password and only with it, the key matches the leaf, the chain order,
// the thumbprint is the leaf's SHA-1 fingerprint), and every failure. The certificates are made here (EC keys:
// fast); the one committed fixture is the RC2-40 PFX that only OpenSSL's legacy provider can write
// (tests/fixtures/certificates/README.md).
#include "secrets/certificate.hpp"

#include <doctest/doctest.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "core/base64.hpp"

using namespace fkv::secrets;

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free_all(b); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;
using Bio = std::unique_ptr<BIO, BioFree>;

constexpr long kNotAfter = 1893456000;  // 2030-01-01T00:00:00Z

Key ec_key() { return Key(EVP_EC_gen("P-256")); }

Cert make_cert(const char* cn, EVP_PKEY* subject_key, X509* issuer, EVP_PKEY* issuer_key, long serial) {
  Cert c(X509_new());
  X509_set_version(c.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), 0);
  ASN1_TIME_set(X509_getm_notAfter(c.get()), kNotAfter);
  X509_NAME* name = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(c.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(c.get(), subject_key);
  X509_sign(c.get(), issuer_key, EVP_sha256());
  return c;
}

struct Pki {
  Key ca_key = ec_key(), mid_key = ec_key(), leaf_key = ec_key(), other_key = ec_key();
  Cert ca = make_cert("fkv test ca", ca_key.get(), nullptr, ca_key.get(), 1);
  Cert mid = make_cert("fkv test intermediate", mid_key.get(), ca.get(), ca_key.get(), 2);
  Cert leaf = make_cert("fkv test leaf", leaf_key.get(), mid.get(), mid_key.get(), 3);
};

std::string der(X509* c) {
  unsigned char* out = nullptr;
  const int n = i2d_X509(c, &out);
  std::string s(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
  OPENSSL_free(out);
  return s;
}

std::string pem_of(X509* c) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), c);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// The key as PEM: PKCS#8 ("PRIVATE KEY") or the traditional "EC PRIVATE KEY", encrypted with "pw" if asked.
std::string pem_of(EVP_PKEY* k, bool traditional = false, const char* cipher = nullptr) {
  Bio bio(BIO_new(BIO_s_mem()));
  OSSL_ENCODER_CTX* ctx = OSSL_ENCODER_CTX_new_for_pkey(k, EVP_PKEY_KEYPAIR, "PEM",
                                                        traditional ? "type-specific" : "PrivateKeyInfo", nullptr);
  REQUIRE(ctx != nullptr);
  if (cipher) {
    OSSL_ENCODER_CTX_set_cipher(ctx, cipher, nullptr);
    OSSL_ENCODER_CTX_set_passphrase(ctx, reinterpret_cast<const unsigned char*>("pw"), 2);
  }
  REQUIRE(OSSL_ENCODER_to_bio(ctx, bio.get()) == 1);
  OSSL_ENCODER_CTX_free(ctx);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// A PKCS#12 of key + certificates (chain as given), with OpenSSL's own writer.
std::string pfx(EVP_PKEY* key, X509* leaf, std::vector<X509*> chain, const char* pass = "", int nid = 0, int iter = 0,
                int mac_iter = 0) {
  STACK_OF(X509)* ca = sk_X509_new_null();
  for (X509* c : chain) sk_X509_push(ca, c);
  PKCS12* p12 = PKCS12_create(pass, nullptr, key, leaf, ca, nid, nid, iter, mac_iter, 0);
  sk_X509_free(ca);
  REQUIRE(p12 != nullptr);
  unsigned char* out = nullptr;
  const int n = i2d_PKCS12(p12, &out);
  PKCS12_free(p12);
  std::string s(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
  OPENSSL_free(out);
  return s;
}

std::string sha1_hex(X509* c) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  X509_digest(c, EVP_sha1(), md, &n);
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(digits[md[i] >> 4]);
    out.push_back(digits[md[i] & 15]);
  }
  return out;
}

// The PEM blocks of `text`, as (name, DER).
std::vector<std::pair<std::string, std::string>> blocks(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long n = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &n) != 1) break;
    out.emplace_back(name, std::string(reinterpret_cast<char*>(data), static_cast<std::size_t>(n)));
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
  ERR_clear_error();
  return out;
}

// PEM text holding exactly the leaf, the intermediate and the CA, in that order.
void check_chain(const std::string& text, const Pki& pki) {
  const auto b = blocks(text);
  REQUIRE(b.size() == 3);
  CHECK(b[0].second == der(pki.leaf.get()));
  CHECK(b[1].second == der(pki.mid.get()));
  CHECK(b[2].second == der(pki.ca.get()));
}

Key key_of(const std::string& pkcs8_der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(pkcs8_der.data());
  return Key(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(pkcs8_der.size())));
}

// Opens a PKCS#12 with `pass` (OpenSSL's PKCS12_parse): the key and certificates, or nothing.
struct Opened {
  bool ok = false;
  Key key;
  Cert cert;
  std::vector<Cert> chain;
};
Opened open_pfx(const std::string& bytes, const char* pass) {
  Opened o;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
  PKCS12* p12 = d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size()));
  if (!p12) return o;
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  o.ok = PKCS12_parse(p12, pass, &key, &cert, &ca) == 1;
  PKCS12_free(p12);
  o.key.reset(key);
  o.cert.reset(cert);
  for (int i = 0; ca && i < sk_X509_num(ca); ++i) o.chain.emplace_back(sk_X509_value(ca, i));
  sk_X509_free(ca);
  ERR_clear_error();
  return o;
}

std::string fixture(const char* name) {
  std::ifstream in(std::string(FKV_SHARED_DIR) + "/certificates/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("certificate_format: the extension chooses, case-insensitively; others are written as they are") {
  CHECK(certificate_format("a/b.pfx") == CertificateFormat::pkcs12);
  CHECK(certificate_format("B.P12") == CertificateFormat::pkcs12);
  CHECK(certificate_format("tls.pem") == CertificateFormat::pem);
  CHECK(certificate_format("chain.crt") == CertificateFormat::certificates);
  CHECK(certificate_format("chain.CER") == CertificateFormat::certificates);
  CHECK(certificate_format("tls.key") == CertificateFormat::key);
  CHECK_FALSE(certificate_format("tls.txt"));
  CHECK_FALSE(certificate_format("pem"));
  CHECK_FALSE(certificate_format("dir.pem/file"));
  CHECK(is_pkcs12_content_type(" application/X-PKCS12 "));
  CHECK(is_pem_content_type("application/x-pem-file"));
  CHECK_FALSE(is_pem_content_type("text/plain"));
}

TEST_CASE("rc2_cbc_decrypt: RFC 2268 known answers (one block, zero IV)") {
  auto hex = [](const char* h) {
    std::string out;
    for (std::size_t i = 0; h[i] && h[i + 1]; i += 2)
      out.push_back(static_cast<char>(std::stoi(std::string(h + i, 2), nullptr, 16)));
    return out;
  };
  const std::string zero_iv(8, '\0');
  CHECK(rc2_cbc_decrypt(hex("0000000000000000"), 63, zero_iv, hex("ebb773f993278eff")) == hex("0000000000000000"));
  CHECK(rc2_cbc_decrypt(hex("ffffffffffffffff"), 64, zero_iv, hex("278b27e42e2f0d49")) == hex("ffffffffffffffff"));
  CHECK(rc2_cbc_decrypt(hex("3000000000000000"), 64, zero_iv, hex("30649edf9be7d2c2")) == hex("1000000000000001"));
  CHECK(rc2_cbc_decrypt(hex("88"), 64, zero_iv, hex("61a8a244adacccf0")) == hex("0000000000000000"));
  CHECK(rc2_cbc_decrypt(hex("88bca90e90875a"), 64, zero_iv, hex("6ccf4308974c267f")) == hex("0000000000000000"));
  CHECK_FALSE(rc2_cbc_decrypt(hex("00"), 40, zero_iv, "short"));
  CHECK_FALSE(rc2_cbc_decrypt("", 40, zero_iv, std::string(8, 'x')));
}

TEST_CASE("convert_certificate: a PKCS#12 secret to every format, checked with OpenSSL") {
  Pki pki;
  // Stored chain in the reverse of issuing order: the conversion orders it leaf -> intermediate -> CA.
  const std::string stored = pfx(pki.leaf_key.get(), pki.leaf.get(), {pki.ca.get(), pki.mid.get()});
  const std::string thumbprint = sha1_hex(pki.leaf.get());

  SUBCASE(".pfx without a password: the stored bytes exactly") {
    auto out = convert_certificate(stored, true, CertificateFormat::pkcs12, "");
    REQUIRE(out);
    CHECK(out->bytes == stored);
    CHECK_FALSE(out->converted);
    CHECK(out->thumbprint == thumbprint);
    CHECK(out->not_after == "2030-01-01T00:00:00Z");
    CHECK(out->key_pem.empty());
  }
  SUBCASE(".pfx with a password: opens with it and only with it, key and chain kept") {
    auto out = convert_certificate(stored, true, CertificateFormat::pkcs12, "s3cret-Pw");
    REQUIRE(out);
    CHECK(out->converted);
    CHECK_FALSE(open_pfx(out->bytes, "").ok);
    CHECK_FALSE(open_pfx(out->bytes, "wrong").ok);
    Opened o = open_pfx(out->bytes, "s3cret-Pw");
    REQUIRE(o.ok);
    CHECK(der(o.cert.get()) == der(pki.leaf.get()));
    CHECK(X509_check_private_key(o.cert.get(), o.key.get()) == 1);
    CHECK(o.chain.size() == 2);
  }
  SUBCASE(".pem: PKCS#8 key, leaf, intermediate, CA; the key matches the leaf") {
    auto out = convert_certificate(stored, true, CertificateFormat::pem, "");
    REQUIRE(out);
    const auto b = blocks(out->bytes);
    REQUIRE(b.size() == 4);
    CHECK(b[0].first == "PRIVATE KEY");
    CHECK(b[1].second == der(pki.leaf.get()));
    CHECK(b[2].second == der(pki.mid.get()));
    CHECK(b[3].second == der(pki.ca.get()));
    Key k = key_of(b[0].second);
    REQUIRE(k);
    CHECK(X509_check_private_key(pki.leaf.get(), k.get()) == 1);
    CHECK(out->key_pem == out->bytes.substr(0, out->key_pem.size()));
    CHECK(out->key_pem.find("-----BEGIN PRIVATE KEY-----") == 0);
  }
  SUBCASE(".crt: the certificates only, leaf first") {
    auto out = convert_certificate(stored, true, CertificateFormat::certificates, "");
    REQUIRE(out);
    check_chain(out->bytes, pki);
    CHECK(out->bytes.find("PRIVATE KEY") == std::string::npos);
    CHECK(out->key_pem.empty());
  }
  SUBCASE(".key: the PKCS#8 key only") {
    auto out = convert_certificate(stored, true, CertificateFormat::key, "");
    REQUIRE(out);
    const auto b = blocks(out->bytes);
    REQUIRE(b.size() == 1);
    CHECK(b[0].first == "PRIVATE KEY");
    Key k = key_of(b[0].second);
    REQUIRE(k);
    CHECK(X509_check_private_key(pki.leaf.get(), k.get()) == 1);
    CHECK(out->key_pem == out->bytes);
  }
}

TEST_CASE("convert_certificate: a PEM secret (key anywhere, chain in any order) to every format") {
  Pki pki;
  const std::string stored = pem_of(pki.ca.get()) + pem_of(pki.leaf_key.get(), true) + pem_of(pki.leaf.get()) +
                             pem_of(pki.mid.get());
  {
    auto out = convert_certificate(stored, false, CertificateFormat::pem, "");
    REQUIRE(out);
    CHECK(out->bytes == stored);  // a PEM secret is written as stored
    CHECK(out->thumbprint == sha1_hex(pki.leaf.get()));
  }
  {
    auto out = convert_certificate(stored, false, CertificateFormat::pkcs12, "pw");
    REQUIRE(out);
    Opened o = open_pfx(out->bytes, "pw");
    REQUIRE(o.ok);
    CHECK(der(o.cert.get()) == der(pki.leaf.get()));
    CHECK_FALSE(open_pfx(out->bytes, "").ok);
  }
  {
    auto out = convert_certificate(stored, false, CertificateFormat::pkcs12, "");
    REQUIRE(out);
    CHECK(out->converted);
    CHECK(open_pfx(out->bytes, "").ok);
  }
  {
    auto out = convert_certificate(stored, false, CertificateFormat::certificates, "");
    REQUIRE(out);
    check_chain(out->bytes, pki);
  }
  {
    auto out = convert_certificate(stored, false, CertificateFormat::key, "");
    REQUIRE(out);
    CHECK(blocks(out->bytes).size() == 1);
    CHECK(out->bytes.find("-----BEGIN PRIVATE KEY-----") == 0);  // PKCS#8, from a traditional "EC PRIVATE KEY"
  }
}

TEST_CASE("convert_certificate: older Windows PKCS#12 (3DES, RC2-40) converts") {
  Pki pki;
  const std::string des = pfx(pki.leaf_key.get(), pki.leaf.get(), {}, "", NID_pbe_WithSHA1And3_Key_TripleDES_CBC);
  auto out = convert_certificate(des, true, CertificateFormat::key, "");
  REQUIRE(out);
  CHECK(blocks(out->bytes).size() == 1);

  auto legacy = fkv::base64_decode(fixture("legacy-rc2-40.pfx.b64"));
  REQUIRE(legacy);
  auto pem = convert_certificate(*legacy, true, CertificateFormat::pem, "");
  REQUIRE(pem);
  CHECK(pem->thumbprint == "CE594FC485625AA9F3239534AB75BAC22A4C71D5");
  CHECK(pem->not_after == "2126-11-13T06:08:32Z");
  const auto b = blocks(pem->bytes);
  REQUIRE(b.size() == 2);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(b[1].second.data());
  Cert leaf(d2i_X509(nullptr, &p, static_cast<long>(b[1].second.size())));
  Key k = key_of(b[0].second);
  REQUIRE(leaf);
  REQUIRE(k);
  CHECK(X509_check_private_key(leaf.get(), k.get()) == 1);
  CHECK(sha1_hex(leaf.get()) == pem->thumbprint);
}

TEST_CASE("convert_certificate: failures name the reason, never the material") {
  Pki pki;
  const std::string good = pfx(pki.leaf_key.get(), pki.leaf.get(), {pki.mid.get()});
  const std::string no_key = pfx(nullptr, pki.leaf.get(), {});
  const std::string cert_pem = pem_of(pki.leaf.get());
  struct Row {
    const char* what;
    std::string stored;
    bool pkcs12;
    CertificateFormat format;
    std::string password;
    const char* reason;
  };
  const Row rows[] = {
      {"garbage PKCS#12", "not a pfx", true, CertificateFormat::pem, "", "does not parse"},
      {"truncated PKCS#12", good.substr(0, good.size() / 2), true, CertificateFormat::pem, "", "does not parse"},
      {"password-protected PKCS#12", pfx(pki.leaf_key.get(), pki.leaf.get(), {}, "pw"), true, CertificateFormat::pkcs12,
       "", "password"},
      {"PKCS#12 without a key to .pem", no_key, true, CertificateFormat::pem, "", "no private key"},
      {"PKCS#12 without a key to .key", no_key, true, CertificateFormat::key, "", "no private key"},
      {"PKCS#12 without a key to a protected .pfx", no_key, true, CertificateFormat::pkcs12, "pw", "no private key"},
      {"PEM without a key to .pfx", cert_pem, false, CertificateFormat::pkcs12, "", "no private key"},
      {"not PEM", "hello", false, CertificateFormat::pem, "", "not PEM"},
      {"truncated PEM", cert_pem.substr(0, cert_pem.size() - 30), false, CertificateFormat::certificates, "",
       "does not parse"},
      {"PEM key only", pem_of(pki.leaf_key.get()), false, CertificateFormat::key, "", "no certificate"},
      {"encrypted PKCS#8 key", cert_pem + pem_of(pki.leaf_key.get(), false, "AES-256-CBC"), false,
       CertificateFormat::key, "", "encrypted"},
      {"encrypted traditional key", cert_pem + pem_of(pki.leaf_key.get(), true, "AES-256-CBC"), false,
       CertificateFormat::key, "", "encrypted"},
      {"wrong key for the certificate", cert_pem + pem_of(pki.other_key.get()), false, CertificateFormat::pem, "",
       "does not belong"},
      {"two keys", cert_pem + pem_of(pki.leaf_key.get()) + pem_of(pki.other_key.get()), false, CertificateFormat::pem,
       "", "more than one private key"},
      {"huge", std::string(1024 * 1024 + 1, 'A'), false, CertificateFormat::pem, "", "larger than 1 MiB"},
      {"excessive iterations", pfx(pki.leaf_key.get(), pki.leaf.get(), {}, "", 0, 1000001, 1), true,
       CertificateFormat::key, "", "excessive"},
  };
  for (const auto& row : rows) {
    const std::string what = row.what;
    CAPTURE(what);
    auto out = convert_certificate(row.stored, row.pkcs12, row.format, row.password);
    REQUIRE_FALSE(out);
    CHECK(out.error().message.find(row.reason) != std::string::npos);
    CHECK_FALSE(out.error().hint.empty());
    if (row.stored.size() > 60) CHECK(out.error().message.find(row.stored.substr(40, 16)) == std::string::npos);
    CHECK(ERR_peek_error() == 0);
  }
  // Without a key, the certificates alone still convert.
  auto crt = convert_certificate(no_key, true, CertificateFormat::certificates, "");
  REQUIRE(crt);
  CHECK(blocks(crt->bytes).size() == 1);
}
