// Key Vault error answers (vault/kv_json.hpp: parse_kv_error; vault/messages.hpp: error_from_response):
// any response (fuzz_response.hpp format) gives an Error of the request's stage whose texts are all
// printable (no control characters: they end up in ##vso lines and log text).
#include <cstddef>
#include <cstdint>

#include "fuzz_response.hpp"
#include "fuzz_support.hpp"
#include "vault/kv_json.hpp"
#include "vault/messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fkv::net::Response response = fkv::fuzz::parse_response(fkv::fuzz::as_text(data, size));
  (void)fkv::vault::parse_kv_error(response.body);
  for (const bool list : {true, false}) {
    fkv::vault::Target target;
    target.stage = list ? fkv::Stage::vault_list : fkv::Stage::vault_get;
    target.vault_name = "contoso-kv";
    if (!list) target.secret = "db-password";
    const fkv::Error error = fkv::vault::error_from_response(target, response);
    FKV_FUZZ_CHECK(error.stage == target.stage);
    FKV_FUZZ_CHECK(error.http_status == response.status);
    FKV_FUZZ_CHECK(fkv::fuzz::printable(error.message));
    FKV_FUZZ_CHECK(fkv::fuzz::printable(error.hint));
    FKV_FUZZ_CHECK(fkv::fuzz::printable(error.service_code));
    for (const auto& [name, value] : error.correlation) FKV_FUZZ_CHECK(fkv::fuzz::printable(value));
  }
  return 0;
}
