#include "agent/task_config.hpp"

namespace fkv::agent {

net::Url TaskConfig::vault_url() const {
  // vault_name and vault_dns_suffix were validated by read_task_config, so this always parses.
  auto url = net::parse_https_url("https://" + vault_name + "." + connection.vault_dns_suffix + "/");
  return url ? *url : net::Url{};
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
