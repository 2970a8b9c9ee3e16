#include "agent/task_config.hpp"

namespace fkv::agent {

net::Url TaskConfig::vault_url() const {
  // vault_name and vault_dns_suffix were validated by read_task_config, so this always parses.
  auto url = net::parse_https_url("https://" + vault_name + "." + connection.vault_dns_suffix + "/");
  return url ? *url : net::Url{};
}

std::vector<net::Url> TaskConfig::destinations() const {
  std::vector<net::Url> out;
  if (connection.auth == AuthScheme::workload_identity_federation) out.push_back(oidc_request_url);
  if (connection.auth != AuthScheme::managed_identity) out.push_back(connection.authority);
  out.push_back(vault_url());
  return out;
}

namespace {

constexpr const char* kPlatform =
#if defined(_WIN32)
    "windows"
#elif defined(__APPLE__)
    "macos"
#else
    "linux"
#endif
    "; "
#if defined(__aarch64__) || defined(_M_ARM64)
    "arm64";
#else
    "x64";
#endif

}  // namespace

std::string user_agent(const std::vector<std::pair<std::string, std::string>>& pipeline_ids) {
  std::string ua = std::string("federated-keyvault/") + FKV_VERSION + " (" + kPlatform + ")";
  if (pipeline_ids.empty()) return ua;
  std::string ids;
  for (const auto& [key, value] : pipeline_ids) ids += (ids.empty() ? "" : "; ") + key + "=" + value;
  return ua + " AzurePipelines (" + ids + ")";
}

}  // namespace fkv::agent
