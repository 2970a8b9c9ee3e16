// Key Vault list pages (vault/kv_json.hpp: parse_list_page, secret_name_from_id): any body is either
// a page or a vault_list Error that quotes nothing of the body.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "vault/kv_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = fkv::fuzz::as_text(data, size);
  auto page = fkv::vault::parse_list_page(body);
  if (!page) {
    FKV_FUZZ_CHECK(page.error().stage == fkv::Stage::vault_list);
    return 0;
  }
  if (page->next_link) FKV_FUZZ_CHECK(!page->next_link->empty());
  for (const auto& item : page->items) {
    const std::string name = fkv::vault::secret_name_from_id(item.id);
    FKV_FUZZ_CHECK(name.size() <= item.id.size());
    FKV_FUZZ_CHECK(name.find_first_of("/?#") == std::string::npos);
  }
  return 0;
}
