#include "core/error.hpp"

namespace fkv {

const char* to_string(Stage stage) {
  switch (stage) {
    case Stage::config: return "config";
    case Stage::oidc: return "oidc";
    case Stage::entra: return "entra";
    case Stage::imds: return "imds";
    case Stage::vault_list: return "vault-list";
    case Stage::vault_get: return "vault-get";
    case Stage::emit: return "emit";
  }
  return "unknown";
}

Error config_error(std::string subject, std::string message, std::string hint) {
  Error error;
  error.stage = Stage::config;
  error.subject = std::move(subject);
  error.message = std::move(message);
  error.hint = std::move(hint);
  return error;
}

}  // namespace fkv
