// SecretsFilter (agent/selection.hpp: parse_secrets_filter). Properties: a listed selection is the plain '*'
// or has a pattern or exclusion item; the names of a selection are valid names and versions, without
// case-insensitive duplicates, and re-parsing them joined with ", " gives the same names; an Error is a
// config Error about SecretsFilter.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/selection.hpp"
#include "core/text.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto selection = fkv::agent::parse_secrets_filter(fkv::fuzz::as_text(data, size));
  if (!selection) {
    FKV_FUZZ_CHECK(selection.error().stage == fkv::Stage::config);
    FKV_FUZZ_CHECK(selection.error().subject == "SecretsFilter");
    return 0;
  }
  if (selection->all) {
    // Listed: the plain '*' (no items), or a pattern or an exclusion among the items.
    bool listed_item = selection->items.empty();
    for (const auto& item : selection->items) {
      listed_item = listed_item || item.kind != fkv::agent::FilterItem::Kind::name;
    }
    FKV_FUZZ_CHECK(listed_item);
    return 0;
  }
  FKV_FUZZ_CHECK(!selection->names.empty());
  std::string joined;
  for (std::size_t i = 0; i < selection->names.size(); ++i) {
    const auto& ref = selection->names[i];
    FKV_FUZZ_CHECK(fkv::agent::is_secret_name(ref.name));
    FKV_FUZZ_CHECK(ref.version.empty() || fkv::agent::is_secret_version(ref.version));
    for (std::size_t k = 0; k < i; ++k) {
      FKV_FUZZ_CHECK(fkv::ascii_lower(selection->names[k].text()) != fkv::ascii_lower(ref.text()));
    }
    joined += (i == 0 ? "" : ", ") + ref.text();
  }
  const auto again = fkv::agent::parse_secrets_filter(joined);
  FKV_FUZZ_CHECK(again && !again->all && again->names == selection->names);
  return 0;
}
