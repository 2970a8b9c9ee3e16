#include "crypto.hpp"

#include "util.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <stdexcept>

namespace fake {
namespace {

[[noreturn]] void fail(const char* what) { throw std::runtime_error(std::string("OpenSSL: ") + what); }

struct PkeyDel {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Del {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioDel {
  void operator()(BIO* p) const { BIO_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDel>;
using Cert = std::unique_ptr<X509, X509Del>;

Pkey make_ec_key() {
  EVP_PKEY* k = EVP_EC_gen("P-256");
  if (!k) fail("EC key generation");
  return Pkey(k);
}

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, std::size_t(n));
}
std::string cert_pem(X509* cert) {
  std::unique_ptr<BIO, BioDel> bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(bio.get(), cert)) fail("PEM_write_bio_X509");
  return bio_string(bio.get());
}
std::string key_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioDel> bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr))
    fail("PEM_write_bio_PrivateKey");
  return bio_string(bio.get());
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) fail(("extension " + value).c_str());
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

Cert new_cert(EVP_PKEY* key, const std::string& cn) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  std::string serial = random_bytes(16);
  serial[0] = char(serial[0] & 0x7F);
  BIGNUM* bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()), int(serial.size()), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("federated-keyvault test fake"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

}  // namespace

TlsMaterial make_tls_material(const std::vector<std::string>& dns_names, const std::vector<std::string>& ips) {
  Pkey ca_key = make_ec_key();
  Cert ca = new_cert(ca_key.get(), "fake-azure throwaway CA " + random_hex(4));
  X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get()));
  add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_ext(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  add_ext(ca.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
  if (!X509_sign(ca.get(), ca_key.get(), EVP_sha256())) fail("sign CA");

  Pkey leaf_key = make_ec_key();
  Cert leaf = new_cert(leaf_key.get(), dns_names.empty() ? "localhost" : dns_names.front());
  X509_set_issuer_name(leaf.get(), X509_get_subject_name(ca.get()));
  std::string san;
  for (const auto& n : dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + n;
  for (const auto& ip : ips) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  add_ext(leaf.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(leaf.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_ext(leaf.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  add_ext(leaf.get(), ca.get(), NID_subject_key_identifier, "hash");
  add_ext(leaf.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
  if (!san.empty()) add_ext(leaf.get(), ca.get(), NID_subject_alt_name, san);
  if (!X509_sign(leaf.get(), ca_key.get(), EVP_sha256())) fail("sign leaf");

  return {cert_pem(ca.get()), cert_pem(leaf.get()), key_pem(leaf_key.get())};
}

std::string sha256(std::string_view data) {
  unsigned char md[32];
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr)) fail("sha256");
  return std::string(reinterpret_cast<char*>(md), len);
}

RegisteredCertificate load_registered_certificate(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!cert) fail("certificate PEM");
  RegisteredCertificate out;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha1(), md, &len);
  static const char* hex = "0123456789ABCDEF";
  for (unsigned i = 0; i < len; ++i) {
    out.thumbprint_hex += hex[md[i] >> 4];
    out.thumbprint_hex += hex[md[i] & 15];
  }
  out.x5t = base64url_encode(std::string(reinterpret_cast<char*>(md), len));
  X509_digest(cert, EVP_sha256(), md, &len);
  out.x5t_s256 = base64url_encode(std::string(reinterpret_cast<char*>(md), len));
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(key_bio, X509_get0_pubkey(cert));
  char* data = nullptr;
  long n = BIO_get_mem_data(key_bio, &data);
  out.public_key_pem.assign(data, std::size_t(n));
  BIO_free(key_bio);
  X509_free(cert);
  return out;
}

bool rs256_verify(const std::string& public_key_pem, std::string_view data, std::string_view signature) {
  BIO* bio = BIO_new_mem_buf(public_key_pem.data(), int(public_key_pem.size()));
  Pkey key(PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  if (!key) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return ok;
}

bool ps256_verify(const std::string& public_key_pem, std::string_view data, std::string_view signature) {
  BIO* bio = BIO_new_mem_buf(public_key_pem.data(), int(public_key_pem.size()));
  Pkey key(PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  if (!key) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nullptr, key.get()) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return ok;
}

struct Rs256Key::Impl {
  Pkey key;
};

Rs256Key::Rs256Key() : impl_(std::make_unique<Impl>()) {
  EVP_PKEY* k = EVP_RSA_gen(2048);
  if (!k) fail("RSA key generation");
  impl_->key.reset(k);
  kid_ = base64url_encode(sha256(jwk_json()).substr(0, 15));
}
Rs256Key::~Rs256Key() = default;

std::string Rs256Key::sign(std::string_view data) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t len = 0;
  std::string sig;
  bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, impl_->key.get()) == 1 &&
            EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                        reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) fail("RS256 sign");
  return sig;
}

bool Rs256Key::verify(std::string_view data, std::string_view signature) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, impl_->key.get()) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::string Rs256Key::jwk_json() const {
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  EVP_PKEY_get_bn_param(impl_->key.get(), OSSL_PKEY_PARAM_RSA_N, &n);
  EVP_PKEY_get_bn_param(impl_->key.get(), OSSL_PKEY_PARAM_RSA_E, &e);
  auto bytes = [](BIGNUM* b) {
    std::string s(std::size_t(BN_num_bytes(b)), '\0');
    BN_bn2bin(b, reinterpret_cast<unsigned char*>(s.data()));
    return base64url_encode(s);
  };
  std::string out = "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + kid_ + "\",\"n\":\"" + bytes(n) +
                    "\",\"e\":\"" + bytes(e) + "\"}";
  BN_free(n);
  BN_free(e);
  return out;
}

}  // namespace fake
