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

}  // namespace fkv::agent
