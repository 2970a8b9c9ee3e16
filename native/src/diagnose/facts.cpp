#include "diagnose/facts.hpp"

#include <cctype>

namespace fkv::diagnose {
namespace {

std::string plain_word(std::optional<std::string> text) {
  std::string out;
  for (const char c : text.value_or("")) {
    if (out.size() >= 40) break;
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') out += c;
  }
  return out.empty() ? std::string("unknown") : out;
}

}  // namespace

std::vector<agent::SummaryFinding> facts(const agent::TaskConfig& cfg, const std::vector<net::Url>& destinations) {
  const net::TrustEnvironment& trust = cfg.network.trust;
  const net::ProxySettings& proxy = cfg.network.proxy;
  std::vector<agent::SummaryFinding> out;
#if defined(_WIN32)
  const char* os = "Windows";
#elif defined(__APPLE__)
  const char* os = "macOS";
#else
  const char* os = "Linux";
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
  const char* arch = "arm64";
#else
  const char* arch = "x64";
#endif
  out.push_back({"Agent and platform", agent::FindingStatus::ok,
                 std::string("federated-keyvault ") + FKV_VERSION + " (" + os + " " + arch + ") on agent " +
                     plain_word(cfg.agent.version) + " (" + plain_word(cfg.agent.os) + " " +
                     plain_word(cfg.agent.os_architecture) + "), " +
                     (cfg.run_as_prejob ? "run before the job's steps" : "run as a step") + "."});
  // net/trust_store.hpp: on POSIX, SSL_CERT_FILE / SSL_CERT_DIR replace the system's certificates; on Windows
  // they come on top of the ROOT store.
  std::string configured;
  if (!trust.ssl_cert_file.empty()) configured = "SSL_CERT_FILE " + trust.ssl_cert_file;
  if (!trust.ssl_cert_dir.empty())
    configured += (configured.empty() ? "" : " and ") + ("SSL_CERT_DIR " + trust.ssl_cert_dir);
#ifdef _WIN32
  std::string trusted = "Certificates are verified against the Windows ROOT certificate store";
  if (!configured.empty()) trusted += ", plus " + configured;
#else
  std::string trusted = "Certificates are verified against " +
                        (configured.empty() ? std::string("the system's CA certificates") : configured);
#endif
  if (!trust.agent_cainfo.empty()) trusted += ", plus the agent's CA file (AGENT_CAINFO) " + trust.agent_cainfo;
  trusted += ".";
  if (auto warning = net::skip_validation_warning(trust)) trusted += " " + *warning;
  out.push_back({"Trust", agent::FindingStatus::ok, trusted});
  out.push_back({"Proxy", agent::FindingStatus::ok,
                 net::describe(proxy, destinations).value_or("No proxy is configured: every request goes direct.")});
  return out;
}

}  // namespace fkv::diagnose
