// Key Vault's WWW-Authenticate challenge (vault/challenge.hpp: parse_challenge, token_scope,
// challenge_scope_allowed). Property: a scope is only ever allowed when it is an https URL on port
// 443 whose host is the vault DNS suffix or ends with "." + suffix (checked here independently).
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
  for (const char* suffix : {"vault.azure.net", "vault.usgovcloudapi.net"}) {
    if (!fkv::vault::challenge_scope_allowed(scope, suffix)) continue;
    const auto url = fkv::net::parse_https_url(scope);
    FKV_FUZZ_CHECK(url && url->port == 443);
    const std::string host = fkv::ascii_lower(url->host);
    const std::string dot_suffix = std::string(".") + suffix;
    FKV_FUZZ_CHECK(host == suffix || host.ends_with(dot_suffix));
  }
  return 0;
}
