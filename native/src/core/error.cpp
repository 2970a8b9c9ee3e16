#include "core/error.hpp"

namespace fkv {

const char* to_string(Stage stage) {
  switch (stage) {
    case Stage::config: return "config";
    case Stage::oidc: return "oidc";
    case Stage::entra: return "entra";
    case Stage::vault_list: return "vault-list";
    case Stage::vault_get: return "vault-get";
    case Stage::emit: return "emit";
  }
  return "unknown";
}

}  // namespace fkv
