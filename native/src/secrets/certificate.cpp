#include "secrets/certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <array>
#include <cstdint>
#include <ctime>
#include <memory>
#include <vector>

#include "core/pem.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"

namespace fkv::secrets {
namespace {

constexpr std::size_t kMaxInput = 1024 * 1024;
constexpr std::size_t kMaxCertificates = 64;
constexpr long kMaxIterations = 1000000;

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using P12 = std::unique_ptr<PKCS12, Deleter<PKCS12_free>>;
using P8 = std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO_free>>;
using PbeParam = std::unique_ptr<PBEPARAM, Deleter<PBEPARAM_free>>;
using Pbe2Param = std::unique_ptr<PBE2PARAM, Deleter<PBE2PARAM_free>>;
using Pbkdf2Param = std::unique_ptr<PBKDF2PARAM, Deleter<PBKDF2PARAM_free>>;
struct SafesFree {
  void operator()(STACK_OF(PKCS7) * s) const { sk_PKCS7_pop_free(s, PKCS7_free); }
};
struct BagsFree {
  void operator()(STACK_OF(PKCS12_SAFEBAG) * s) const { sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free); }
};
using Safes = std::unique_ptr<STACK_OF(PKCS7), SafesFree>;
using Bags = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), BagsFree>;

// The OpenSSL error queue is per thread; nothing here leaves an entry behind.
struct ClearErrors {
  ClearErrors() { ERR_clear_error(); }
  ~ClearErrors() { ERR_clear_error(); }
};

Error failure(std::string message, std::string hint) {
  Error e;
  e.stage = Stage::emit;
  e.message = std::move(message);
  e.hint = std::move(hint);
  return e;
}

const char* const kPemHint =
    "Store the certificate in Key Vault as a certificate (it keeps a PKCS#12 or PEM secret with its key), or as "
    "PEM text with unencrypted -----BEGIN PRIVATE KEY----- and -----BEGIN CERTIFICATE----- blocks.";
const char* const kPkcs12Hint =
    "Import the PFX into Key Vault as a certificate (az keyvault certificate import), or store it as a base64 "
    "secret with contentType application/x-pkcs12 and no password.";

struct Material {
  Key key;
  std::vector<Cert> certificates;
};

// --- PEM ---------------------------------------------------------------------------------------------------

Expected<Material> read_pem(std::string_view text) {
  auto blocks = read_pem_blocks(text);
  if (!blocks) return failure("its PEM text does not parse (a block's base64 is damaged or cut off)", kPemHint);
  if (blocks->empty()) return failure("it is not PEM text (no -----BEGIN ...----- block)", kPemHint);
  Material m;
  for (const auto& block : *blocks) {
    const std::string_view name = block.label;
    const auto* cursor = reinterpret_cast<const unsigned char*>(block.der.data());
    const long length = static_cast<long>(block.der.size());
    if (name == "CERTIFICATE") {
      if (m.certificates.size() == kMaxCertificates) {
        return failure("it holds more than " + std::to_string(kMaxCertificates) + " certificates", kPemHint);
      }
      Cert cert(d2i_X509(nullptr, &cursor, length));
      if (!cert) return failure("it has a CERTIFICATE block that is not an X.509 certificate", kPemHint);
      m.certificates.push_back(std::move(cert));
    } else if (name == "ENCRYPTED PRIVATE KEY" ||
               (block.encrypted && name.find("PRIVATE KEY") != std::string_view::npos)) {
      return failure("its private key is encrypted (the task has no password for it)",
                     "Store the key unencrypted (openssl pkey -in key.pem -out plain.pem); Key Vault protects it.");
    } else if (name == "PRIVATE KEY" || name == "RSA PRIVATE KEY" || name == "EC PRIVATE KEY") {
      if (m.key) return failure("it holds more than one private key", "Keep only the certificate's own key.");
      m.key.reset(d2i_AutoPrivateKey(nullptr, &cursor, length));
      if (!m.key) return failure("it has a " + std::string(name) + " block that is not a private key", kPemHint);
    }
  }
  return m;
}

// --- PKCS#12 -------------------------------------------------------------------------------------------------

// False when a PBE's iteration count is beyond kMaxIterations (a hostile PFX that would spin for hours).
bool iterations_ok(const X509_ALGOR* algorithm) {
  if (!algorithm || !algorithm->algorithm) return false;
  const int nid = OBJ_obj2nid(algorithm->algorithm);
  auto ok = [](const ASN1_INTEGER* iter) {
    const long n = iter ? ASN1_INTEGER_get(iter) : -1;
    return n > 0 && n <= kMaxIterations;
  };
  if (nid == NID_pbes2) {
    Pbe2Param pbe2(static_cast<PBE2PARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), algorithm->parameter)));
    if (!pbe2 || !pbe2->keyfunc || OBJ_obj2nid(pbe2->keyfunc->algorithm) != NID_id_pbkdf2) return true;
    Pbkdf2Param kdf(
        static_cast<PBKDF2PARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter)));
    return !kdf || ok(kdf->iter);
  }
  PbeParam pbe(static_cast<PBEPARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), algorithm->parameter)));
  return !pbe || ok(pbe->iter);
}

// The certificate bags of older Windows exports: pbeWithSHAAnd40BitRC2-CBC, which OpenSSL 3 keeps in its
// legacy provider (not loaded, and not built into the static builds): the PKCS#12 KDF (default provider)
// and rc2_cbc_decrypt.
Bags rc2_40_bags(const PKCS7* p7, const char* pass, int passlen) {
  const X509_ALGOR* algorithm = p7->d.encrypted->enc_data->algorithm;
  const ASN1_OCTET_STRING* data = p7->d.encrypted->enc_data->enc_data;
  if (!data || OBJ_obj2nid(algorithm->algorithm) != NID_pbe_WithSHA1And40BitRC2_CBC) return nullptr;
  PbeParam pbe(static_cast<PBEPARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), algorithm->parameter)));
  if (!pbe || !pbe->salt) return nullptr;
  const int iterations = static_cast<int>(ASN1_INTEGER_get(pbe->iter));
  std::array<unsigned char, 5> key{};
  std::array<unsigned char, 8> iv{};
  if (PKCS12_key_gen_utf8(pass, passlen, pbe->salt->data, pbe->salt->length, PKCS12_KEY_ID, iterations,
                          static_cast<int>(key.size()), key.data(), EVP_sha1()) != 1 ||
      PKCS12_key_gen_utf8(pass, passlen, pbe->salt->data, pbe->salt->length, PKCS12_IV_ID, iterations,
                          static_cast<int>(iv.size()), iv.data(), EVP_sha1()) != 1) {
    return nullptr;
  }
  auto plain = rc2_cbc_decrypt(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), 40,
                               std::string_view(reinterpret_cast<const char*>(iv.data()), iv.size()),
                               std::string_view(reinterpret_cast<const char*>(data->data),
                                                static_cast<std::size_t>(data->length)));
  OPENSSL_cleanse(key.data(), key.size());
  if (!plain) return nullptr;
  const auto pad = static_cast<std::uint8_t>(plain->back());  // PKCS#7 padding
  if (pad == 0 || pad > 8) return nullptr;
  for (std::size_t i = plain->size() - pad; i < plain->size(); ++i) {
    if (static_cast<std::uint8_t>((*plain)[i]) != pad) return nullptr;
  }
  plain->resize(plain->size() - pad);
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(plain->data());
  Bags bags(reinterpret_cast<STACK_OF(PKCS12_SAFEBAG)*>(
      ASN1_item_d2i(nullptr, &cursor, static_cast<long>(plain->size()), ASN1_ITEM_rptr(PKCS12_SAFEBAGS))));
  OPENSSL_cleanse(plain->data(), plain->size());
  return bags;
}

Expected<Material> read_pkcs12(std::string_view der) {
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  P12 p12(d2i_PKCS12(nullptr, &cursor, static_cast<long>(der.size())));
  if (!p12) return failure("its PKCS#12 (PFX) does not parse", kPkcs12Hint);
  const char* pass = "";
  if (PKCS12_mac_present(p12.get())) {
    const ASN1_INTEGER* iterations = nullptr;
    PKCS12_get0_mac(nullptr, nullptr, nullptr, &iterations, p12.get());
    const long n = iterations ? ASN1_INTEGER_get(iterations) : 1;  // absent: 1 (RFC 7292)
    if (n <= 0 || n > kMaxIterations) {
      return failure("its PKCS#12 (PFX) asks for " + std::to_string(n) + " MAC iterations (at most " +
                         std::to_string(kMaxIterations) + " are accepted)",
                     kPkcs12Hint);
    }
    if (PKCS12_verify_mac(p12.get(), "", 0) == 1) {
      pass = "";
    } else if (PKCS12_verify_mac(p12.get(), nullptr, 0) == 1) {
      pass = nullptr;
    } else {
      return failure("its PKCS#12 (PFX) is protected with a password (its integrity check fails without one)",
                     kPkcs12Hint);
    }
  }
  Safes safes(PKCS12_unpack_authsafes(p12.get()));
  if (!safes) return failure("its PKCS#12 (PFX) does not parse (no readable contents)", kPkcs12Hint);
  Material m;
  for (int i = 0; i < sk_PKCS7_num(safes.get()); ++i) {
    const PKCS7* p7 = sk_PKCS7_value(safes.get(), i);
    Bags bags;
    const int type = OBJ_obj2nid(p7->type);
    if (type == NID_pkcs7_data) {
      bags.reset(PKCS12_unpack_p7data(const_cast<PKCS7*>(p7)));
    } else if (type == NID_pkcs7_encrypted) {
      if (!p7->d.encrypted || !p7->d.encrypted->enc_data || !iterations_ok(p7->d.encrypted->enc_data->algorithm)) {
        return failure("its PKCS#12 (PFX) has encrypted contents with an unreadable or excessive algorithm",
                       kPkcs12Hint);
      }
      bags.reset(PKCS12_unpack_p7encdata(const_cast<PKCS7*>(p7), pass, 0));
      if (!bags) {
        ERR_clear_error();
        bags = rc2_40_bags(p7, pass, 0);
      }
    } else {
      continue;  // enveloped (public-key) contents: no tool that writes certificates uses them
    }
    if (!bags) return failure("part of its PKCS#12 (PFX) cannot be decrypted or does not parse", kPkcs12Hint);
    for (int b = 0; b < sk_PKCS12_SAFEBAG_num(bags.get()); ++b) {
      const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags.get(), b);
      const int kind = PKCS12_SAFEBAG_get_nid(bag);
      if (kind == NID_certBag) {
        if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate) continue;
        if (m.certificates.size() == kMaxCertificates) {
          return failure("its PKCS#12 (PFX) holds more than " + std::to_string(kMaxCertificates) + " certificates",
                         kPkcs12Hint);
        }
        Cert cert(PKCS12_SAFEBAG_get1_cert(bag));
        if (!cert) return failure("its PKCS#12 (PFX) has a certificate that does not parse", kPkcs12Hint);
        m.certificates.push_back(std::move(cert));
      } else if (kind == NID_keyBag || kind == NID_pkcs8ShroudedKeyBag) {
        if (m.key) return failure("its PKCS#12 (PFX) holds more than one private key", kPkcs12Hint);
        P8 decrypted;
        const PKCS8_PRIV_KEY_INFO* p8 = nullptr;
        if (kind == NID_keyBag) {
          p8 = PKCS12_SAFEBAG_get0_p8inf(bag);
        } else {
          const X509_ALGOR* algorithm = nullptr;
          X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &algorithm, nullptr);
          if (!iterations_ok(algorithm)) {
            return failure("its PKCS#12 (PFX) protects the key with an unreadable or excessive algorithm", kPkcs12Hint);
          }
          decrypted.reset(PKCS12_decrypt_skey(bag, pass, 0));
          p8 = decrypted.get();
        }
        if (p8) m.key.reset(EVP_PKCS82PKEY(p8));
        if (!m.key) return failure("the private key in its PKCS#12 (PFX) cannot be decrypted or read", kPkcs12Hint);
      }
    }
  }
  return m;
}

// --- the leaf, the chain, the outputs ---------------------------------------------------------------------

// Leaf first (the key's certificate, else the first), then issuers from the leaf, then the rest as stored.
Expected<std::vector<Cert>> ordered(Material& m) {
  if (m.certificates.empty()) return failure("it holds no certificate", kPemHint);
  std::size_t leaf = 0;
  if (m.key) {
    leaf = m.certificates.size();
    for (std::size_t i = 0; i < m.certificates.size(); ++i) {
      if (X509_check_private_key(m.certificates[i].get(), m.key.get()) == 1) {
        leaf = i;
        break;
      }
    }
    ERR_clear_error();
    if (leaf == m.certificates.size()) {
      return failure("its private key does not belong to any of its certificates",
                     "Store the certificate together with its own private key.");
    }
  }
  std::vector<Cert> rest;
  std::vector<Cert> out;
  out.push_back(std::move(m.certificates[leaf]));
  for (std::size_t i = 0; i < m.certificates.size(); ++i) {
    if (i != leaf) rest.push_back(std::move(m.certificates[i]));
  }
  for (bool found = true; found && !rest.empty();) {
    found = false;
    const X509* last = out.back().get();
    if (X509_NAME_cmp(X509_get_subject_name(last), X509_get_issuer_name(last)) == 0) break;  // self-signed
    for (auto it = rest.begin(); it != rest.end(); ++it) {
      if (X509_NAME_cmp(X509_get_subject_name(it->get()), X509_get_issuer_name(last)) == 0) {
        out.push_back(std::move(*it));
        rest.erase(it);
        found = true;
        break;
      }
    }
  }
  for (auto& c : rest) out.push_back(std::move(c));
  return out;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

Expected<std::string> key_pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return failure("its private key could not be written as PKCS#8", kPemHint);
  }
  return bio_text(bio.get());
}

std::string certificates_pem(const std::vector<Cert>& certificates) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  for (const auto& c : certificates) PEM_write_bio_X509(bio.get(), c.get());
  return bio_text(bio.get());
}

Expected<std::string> pkcs12_bytes(EVP_PKEY* key, const std::vector<Cert>& certificates, std::string_view password) {
  struct ChainFree {  // the certificates stay owned by `certificates`
    void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
  };
  std::unique_ptr<STACK_OF(X509), ChainFree> chain(sk_X509_new_null());
  for (std::size_t i = 1; chain && i < certificates.size(); ++i) sk_X509_push(chain.get(), certificates[i].get());
  const std::string pass(password);
  P12 p12(PKCS12_create(pass.c_str(), nullptr, key, certificates.front().get(), chain.get(), 0, 0, 0, 0, 0));
  if (!p12) return failure("a PKCS#12 (PFX) could not be built from it", kPemHint);
  unsigned char* der = nullptr;
  const int n = i2d_PKCS12(p12.get(), &der);
  if (n <= 0) return failure("a PKCS#12 (PFX) could not be built from it", kPemHint);
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
  OPENSSL_clear_free(der, static_cast<std::size_t>(n));
  return out;
}

const char* const kNoKeyHint =
    "Write the certificates only (a .crt or .cer file), or store the certificate with its private key (in Key "
    "Vault: an exportable key).";

}  // namespace

std::optional<CertificateFormat> certificate_format(std::string_view path) {
  const auto dot = path.rfind('.');
  const auto slash = path.find_last_of("/\\");
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return std::nullopt;
  const std::string ext = ascii_lower(path.substr(dot + 1));
  if (ext == "pfx" || ext == "p12") return CertificateFormat::pkcs12;
  if (ext == "pem") return CertificateFormat::pem;
  if (ext == "crt" || ext == "cer") return CertificateFormat::certificates;
  if (ext == "key") return CertificateFormat::key;
  return std::nullopt;
}

const char* to_string(CertificateFormat format) {
  switch (format) {
    case CertificateFormat::pkcs12: return "PKCS#12";
    case CertificateFormat::pem: return "PEM key + certificates";
    case CertificateFormat::certificates: return "PEM certificates";
    case CertificateFormat::key: return "PEM key";
  }
  return "";
}

bool is_pkcs12_content_type(std::string_view content_type) {
  return iequals(trim(content_type), "application/x-pkcs12");
}
bool is_pem_content_type(std::string_view content_type) {
  return iequals(trim(content_type), "application/x-pem-file");
}

Expected<CertificateFile> convert_certificate(std::string_view stored, bool pkcs12, CertificateFormat format,
                                              std::string_view password) {
  const ClearErrors clear;
  if (stored.size() > kMaxInput) return failure("it is larger than 1 MiB, so it is not a certificate", kPemHint);
  auto material = pkcs12 ? read_pkcs12(stored) : read_pem(stored);
  if (!material) return material.error();
  auto certificates = ordered(*material);
  if (!certificates) return certificates.error();
  Key key = std::move(material->key);

  CertificateFile out;
  unsigned char sha1[EVP_MAX_MD_SIZE];
  unsigned sha1_length = 0;
  X509_digest(certificates->front().get(), EVP_sha1(), sha1, &sha1_length);
  out.thumbprint = hex_upper(std::string_view(reinterpret_cast<const char*>(sha1), sha1_length));
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificates->front().get()), &tm) == 1) {
    out.not_after = utc_time(unix_seconds(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                                          static_cast<unsigned>(tm.tm_mday), tm.tm_hour, tm.tm_min, tm.tm_sec));
  }

  const bool needs_key = format == CertificateFormat::key || (format == CertificateFormat::pem && pkcs12) ||
                         (format == CertificateFormat::pkcs12 && (!pkcs12 || !password.empty()));
  if (needs_key && !key) {
    return failure(std::string("it holds no private key, which a ") + to_string(format) + " file needs", kNoKeyHint);
  }
  switch (format) {
    case CertificateFormat::pkcs12:
      if (pkcs12 && password.empty()) {
        out.bytes = std::string(stored);
      } else {
        auto bytes = pkcs12_bytes(key.get(), *certificates, password);
        if (!bytes) return bytes.error();
        out.bytes = std::move(*bytes);
        out.converted = true;
      }
      break;
    case CertificateFormat::pem:
      if (!pkcs12) {
        out.bytes = std::string(stored);
      } else {
        auto text = key_pem(key.get());
        if (!text) return text.error();
        out.key_pem = std::move(*text);
        out.bytes = out.key_pem + certificates_pem(*certificates);
        out.converted = true;
      }
      break;
    case CertificateFormat::certificates:
      out.bytes = certificates_pem(*certificates);
      out.converted = true;
      break;
    case CertificateFormat::key: {
      auto text = key_pem(key.get());
      if (!text) return text.error();
      out.key_pem = std::move(*text);
      out.bytes = out.key_pem;
      out.converted = true;
      break;
    }
  }
  return out;
}

std::optional<std::string> rc2_cbc_decrypt(std::string_view key, unsigned effective_bits, std::string_view iv,
                                           std::string_view data) {
  // RFC 2268: PITABLE, the key expansion, and the inverse of the mixing and mashing rounds.
  static constexpr std::array<std::uint8_t, 256> pi = {
      0xd9, 0x78, 0xf9, 0xc4, 0x19, 0xdd, 0xb5, 0xed, 0x28, 0xe9, 0xfd, 0x79, 0x4a, 0xa0, 0xd8, 0x9d, 0xc6, 0x7e, 0x37,
      0x83, 0x2b, 0x76, 0x53, 0x8e, 0x62, 0x4c, 0x64, 0x88, 0x44, 0x8b, 0xfb, 0xa2, 0x17, 0x9a, 0x59, 0xf5, 0x87, 0xb3,
      0x4f, 0x13, 0x61, 0x45, 0x6d, 0x8d, 0x09, 0x81, 0x7d, 0x32, 0xbd, 0x8f, 0x40, 0xeb, 0x86, 0xb7, 0x7b, 0x0b, 0xf0,
      0x95, 0x21, 0x22, 0x5c, 0x6b, 0x4e, 0x82, 0x54, 0xd6, 0x65, 0x93, 0xce, 0x60, 0xb2, 0x1c, 0x73, 0x56, 0xc0, 0x14,
      0xa7, 0x8c, 0xf1, 0xdc, 0x12, 0x75, 0xca, 0x1f, 0x3b, 0xbe, 0xe4, 0xd1, 0x42, 0x3d, 0xd4, 0x30, 0xa3, 0x3c, 0xb6,
      0x26, 0x6f, 0xbf, 0x0e, 0xda, 0x46, 0x69, 0x07, 0x57, 0x27, 0xf2, 0x1d, 0x9b, 0xbc, 0x94, 0x43, 0x03, 0xf8, 0x11,
      0xc7, 0xf6, 0x90, 0xef, 0x3e, 0xe7, 0x06, 0xc3, 0xd5, 0x2f, 0xc8, 0x66, 0x1e, 0xd7, 0x08, 0xe8, 0xea, 0xde, 0x80,
      0x52, 0xee, 0xf7, 0x84, 0xaa, 0x72, 0xac, 0x35, 0x4d, 0x6a, 0x2a, 0x96, 0x1a, 0xd2, 0x71, 0x5a, 0x15, 0x49, 0x74,
      0x4b, 0x9f, 0xd0, 0x5e, 0x04, 0x18, 0xa4, 0xec, 0xc2, 0xe0, 0x41, 0x6e, 0x0f, 0x51, 0xcb, 0xcc, 0x24, 0x91, 0xaf,
      0x50, 0xa1, 0xf4, 0x70, 0x39, 0x99, 0x7c, 0x3a, 0x85, 0x23, 0xb8, 0xb4, 0x7a, 0xfc, 0x02, 0x36, 0x5b, 0x25, 0x55,
      0x97, 0x31, 0x2d, 0x5d, 0xfa, 0x98, 0xe3, 0x8a, 0x92, 0xae, 0x05, 0xdf, 0x29, 0x10, 0x67, 0x6c, 0xba, 0xc9, 0xd3,
      0x00, 0xe6, 0xcf, 0xe1, 0x9e, 0xa8, 0x2c, 0x63, 0x16, 0x01, 0x3f, 0x58, 0xe2, 0x89, 0xa9, 0x0d, 0x38, 0x34, 0x1b,
      0xab, 0x33, 0xff, 0xb0, 0xbb, 0x48, 0x0c, 0x5f, 0xb9, 0xb1, 0xcd, 0x2e, 0xc5, 0xf3, 0xdb, 0x47, 0xe5, 0xa5, 0x9c,
      0x77, 0x0a, 0xa6, 0x20, 0x68, 0xfe, 0x7f, 0xc1, 0xad,
  };
  if (key.empty() || key.size() > 128 || effective_bits == 0 || effective_bits > 1024 || iv.size() != 8 ||
      data.empty() || data.size() % 8 != 0) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 128> l{};
  const std::size_t t = key.size();
  for (std::size_t i = 0; i < t; ++i) l[i] = static_cast<std::uint8_t>(key[i]);
  for (std::size_t i = t; i < 128; ++i) l[i] = pi[(l[i - 1] + l[i - t]) & 0xFF];
  const std::size_t t8 = (effective_bits + 7) / 8;
  const unsigned tm = 0xFFu >> (8 * t8 - effective_bits);
  l[128 - t8] = pi[l[128 - t8] & tm];
  for (std::size_t i = 128 - t8; i-- > 0;) l[i] = pi[l[i + 1] ^ l[i + t8]];
  std::array<std::uint16_t, 64> k{};
  for (std::size_t i = 0; i < 64; ++i) k[i] = static_cast<std::uint16_t>(l[2 * i] | (l[2 * i + 1] << 8));
  OPENSSL_cleanse(l.data(), l.size());

  static constexpr unsigned shift[4] = {1, 2, 3, 5};
  std::string out(data.size(), '\0');
  std::array<std::uint8_t, 8> previous{};
  for (std::size_t i = 0; i < 8; ++i) previous[i] = static_cast<std::uint8_t>(iv[i]);
  for (std::size_t at = 0; at < data.size(); at += 8) {
    std::uint16_t r[4];
    for (int i = 0; i < 4; ++i) {
      r[i] = static_cast<std::uint16_t>(static_cast<std::uint8_t>(data[at + 2 * i]) |
                                        (static_cast<std::uint8_t>(data[at + 2 * i + 1]) << 8));
    }
    int j = 63;
    auto unmix = [&] {
      for (int i = 3; i >= 0; --i) {
        const unsigned s = shift[i];
        r[i] = static_cast<std::uint16_t>((r[i] >> s) | (r[i] << (16 - s)));
        r[i] = static_cast<std::uint16_t>(r[i] - k[static_cast<std::size_t>(j--)] - (r[(i + 3) % 4] & r[(i + 2) % 4]) -
                                          (static_cast<std::uint16_t>(~r[(i + 3) % 4]) & r[(i + 1) % 4]));
      }
    };
    auto unmash = [&] {
      for (int i = 3; i >= 0; --i) r[i] = static_cast<std::uint16_t>(r[i] - k[r[(i + 3) % 4] & 63]);
    };
    for (int n = 0; n < 5; ++n) unmix();
    unmash();
    for (int n = 0; n < 6; ++n) unmix();
    unmash();
    for (int n = 0; n < 5; ++n) unmix();
    for (int i = 0; i < 4; ++i) {
      out[at + 2 * i] = static_cast<char>((r[i] & 0xFF) ^ previous[2 * i]);
      out[at + 2 * i + 1] = static_cast<char>((r[i] >> 8) ^ previous[2 * i + 1]);
    }
    for (std::size_t i = 0; i < 8; ++i) previous[i] = static_cast<std::uint8_t>(data[at + i]);
  }
  return out;
}

}  // namespace fkv::secrets
