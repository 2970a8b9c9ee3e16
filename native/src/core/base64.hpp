// Standard base64 (RFC 4648 §4, '+' and '/') decoding. Pure.
// White space (as in wrapped base64) is skipped; padding is optional; any other character, or a length that
// leaves a lone 6-bit group, makes the text invalid (nullopt).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fkv {

std::optional<std::string> base64_decode(std::string_view text);

}  // namespace fkv
