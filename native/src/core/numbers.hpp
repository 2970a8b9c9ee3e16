// Numbers from untrusted JSON, made safe. Pure.
//
// A JSON number that does not fit an int64 (1e300, 18446744073709551615, -1e30) must not reach a
// static_cast (undefined behaviour). Such values saturate: times far in the future stay far in the
// future, times far in the past stay in the past, so `exp <= now` and `nbf > now` keep their meaning.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace fkv {

// How a decimal number must be written to be accepted by parse_digits.
struct DigitRule {
  std::size_t max_digits;  // 1..19 (any uint64 of that many digits fits)
  std::uint64_t min = 0;
  std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
};

// The one integer parser for text from outside (headers, environment, JSON strings), over
// std::from_chars: digits only (no sign, no '+', no white space: callers trim what they tolerate),
// 1..rule.max_digits of them (leading zeros count), and a value within [rule.min, rule.max].
// nullopt otherwise.
std::optional<std::uint64_t> parse_digits(std::string_view text, DigitRule rule);

// Truncates toward zero and saturates to [INT64_MIN, INT64_MAX]. NaN (impossible in JSON) gives 0.
std::int64_t saturating_int64(double value);

}  // namespace fkv
