// Service principal with a certificate (ServicePrincipal + spnCertificate): the task signs its own
// client assertion (RFC 7523, Microsoft "certificate credentials") with the connection's RSA key and
// sends it to the Entra v2 token endpoint exactly like the federated one (auth/entra.hpp entra_request).
//
// PEM input (ENDPOINT_AUTH_PARAMETER_<id>_SERVICEPRINCIPALCERTIFICATE): one or more CERTIFICATE blocks
// and one private key, in any order; the key as PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY").
// Rejected, each with its own message: no PEM block, an unreadable block, no certificate, no key, an
// encrypted key, a non-RSA key, two keys, a key that matches none of the certificates. Other block types
// (e.g. a CRL) are ignored. Of several certificates (a chain), the one whose public key matches is used.
//
// Contract: the key lives in memory only (never a file, argv or child process); errors never hold key
// material. Only portable OpenSSL 3.0 APIs (EVP_*, PEM_read_bio, d2i_*), so the Windows build has them.
//
// Assertion: header {"alg":"RS256","typ":"JWT","x5t":<b64url SHA-1 of the DER>,"x5t#S256":<b64url SHA-256>},
// claims {"aud":<token endpoint>,"iss":<client id>,"sub":<client id>,"jti":<random UUID>,"nbf":now,
// "iat":now,"exp":now+600}. AzureKeyVault@2 uses 100 days; ten minutes is all one exchange needs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/federated_credential.hpp"
#include "core/expected.hpp"
#include "net/http.hpp"

namespace fkv::auth {

inline constexpr std::int64_t kAssertionLifetimeSeconds = 600;

struct CertificateInfo {
  std::string thumbprint;      // SHA-1 of the DER, upper-case hex (what the Azure portal shows)
  std::string x5t;             // base64url SHA-1
  std::string x5t_s256;        // base64url SHA-256
  std::int64_t not_after = 0;  // seconds since the epoch
  std::string not_after_text;  // e.g. "2027-01-31T12:00:00Z"
};

class SigningCertificate {
 public:
  // Errors are Stage::config about ConnectedServiceName.
  static Expected<SigningCertificate> from_pem(std::string_view pem);

  const CertificateInfo& info() const;
  // RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature bytes of `data`; empty if OpenSSL fails.
  std::string sign_rs256(std::string_view data) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

struct AssertionClaims {
  std::string audience;  // the token endpoint URL
  std::string client_id;
  std::string jti;
  std::int64_t now = 0;  // seconds since the epoch
};

// header.claims.signature; Error when signing fails.
Expected<std::string> client_assertion(const SigningCertificate& certificate, const AssertionClaims& claims);

// A random UUID (version 4) from OpenSSL's CSPRNG, for jti.
std::string random_jti();

// The warning for a certificate past its notAfter at `now` (Entra decides; the task still tries).
std::optional<std::string> expired_certificate_warning(const CertificateInfo& info, std::string_view connection_id,
                                                       std::int64_t now);

// Every line of the PEM that carries base64 data and is 8 characters or longer: what to register with
// the agent's masker (a multi-line value cannot be registered whole).
std::vector<std::string> pem_secret_lines(std::string_view pem);

// The connection's own fields for this scheme (ServicePrincipal, spnCertificate).
struct CertificateCredential {
  net::Url authority;
  std::string tenant_id;
  std::string client_id;
  std::string certificate_pem;  // SECRET: the certificate and its private key
  std::string settings_url;     // may be empty
};

// The access token (given to `register_secret`, as is the assertion before it is sent), or an Error.
// `now`: seconds since the epoch (the assertion's nbf/exp).
Expected<AccessToken> acquire_with_certificate(net::HttpClient& http, const CertificateCredential& params,
                                               const std::string& scope, std::int64_t now,
                                               const SecretSink& register_secret);

}  // namespace fkv::auth
