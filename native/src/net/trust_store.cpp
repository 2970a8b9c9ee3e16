#include "net/trust_store.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "core/text.hpp"

namespace fkv::net {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

bool is_true(std::string_view value) {
  const std::string text = ascii_lower(value);
  return text == "true" || text == "1" || text == "yes";
}

}  // namespace

TrustEnvironment trust_environment_from_process() {
  return TrustEnvironment{env("SSL_CERT_FILE"), env("SSL_CERT_DIR"), env("AGENT_CAINFO"),
                          env("AGENT_SKIPCERTVALIDATION")};
}

const std::vector<std::string>& fallback_ca_files() {
  static const std::vector<std::string> files = {
      "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Gentoo, Arch
      "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL 6
      "/etc/ssl/ca-bundle.pem",                             // openSUSE
      "/etc/pki/tls/cacert.pem",                            // OpenELEC
      "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // CentOS, RHEL 7+
      "/etc/ssl/cert.pem",                                  // Alpine, macOS, BSD
  };
  return files;
}

const std::vector<std::string>& fallback_ca_dirs() {
  static const std::vector<std::string> dirs = {"/etc/ssl/certs", "/etc/pki/tls/certs"};
  return dirs;
}

TrustPlan plan_trust(const TrustSettings& settings, const std::string& compiled_default_cert_file,
                     const std::function<bool(const std::string&)>& exists, TrustPlatform platform) {
  TrustPlan plan;
  const auto& environment = settings.environment;
  if (platform == TrustPlatform::windows) {
    plan.default_verify_paths = false;
    plan.system_store = true;
    if (!environment.ssl_cert_file.empty()) plan.required_files.push_back(environment.ssl_cert_file);
    std::string dirs = environment.ssl_cert_dir;
    for (std::size_t start = 0; start <= dirs.size();) {
      const std::size_t end = std::min(dirs.find(';', start), dirs.size());
      if (end > start) plan.probed_dirs.push_back(dirs.substr(start, end - start));
      start = end + 1;
    }
    if (!environment.agent_cainfo.empty()) plan.required_files.push_back(environment.agent_cainfo);
    for (const auto& file : settings.extra_ca_files) plan.required_files.push_back(file);
    return plan;
  }
  const bool environment_chooses = !environment.ssl_cert_file.empty() || !environment.ssl_cert_dir.empty();
  if (!environment_chooses && !exists(compiled_default_cert_file)) {
    for (const auto& file : fallback_ca_files()) {
      if (exists(file)) {
        plan.probed_files.push_back(file);
        break;
      }
    }
    for (const auto& dir : fallback_ca_dirs()) {
      if (exists(dir)) plan.probed_dirs.push_back(dir);
    }
  }
  if (!environment.agent_cainfo.empty()) plan.required_files.push_back(environment.agent_cainfo);
  for (const auto& file : settings.extra_ca_files) plan.required_files.push_back(file);
  return plan;
}

std::optional<std::string> skip_validation_warning(const TrustEnvironment& environment) {
  if (!is_true(environment.agent_skip_cert_validation)) return std::nullopt;
  return "The agent is configured to skip TLS certificate validation (AGENT_SKIPCERTVALIDATION), but "
         "federated-keyvault always verifies certificates. If the agent's traffic goes through a "
         "TLS-inspecting proxy, configure the agent with that proxy's CA certificate (--sslcacert, "
         "passed to tasks as AGENT_CAINFO) instead.";
}

}  // namespace fkv::net
