#include "auth/client_certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <ctime>
#include <vector>

#include "auth/entra.hpp"
#include "auth/jwt_claims.hpp"
#include "auth/messages.hpp"
#include "auth/token_answer.hpp"
#include "core/pem.hpp"
#include "core/random.hpp"
#include "core/utc_time.hpp"

namespace fkv::auth {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

const char* const kPemHint =
    "Put the certificate and its unencrypted RSA private key into the service connection as PEM text; a .pfx "
    "converts with: openssl pkcs12 -in cert.pfx -nodes -out cert.pem.";

Error pem_error(std::string message, std::string hint = kPemHint) {
  return config_error("ConnectedServiceName",
                      "The service connection's certificate (servicePrincipalCertificate) " + std::move(message),
                      std::move(hint));
}

std::string digest(const X509* cert, const EVP_MD* md) {
  unsigned char buffer[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  if (X509_digest(cert, md, buffer, &length) != 1) return {};
  return std::string(reinterpret_cast<const char*>(buffer), length);
}

}  // namespace

struct SigningCertificate::Impl {
  X509Ptr certificate;
  PkeyPtr key;
  CertificateInfo info;
};

Expected<SigningCertificate> SigningCertificate::from_pem(std::string_view pem) {
  if (pem.size() > 1024 * 1024) return pem_error("is larger than 1 MiB, so it is not a certificate and key.");
  auto blocks = read_pem_blocks(pem);
  if (!blocks) return pem_error("has a PEM block that cannot be read (its base64 text is damaged or cut off).");
  constexpr std::size_t kMaxBlocks = 64;  // a certificate, its chain and its key; more is not a connection's PEM
  if (blocks->size() > kMaxBlocks) {
    return pem_error("has more than " + std::to_string(kMaxBlocks) +
                         " PEM blocks; the task reads no further, so it did not look for the key or the "
                         "certificate beyond them.",
                     "Keep only the certificate (with its chain) and its private key in the PEM text.");
  }

  std::vector<X509Ptr> certificates;
  PkeyPtr key;
  ERR_clear_error();
  for (const auto& block : *blocks) {
    const std::string_view name = block.label;
    const auto* cursor = reinterpret_cast<const unsigned char*>(block.der.data());
    const long length = static_cast<long>(block.der.size());
    if (name == "CERTIFICATE") {
      X509Ptr cert(d2i_X509(nullptr, &cursor, length));
      if (!cert) {
        ERR_clear_error();
        return pem_error("has a CERTIFICATE block that is not an X.509 certificate.");
      }
      certificates.push_back(std::move(cert));
    } else if (name == "PRIVATE KEY" || name == "RSA PRIVATE KEY") {
      if (block.encrypted) {
        return pem_error("holds an encrypted private key, which the task cannot use (there is no place for its "
                         "password).",
                         "Export the key without a password (openssl pkey -in key.pem -out plain.pem) and put it "
                         "with the certificate into the service connection.");
      }
      if (key) return pem_error("holds more than one private key.", "Keep only the key of the certificate.");
      key.reset(name == "RSA PRIVATE KEY" ? d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &cursor, length)
                                          : d2i_AutoPrivateKey(nullptr, &cursor, length));
      if (!key) {
        ERR_clear_error();
        return pem_error("has a " + std::string(name) + " block that is not a private key.");
      }
      if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
        return pem_error("holds a private key that is not an RSA key; certificate credentials of Microsoft Entra ID "
                         "need RSA.",
                         "Create the certificate with an RSA key (2048 bits or more).");
      }
    } else if (name == "ENCRYPTED PRIVATE KEY") {
      return pem_error("holds an encrypted private key, which the task cannot use (there is no place for its "
                       "password).",
                       "Export the key without a password (openssl pkey -in key.pem -out plain.pem) and put it "
                       "with the certificate into the service connection.");
    } else if (name == "EC PRIVATE KEY" || name == "DSA PRIVATE KEY") {
      return pem_error("holds a private key that is not an RSA key; certificate credentials of Microsoft Entra ID "
                       "need RSA.",
                       "Create the certificate with an RSA key (2048 bits or more).");
    }
  }
  if (blocks->empty()) return pem_error("is not PEM text: it has no -----BEGIN ...----- block.");
  if (!key) {
    return pem_error("holds no private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----).",
                     "Export the certificate together with its private key (PEM with both blocks).");
  }
  if (certificates.empty()) {
    return pem_error("holds a private key but no certificate (-----BEGIN CERTIFICATE-----).",
                     "Put the certificate and its private key into the service connection, both as PEM blocks.");
  }
  auto impl = std::make_shared<Impl>();
  for (auto& cert : certificates) {
    if (X509_check_private_key(cert.get(), key.get()) == 1) {
      impl->certificate = std::move(cert);
      break;
    }
  }
  ERR_clear_error();
  if (!impl->certificate) {
    const std::string thumbprint = hex_upper(digest(certificates.front().get(), EVP_sha1()));
    return pem_error("holds a private key that does not belong to its certificate (thumbprint " + thumbprint + ").",
                     "Export the certificate together with its own private key.");
  }
  impl->key = std::move(key);

  CertificateInfo& info = impl->info;
  const std::string sha1 = digest(impl->certificate.get(), EVP_sha1());
  info.thumbprint = hex_upper(sha1);
  info.x5t = base64url_encode(sha1);
  info.x5t_s256 = base64url_encode(digest(impl->certificate.get(), EVP_sha256()));
  const ASN1_TIME* not_after = X509_get0_notAfter(impl->certificate.get());
  int days = 0, seconds = 0;
  if (ASN1_TIME_diff(&days, &seconds, nullptr, not_after) == 1) {
    info.not_after = static_cast<std::int64_t>(std::time(nullptr)) + std::int64_t{days} * 86400 + seconds;
  }
  std::tm tm{};
  if (ASN1_TIME_to_tm(not_after, &tm) == 1) {
    info.not_after_text = utc_time(unix_seconds(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                                                static_cast<unsigned>(tm.tm_mday), tm.tm_hour, tm.tm_min, tm.tm_sec));
  }
  ERR_clear_error();
  SigningCertificate out;
  out.impl_ = std::move(impl);
  return out;
}

const CertificateInfo& SigningCertificate::info() const { return impl_->info; }

std::string SigningCertificate::sign_rs256(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) != 1) {
    ERR_clear_error();
    return {};
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t length = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &length, bytes, data.size()) != 1) {
    ERR_clear_error();
    return {};
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, bytes, data.size()) != 1) {
    ERR_clear_error();
    return {};
  }
  signature.resize(length);
  return signature;
}

Expected<std::string> client_assertion(const SigningCertificate& certificate, const AssertionClaims& claims) {
  auto json = [](auto&& write) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    write(writer);
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
  };
  const CertificateInfo& info = certificate.info();
  const std::string header = json([&](auto& w) {
    w.Key("alg");
    w.String("RS256");
    w.Key("typ");
    w.String("JWT");
    w.Key("x5t");
    w.String(info.x5t.c_str());
    w.Key("x5t#S256");
    w.String(info.x5t_s256.c_str());
  });
  const std::string payload = json([&](auto& w) {
    w.Key("aud");
    w.String(claims.audience.c_str());
    w.Key("iss");
    w.String(claims.client_id.c_str());
    w.Key("sub");
    w.String(claims.client_id.c_str());
    w.Key("jti");
    w.String(claims.jti.c_str());
    w.Key("nbf");
    w.Int64(claims.now);
    w.Key("iat");
    w.Int64(claims.now);
    w.Key("exp");
    w.Int64(claims.now + kAssertionLifetimeSeconds);
  });
  const std::string signing_input = base64url_encode(header) + "." + base64url_encode(payload);
  const std::string signature = certificate.sign_rs256(signing_input);
  if (signature.empty()) {
    Error error;
    error.stage = Stage::entra;
    error.message = "The client assertion could not be signed with the service connection's certificate key.";
    error.hint = "Check that the key is a valid RSA key of 2048 bits or more.";
    return error;
  }
  return signing_input + "." + base64url_encode(signature);
}

std::string random_jti() {
  // A version-4 UUID (RFC 4122 §4.4): 16 random bytes, the version nibble 4, the variant bits 10.
  std::string hex = random_hex(16);
  hex[12] = '4';
  static constexpr char kVariant[] = "89ab";
  const char variant = hex[16];
  hex[16] = kVariant[(variant <= '9' ? variant - '0' : variant - 'a' + 10) & 0x3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

std::optional<std::string> expired_certificate_warning(const CertificateInfo& info, std::string_view connection_id,
                                                       std::int64_t now) {
  if (info.not_after == 0 || info.not_after > now) return std::nullopt;
  return "The certificate of service connection " + std::string(connection_id) + " (thumbprint " + info.thumbprint +
         ") expired on " + info.not_after_text +
         "; Microsoft Entra ID will probably reject it. Upload a new certificate to the app registration and the "
         "service connection, or convert the connection to workload identity federation.";
}

std::vector<std::string> pem_secret_lines(std::string_view pem) {
  std::vector<std::string> out;
  while (!pem.empty()) {
    const auto end = pem.find('\n');
    std::string_view line = pem.substr(0, end);
    pem = end == std::string_view::npos ? std::string_view() : pem.substr(end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    // Markers and headers are not secret; a short tail line ("Aw==") would mask ordinary words.
    if (line.size() < 8 || line.rfind("-----", 0) == 0 || line.find(':') != std::string_view::npos) continue;
    out.emplace_back(line);
  }
  return out;
}

Expected<AccessToken> acquire_with_certificate(net::HttpClient& http, const CertificateCredential& params,
                                               const std::string& scope, std::int64_t now,
                                               const SecretSink& register_secret) {
  auto certificate = SigningCertificate::from_pem(params.certificate_pem);
  if (!certificate) return certificate.error();
  auto token_url = entra_token_url(params.authority, params.tenant_id);
  if (!token_url) return token_url.error();
  auto assertion = client_assertion(*certificate, {token_url->str(), params.client_id, random_jti(), now});
  if (!assertion) return assertion.error();
  register_secret(*assertion);

  const auto outcome = http.send(entra_request(*token_url, params.client_id, scope, *assertion));
  ExchangeContext context;
  context.client_id = params.client_id;
  context.tenant_id = params.tenant_id;
  context.authority_host = params.authority.host;
  context.scope = scope;
  context.credential = ExchangeContext::Credential::certificate;
  context.settings_url = params.settings_url;
  context.certificate_thumbprint = certificate->info().thumbprint;
  return token_from_answer(read_entra_response(*token_url, outcome), context, {*assertion}, register_secret);
}

}  // namespace fkv::auth
