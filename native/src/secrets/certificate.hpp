// A certificate secret as the file its tools need (issue 18). Pure: bytes in, bytes or an Error out (OpenSSL's
// libcrypto, no files, no environment, no provider loading).
//
// A Key Vault certificate's secret is a PKCS#12 (contentType application/x-pkcs12, base64 in the secret; the
// caller decodes it) or a PEM bundle (application/x-pem-file). A `=> file:PATH` target's extension chooses
// what is written (certificate_format):
//   .pfx / .p12  PKCS#12: the stored bytes as they are (PKCS#12 secret, no password), else built from the key
//                and certificates with OpenSSL 3's defaults (PBES2/PBKDF2/AES-256-CBC, HMAC-SHA256 MAC),
//                protected with the password when one is given (CertificatePassword);
//   .pem         PEM: the private key (PKCS#8), the leaf certificate, then the chain; a PEM secret as stored;
//   .crt / .cer  PEM: the certificates only, leaf first;
//   .key         PEM: the private key only (PKCS#8).
// The leaf is the certificate whose public key matches the private key (without a key: the first certificate);
// the chain follows issuers from the leaf, the certificates no issuer links keep their stored order.
// PKCS#12 written by older Windows tools converts too: 3DES with OpenSSL's default provider, RC2-40 (which
// OpenSSL 3 keeps in its legacy provider, absent from the shipped static builds) with the small RC2
// decryption here, so the result is the same on every platform.
// Limits against hostile input: 1 MiB of input, 64 certificates, 1,000,000 PBE/MAC iterations.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace fkv::secrets {

enum class CertificateFormat { pkcs12, pem, certificates, key };

// The format a file path's extension asks for (case-insensitively); nullopt: the value is written as it is.
std::optional<CertificateFormat> certificate_format(std::string_view path);
// "PKCS#12", "PEM key + certificates", "PEM certificates", "PEM key".
const char* to_string(CertificateFormat format);

// True for the content types of a Key Vault certificate's secret.
bool is_pkcs12_content_type(std::string_view content_type);
bool is_pem_content_type(std::string_view content_type);

struct CertificateFile {
  std::string bytes;       // what to write (SECRET)
  std::string key_pem;     // the private key as PKCS#8 PEM when `bytes` holds it as PEM text (SECRET: to mask)
  std::string thumbprint;  // SHA-1 of the leaf certificate's DER, upper-case hex
  std::string not_after;   // the leaf's notAfter, "YYYY-MM-DDThh:mm:ssZ"
  bool converted = false;  // false: `bytes` are the stored bytes
};

// `stored`: the secret's bytes (a PKCS#12 already base64-decoded, or PEM text; `pkcs12` says which).
// Errors (stage emit, no subject): the message is the reason, without any secret material; the hint the fix.
Expected<CertificateFile> convert_certificate(std::string_view stored, bool pkcs12, CertificateFormat format,
                                              std::string_view password);

// RC2-CBC decryption (RFC 2268) with the given effective key bits, padding left in place; nullopt when `data`
// is not whole 8-byte blocks or the key is out of range. Exposed for its known-answer tests.
std::optional<std::string> rc2_cbc_decrypt(std::string_view key, unsigned effective_bits, std::string_view iv,
                                           std::string_view data);

}  // namespace fkv::secrets
