#include "core/numbers.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace fkv {

std::optional<std::uint64_t> parse_digits(std::string_view text, DigitRule rule) {
  if (text.empty() || text.size() > rule.max_digits || text.size() > 19) return std::nullopt;
  if (text.front() < '0' || text.front() > '9') return std::nullopt;  // from_chars would not take '+', but be explicit
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (value < rule.min || value > rule.max) return std::nullopt;
  return value;
}

std::int64_t saturating_int64(double value) {
  if (std::isnan(value)) return 0;
  // 2^63 is exactly representable as a double; every double below it converts without overflow.
  constexpr double limit = 9223372036854775808.0;
  if (value >= limit) return std::numeric_limits<std::int64_t>::max();
  if (value < -limit) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(value);
}

}  // namespace fkv
