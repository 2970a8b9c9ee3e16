// Which CA certificates the TLS client trusts: pure decisions, no OpenSSL (net/tls.cpp applies them).
//
// Rules (see shared/docs/portability.md §2):
// 1. OpenSSL's default verify paths are always loaded. When SSL_CERT_FILE or SSL_CERT_DIR is set,
//    OpenSSL's set_default_verify_paths() reads only those, and nothing is probed.
// 2. Otherwise, when the compiled-in default CA file does not exist (a static build carries the
//    build machine's OPENSSLDIR, e.g. /usr/lib/ssl, which RHEL and Alpine lack), the first existing
//    file of Go's list is loaded, plus the existing directories of Go's list.
// 3. AGENT_CAINFO (the agent's --sslcacert, a PEM file) and any extra files are loaded in addition.
//    They must load: a configured CA that is silently ignored would only surface later as a
//    confusing verification failure.
// 4. On Windows nothing is read through OpenSSL's compiled-in paths (they name the build machine's
//    folders, a place any user could plant a CA): the Windows ROOT certificate store is imported,
//    and SSL_CERT_FILE / SSL_CERT_DIR (';'-separated) / AGENT_CAINFO are loaded explicitly when set.
// AGENT_SKIPCERTVALIDATION is never honoured; skip_validation_warning() gives main the text to print.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fkv::net {

// The agent's settings that influence trust, as the configuration reader (agent/environment.hpp) read
// them; empty when unset.
struct TrustEnvironment {
  std::string ssl_cert_file;          // SSL_CERT_FILE
  std::string ssl_cert_dir;           // SSL_CERT_DIR
  std::string agent_cainfo;           // AGENT_CAINFO
  bool skip_cert_validation = false;  // AGENT_SKIPCERTVALIDATION is true (never honoured: a warning)
};

// Trust configuration of the HTTPS client. Extend here (e.g. a Windows ROOT-store switch) without
// touching callers.
struct TrustSettings {
  TrustEnvironment environment;
  std::vector<std::string> extra_ca_files;  // PEM files trusted in addition (e.g. a test CA)
};

enum class TrustPlatform { posix, windows };

#ifdef _WIN32
inline constexpr TrustPlatform kThisPlatform = TrustPlatform::windows;
#else
inline constexpr TrustPlatform kThisPlatform = TrustPlatform::posix;
#endif

// What net/tls.cpp must do to an SSL context, in this order.
struct TrustPlan {
  bool default_verify_paths = true;
  bool system_store = false;                // import the Windows ROOT store
  std::vector<std::string> probed_files;    // best effort: at most one, from Go's list
  std::vector<std::string> probed_dirs;     // best effort
  std::vector<std::string> required_files;  // AGENT_CAINFO, extra_ca_files: failure to load is an error
};

// Go's crypto/x509 root_linux.go lists, in order.
const std::vector<std::string>& fallback_ca_files();
const std::vector<std::string>& fallback_ca_dirs();

TrustPlan plan_trust(const TrustSettings& settings, const std::string& compiled_default_cert_file,
                     const std::function<bool(const std::string&)>& exists, TrustPlatform platform = kThisPlatform);

// The warning main prints when AGENT_SKIPCERTVALIDATION is true, else nullopt.
std::optional<std::string> skip_validation_warning(const TrustEnvironment& environment);

}  // namespace fkv::net
