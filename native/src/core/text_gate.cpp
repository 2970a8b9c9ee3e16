#include "core/text_gate.hpp"

namespace fkv {

std::size_t utf8_length(std::string_view s, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(at);
  std::size_t n = b0 < 0x80 ? 1 : (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || at + n > s.size()) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
  }
  if (n == 2 && b0 < 0xC2) return 0;                           // overlong
  if (n == 3 && b0 == 0xE0 && byte(at + 1) < 0xA0) return 0;   // overlong
  if (n == 3 && b0 == 0xED && byte(at + 1) >= 0xA0) return 0;  // surrogates
  if (n == 4 && (b0 > 0xF4 || (b0 == 0xF0 && byte(at + 1) < 0x90) || (b0 == 0xF4 && byte(at + 1) >= 0x90))) return 0;
  return n;
}

namespace {

// U+202A-U+202E (E2 80 AA-AE) and U+2066-U+2069 (E2 81 A6-A9).
bool bidi_control(std::string_view s, std::size_t at) {
  const auto b1 = static_cast<unsigned char>(s[at + 1]);
  const auto b2 = static_cast<unsigned char>(s[at + 2]);
  return static_cast<unsigned char>(s[at]) == 0xE2 &&
         ((b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9));
}

}  // namespace

std::string printable_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (n == 0) {
      out.push_back('?');
      ++i;
      continue;
    }
    if (n == 1) {
      out.push_back(b0 < 0x20 || b0 == 0x7f ? ' ' : text[i]);
    } else if (n == 2 && b0 == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      out.push_back(' ');  // C1 control (U+0080-U+009F), e.g. the 8-bit CSI
    } else if (n == 3 && bidi_control(text, i)) {
      out.push_back(' ');  // not removed: that could join the two halves of a secret (or a "##")
    } else {
      out.append(text, i, n);
    }
    i += n;
  }
  return out;
}

std::string gate_text(std::string_view text, const SecretIndex& held) { return printable_text(held.redact(text)); }

}  // namespace fkv
