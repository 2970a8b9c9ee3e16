// OpenSSL-backed pieces of the fake: the throwaway CA + server certificate, and the RS256 key that
// signs the OIDC tokens Azure DevOps would issue (and that "Entra" checks assertions against).
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fake {

struct TlsMaterial {
  std::string ca_cert_pem;    // the only trust anchor clients get (--ca-out)
  std::string leaf_cert_pem;  // server certificate, issued by the CA
  std::string leaf_key_pem;
};

// A fresh EC P-256 CA (valid now-1h .. now+7d) and a leaf with one SAN per DNS name and IP.
// Throws std::runtime_error on an OpenSSL failure.
TlsMaterial make_tls_material(const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses);

std::string sha256(std::string_view data);

// A certificate registered on an app (its public part, PEM), as Entra keeps it: thumbprints and the
// public key that verifies client assertions signed with the certificate's private key.
struct RegisteredCertificate {
  std::string thumbprint_hex;  // SHA-1 of the DER, upper-case hex
  std::string x5t;             // base64url SHA-1
  std::string x5t_s256;        // base64url SHA-256
  std::string public_key_pem;
};
// Throws std::runtime_error when `pem` holds no certificate.
RegisteredCertificate load_registered_certificate(std::string_view pem);
// RS256 verification with an RSA public key in PEM ("PUBLIC KEY").
bool rs256_verify(const std::string& public_key_pem, std::string_view data, std::string_view signature);
// RSASSA-PSS with SHA-256 (JWS "PS256"), any salt length.
bool ps256_verify(const std::string& public_key_pem, std::string_view data, std::string_view signature);

// An RSA-2048 key pair made at start; thread-safe after construction.
class Rs256Key {
 public:
  Rs256Key();
  ~Rs256Key();
  Rs256Key(const Rs256Key&) = delete;
  Rs256Key& operator=(const Rs256Key&) = delete;

  std::string sign(std::string_view data) const;  // raw signature bytes
  bool verify(std::string_view data, std::string_view signature) const;
  const std::string& kid() const { return kid_; }
  std::string jwk_json() const;  // one JWK object {"kty":"RSA","use":"sig","kid",...,"n","e"}

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string kid_;
};

}  // namespace fake
