// The one reader of the agent's environment (agent/environment.hpp). The topics are read by the parts in
// agent/config_*.cpp (agent/config_parts.hpp); this file holds the order, the shared rules and the only
// access to the process environment.
#include "agent/environment.hpp"

#include <cctype>
#include <cstdlib>

#include "agent/config_parts.hpp"
#include "core/numbers.hpp"
#include "core/text.hpp"

namespace fkv::agent {
namespace {

bool hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

namespace config {

std::string with_trailing_slash(std::string s) {
  if (s.empty() || s.back() != '/') s += '/';
  return s;
}

void read_agent(const Env& env, TaskConfig& config) {
  config.agent.version = env.get("AGENT_VERSION");
  config.agent.os = env.get("AGENT_OS");
  config.agent.os_architecture = env.get("AGENT_OSARCHITECTURE");
  // Trust: read as given (untrimmed paths are the user's; net/trust_store.hpp decides what they mean).
  const auto raw = [&env](std::string_view name) { return env.raw(name).value_or(""); };
  config.network.trust.ssl_cert_file = raw("SSL_CERT_FILE");
  config.network.trust.ssl_cert_dir = raw("SSL_CERT_DIR");
  config.network.trust.agent_cainfo = raw("AGENT_CAINFO");
  config.network.trust.skip_cert_validation = is_true(raw("AGENT_SKIPCERTVALIDATION"));
  // Proxy: net/proxy.hpp holds its rules; an unusable proxy setting is reported by the run once it has
  // said which vault it reads (the order of the log's first lines is the same as before).
  auto proxy = net::read_proxy_settings([&env](std::string_view name) { return env.raw(name); });
  if (proxy) {
    config.network.proxy = std::move(*proxy);
  } else {
    config.network.proxy_error = proxy.error();
  }
}

}  // namespace config

std::optional<std::string> process_environment(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

bool is_true(std::string_view text) { return iequals(trim(text), "true"); }

bool is_guid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !hex(text[i])) return false;
  }
  return true;
}

bool is_vault_name(std::string_view text) {
  return text.size() >= 3 && text.size() <= 24 && std::all_of(text.begin(), text.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
         });
}

std::optional<std::chrono::seconds> parse_timeout_seconds(std::string_view text) {
  const auto value = parse_digits(text, DigitRule{5, 1, 86400});
  if (!value) return std::nullopt;
  return std::chrono::seconds{static_cast<long long>(*value)};
}

// Each scheme's own fields, and nothing else (auth/credential.hpp).
auth::Credential credential_of(const TaskConfig& cfg) {
  const ServiceConnection& c = cfg.connection;
  auth::Credential credential;
  credential.connection_id = c.id;
  switch (c.auth) {
    case AuthScheme::workload_identity_federation:
      credential.scheme = auth::FederatedCredential{cfg.oidc_request_url, cfg.job_token, c.authority, c.tenant_id,
                                                    c.client_id};
      break;
    case AuthScheme::service_principal_secret:
      credential.scheme = auth::ClientSecretCredential{c.authority, c.tenant_id, c.client_id, c.client_secret,
                                                       c.settings_url};
      break;
    case AuthScheme::service_principal_certificate:
      credential.scheme = auth::CertificateCredential{c.authority, c.tenant_id, c.client_id, c.certificate_pem,
                                                      c.settings_url};
      break;
    case AuthScheme::managed_identity: credential.scheme = auth::ManagedIdentityCredential{c.msi_client_id}; break;
  }
  return credential;
}

TempDirectory read_temp_directory(const EnvLookup& lookup) { return config::temp_directory(config::Env(lookup)); }

Expected<TaskConfig> read_task_config(const EnvLookup& lookup) {
  const config::Env env(lookup);
  TaskConfig result;
  std::string raw_id;
  if (auto error = config::read_inputs(env, result, raw_id)) return std::move(*error);
  if (auto error = config::read_connection(env, raw_id, result)) return std::move(*error);
  if (result.connection.auth == AuthScheme::workload_identity_federation) {
    if (auto error = config::read_federation(env, result)) return std::move(*error);
  }
  config::read_agent(env, result);
  return result;
}

}  // namespace fkv::agent
