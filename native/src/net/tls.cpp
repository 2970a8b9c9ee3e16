#include "net/tls.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <sys/stat.h>

#ifdef _WIN32
#include <windows.h>
#include <wincrypt.h>
#endif

namespace fkv::net {
namespace {

bool path_exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

std::string last_openssl_error() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  return buffer;
}

int count_trusted(ssl_ctx_st* context) {
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  STACK_OF(X509_OBJECT)* objects = store ? X509_STORE_get0_objects(store) : nullptr;
  return objects ? sk_X509_OBJECT_num(objects) : 0;
}

#ifdef _WIN32
// Adds every certificate of the Windows "ROOT" system store (what Windows itself trusts, including
// certificates an administrator deployed for a TLS-inspecting proxy) to the context's store.
void import_windows_root_store(ssl_ctx_st* context) {
  HCERTSTORE system_store = CertOpenSystemStoreW(0, L"ROOT");
  if (!system_store) return;
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  for (PCCERT_CONTEXT cert = CertEnumCertificatesInStore(system_store, nullptr); cert;
       cert = CertEnumCertificatesInStore(system_store, cert)) {
    const unsigned char* der = cert->pbCertEncoded;
    X509* x509 = d2i_X509(nullptr, &der, static_cast<long>(cert->cbCertEncoded));
    if (x509) {
      X509_STORE_add_cert(store, x509);  // duplicates are ignored
      X509_free(x509);
    }
  }
  ERR_clear_error();
  CertCloseStore(system_store, 0);
}
#endif

}  // namespace

void init_openssl() {
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
  OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
}

std::string openssl_default_cert_file() { return X509_get_default_cert_file(); }

Expected<Unit> configure_trust(ssl_ctx_st* context, const TrustSettings& settings) {
  const TrustPlan plan = plan_trust(settings, openssl_default_cert_file(), path_exists);
  if (plan.default_verify_paths) {
    // Succeeds even when the paths hold nothing; what was loaded is checked below.
    SSL_CTX_set_default_verify_paths(context);
    ERR_clear_error();
  }
#ifdef _WIN32
  if (plan.system_store) import_windows_root_store(context);
#endif
  for (const auto& file : plan.probed_files) {
    if (SSL_CTX_load_verify_file(context, file.c_str()) != 1) ERR_clear_error();
  }
  for (const auto& dir : plan.probed_dirs) {
    if (SSL_CTX_load_verify_dir(context, dir.c_str()) != 1) ERR_clear_error();
  }
  for (const auto& file : plan.required_files) {
    if (SSL_CTX_load_verify_file(context, file.c_str()) != 1) {
      const std::string reason = last_openssl_error();
      return config_error(file, "The CA certificate file '" + file + "' could not be loaded (" + reason + ").",
                          "Point AGENT_CAINFO (the agent's --sslcacert setting) at a readable PEM file of CA "
                          "certificates.");
    }
  }
  // Directories are looked up lazily (by hash) at verification time, so an empty store is only a
  // problem when no directory is in use either.
  const bool directories_in_use = !settings.environment.ssl_cert_dir.empty() || !plan.probed_dirs.empty() ||
                                  (plan.default_verify_paths && path_exists(X509_get_default_cert_dir()));
  if (count_trusted(context) == 0 && !directories_in_use) {
    return config_error("",
                        "No trusted CA certificates were found: OpenSSL's default file '" +
                            openssl_default_cert_file() + "' and the usual system bundles do not exist.",
                        "Install the system's CA certificates package, or set SSL_CERT_FILE to a PEM bundle of "
                        "CA certificates.");
  }
  return Unit{};
}

}  // namespace fkv::net
