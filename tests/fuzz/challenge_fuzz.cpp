// Key Vault's WWW-Authenticate challenge (vault/challenge.hpp: parse_challenge, token_scope,
// challenge_scope_allowed). Property: a scope is only ever allowed for a vault host when it is an https
// URL on port 443 whose path is exactly "/.default" and the vault's host ends with "." + the scope's host
// (the Azure SDK's rule, checked here independently).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/text.hpp"
#include "fuzz_support.hpp"
#include "net/url.hpp"
#include "vault/challenge.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto challenge = fkv::vault::parse_challenge(fkv::fuzz::as_text(data, size));
  if (!challenge) return 0;
  FKV_FUZZ_CHECK(!challenge->authorization.empty() || !challenge->resource.empty() || !challenge->scope.empty());
  const std::string scope = challenge->token_scope();
  for (const std::string vault_host : {"kv-1.vault.azure.net", "kv.vault.usgovcloudapi.net"}) {
    if (!fkv::vault::challenge_scope_allowed(scope, vault_host)) continue;
    const auto url = fkv::net::parse_https_url(scope);
    FKV_FUZZ_CHECK(url && url->port == 443 && url->target == "/.default");
    const std::string dot_host = "." + fkv::ascii_lower(url->host);
    FKV_FUZZ_CHECK(vault_host.size() > dot_host.size() && vault_host.ends_with(dot_host));
  }
  return 0;
}
