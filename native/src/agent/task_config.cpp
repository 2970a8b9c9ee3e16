#include "agent/task_config.hpp"

namespace fkv::agent {

net::Url TaskConfig::vault_url() const {
  // vault_name and vault_dns_suffix were validated by read_task_config, so this always parses.
  auto url = net::parse_https_url("https://" + vault_name + "." + connection.vault_dns_suffix + "/");
  return url ? *url : net::Url{};
}

}  // namespace fkv::agent
