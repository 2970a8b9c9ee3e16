// Service text sanitising (core/service_text.hpp: service_text, service_first_line). The first two
// bytes choose max_chars (0..65535), the rest is the text. Properties:
// - the output is printable (no control character), has no leading, trailing or doubled space, and
//   is at most max_chars bytes plus "...";
// - valid UTF-8 in gives valid UTF-8 out (the cut respects character boundaries);
// - sanitising (without a cut) is idempotent: what survives one pass holds nothing that looks
//   like a credential to a second one (a token cannot hide behind a control character);
// - service_first_line holds no text from after the first line break.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/service_text.hpp"
#include "fuzz_response.hpp"
#include "fuzz_support.hpp"

namespace {

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t max_chars = static_cast<std::size_t>(data[0]) << 8 | data[1];
  const auto text = fkv::fuzz::as_text(data + 2, size - 2);

  const std::string out = fkv::service_text(text, max_chars);
  FKV_FUZZ_CHECK(fkv::fuzz::printable(out));
  FKV_FUZZ_CHECK(out.empty() || (out.front() != ' ' && out.back() != ' '));
  FKV_FUZZ_CHECK(out.find("  ") == std::string::npos);
  FKV_FUZZ_CHECK(out.size() <= max_chars + 3);
  if (valid_utf8(text)) FKV_FUZZ_CHECK(valid_utf8(out));
  const std::string whole = fkv::service_text(text, std::size_t{1} << 30);
  FKV_FUZZ_CHECK(fkv::service_text(whole, std::size_t{1} << 30) == whole);

  const std::string first = fkv::service_first_line(text, max_chars);
  const auto line_end = text.find_first_of("\r\n");
  if (line_end != std::string_view::npos) {
    FKV_FUZZ_CHECK(first == fkv::service_text(text.substr(0, line_end), max_chars));
  }
  return 0;
}
