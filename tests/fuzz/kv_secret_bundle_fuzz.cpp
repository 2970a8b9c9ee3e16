// Key Vault secret bundles (vault/kv_json.hpp: parse_secret_bundle): any body is either a bundle or a
// vault_get Error; the Error never quotes the body (it may hold the secret).
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "vault/kv_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = fkv::fuzz::as_text(data, size);
  auto bundle = fkv::vault::parse_secret_bundle(body);
  if (!bundle) {
    FKV_FUZZ_CHECK(bundle.error().stage == fkv::Stage::vault_get);
    // The two texts a failed parse can give, whatever the body: a body that is a word of them is no finding.
    const std::string fixed = fkv::fuzz::error_text(fkv::vault::parse_secret_bundle("").error()) +
                              fkv::fuzz::error_text(fkv::vault::parse_secret_bundle(R"({"value":1})").error());
    if (body.size() >= 8 && fixed.find(body) == std::string::npos) {
      FKV_FUZZ_CHECK(fkv::fuzz::error_text(bundle.error()).find(body) == std::string::npos);
    }
    return 0;
  }
  FKV_FUZZ_CHECK(bundle->value.size() <= body.size());
  return 0;
}
