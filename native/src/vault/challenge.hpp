// The Key Vault 401 challenge (identity-keyvault-protocol.md §5.6). Pure.
//
//   WWW-Authenticate: Bearer authorization="https://login.windows.net/<tenant>", resource="https://vault.azure.net"
// Variants accepted: authorization_uri= for authorization=, scope="…/.default" for resource=, unquoted values,
// any spacing around ',' and '='. The scheme must be Bearer (case-insensitive).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fkv::vault {

struct Challenge {
  std::string authorization;  // authorization or authorization_uri; may be empty
  std::string resource;       // may be empty
  std::string scope;          // may be empty

  // The token scope the challenge asks for: `scope` if given, else resource (trailing '/' removed) + "/.default".
  // Empty when neither is present.
  std::string token_scope() const;
};

std::optional<Challenge> parse_challenge(std::string_view www_authenticate);

// True when `token_scope` is the vault's own resource, as the Azure SDK checks it: an https URL on port 443
// whose path is exactly "/.default" (nothing beyond it, no query), and the vault's host ends with "." + the
// scope's host (case-insensitive). So https://vault.azure.net/.default is allowed for
// myvault.vault.azure.net, and https://evil.vault.azure.net/.default or https://vault.azure.net/x/.default
// are not: a spoofed challenge cannot obtain a token for another audience.
bool challenge_scope_allowed(std::string_view token_scope, std::string_view vault_host);

}  // namespace fkv::vault
