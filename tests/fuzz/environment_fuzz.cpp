// The agent's environment (agent/environment.hpp: read_task_config through its EnvLookup). The input
// is a set of variables, one "NAME=VALUE" per line (a later line wins; lines without '=' are
// ignored). Properties:
// - a TaskConfig holds only validated values: a lower-case GUID connection id, a valid vault name,
//   https URLs that parse back, a non-empty job token, valid SecretsFilter names;
// - an Error is a config Error, and never shows the job token. The token is recognisable only when it
//   is not also the text of another variable and holds a byte our own (ASCII) messages never contain.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agent/environment.hpp"
#include "agent/selection.hpp"
#include "core/text.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto variables = fkv::fuzz::variables_from(fkv::fuzz::as_text(data, size));
  std::size_t lookups = 0;
  const fkv::agent::EnvLookup lookup = [&](std::string_view name) -> std::optional<std::string> {
    ++lookups;
    auto it = variables.find(name);
    if (it == variables.end()) return std::nullopt;
    return it->second;
  };
  const auto config = fkv::agent::read_task_config(lookup);
  FKV_FUZZ_CHECK(lookups < 200);  // a bounded number of variables is read

  if (config) {
    FKV_FUZZ_CHECK(fkv::agent::is_guid(config->connection.id));
    FKV_FUZZ_CHECK(config->connection.id == fkv::ascii_lower(config->connection.id));
    const bool federation = config->connection.auth == fkv::AuthScheme::workload_identity_federation;
    // A managed identity may come without a client id; every other scheme has one.
    FKV_FUZZ_CHECK(fkv::agent::is_guid(config->connection.client_id) ||
                   (config->connection.auth == fkv::AuthScheme::managed_identity &&
                    config->connection.client_id.empty()));
    FKV_FUZZ_CHECK(fkv::is_tenant_id(config->connection.tenant_id));
    FKV_FUZZ_CHECK(fkv::agent::is_vault_name(config->vault_name));
    FKV_FUZZ_CHECK(!federation || !config->job_token.empty());  // only federation needs the job token
    if (config->connection.auth == fkv::AuthScheme::service_principal_secret) {
      FKV_FUZZ_CHECK(!config->connection.client_secret.empty());
    }
    for (const auto* url : {&config->connection.authority, &config->oidc_request_url}) {
      if (!federation && url == &config->oidc_request_url) continue;
      const auto again = fkv::net::parse_https_url(url->str());
      FKV_FUZZ_CHECK(again && again->host == url->host && again->target == url->target);
    }
    const auto vault = fkv::net::parse_https_url(config->vault_url().str());
    FKV_FUZZ_CHECK(vault && fkv::net::host_within(vault->host, config->connection.vault_dns_suffix));
    for (const auto& ref : config->selection.names) FKV_FUZZ_CHECK(fkv::agent::is_secret_name(ref.name));
    return 0;
  }

  const fkv::Error& error = config.error();
  FKV_FUZZ_CHECK(error.stage == fkv::Stage::config);
  const std::string shown = fkv::fuzz::error_text(error);
  for (const char* token_variable : {"ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN", "SYSTEM_ACCESSTOKEN"}) {
    auto it = variables.find(token_variable);
    if (it == variables.end()) continue;
    const std::string token(fkv::trim(it->second));
    bool non_ascii = false;
    for (char c : token) non_ascii = non_ascii || static_cast<unsigned char>(c) >= 0x80;
    bool elsewhere = false;
    for (const auto& [name, value] : variables) {
      elsewhere = elsewhere || (name != token_variable &&
                                (value.find(token) != std::string::npos || name.find(token) != std::string::npos));
    }
    if (token.size() >= 4 && non_ascii && !elsewhere) FKV_FUZZ_CHECK(shown.find(token) == std::string::npos);
  }
  return 0;
}
