#include "core/numbers.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <optional>

TEST_CASE("saturating_int64: in range truncates, beyond int64 saturates") {
  using fkv::saturating_int64;
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  struct Row {
    double in;
    std::int64_t out;
  };
  for (const Row row :
       {Row{0.0, 0}, Row{1.9, 1}, Row{-1.9, -1}, Row{1.7e9, 1'700'000'000}, Row{9.2e18, 9'200'000'000'000'000'000},
        Row{9223372036854775808.0, max}, Row{1e300, max}, Row{1.8446744073709552e19, max},
        Row{-9223372036854775808.0, min}, Row{-1e30, min}, Row{std::numeric_limits<double>::infinity(), max},
        Row{-std::numeric_limits<double>::infinity(), min}, Row{std::nan(""), 0}}) {
    CAPTURE(row.in);
    CHECK(saturating_int64(row.in) == row.out);
  }
}

TEST_CASE("parse_digits: digits only, a maximum length, a range") {
  using fkv::DigitRule;
  using fkv::parse_digits;
  struct Row {
    const char* text;
    DigitRule rule;
    std::optional<std::uint64_t> value;
  };
  const Row rows[] = {
      {"0", {5}, 0},
      {"443", {5, 1, 65535}, 443},
      {"65535", {5, 1, 65535}, 65535},
      {"65536", {5, 1, 65535}, std::nullopt},
      {"0", {5, 1, 65535}, std::nullopt},
      {"00080", {5, 1, 65535}, 80},  // leading zeros count toward the length only
      {"000080", {5, 1, 65535}, std::nullopt},
      {"", {5}, std::nullopt},
      {" 1", {5}, std::nullopt},  // white space is the caller's to trim
      {"1 ", {5}, std::nullopt},
      {"+1", {5}, std::nullopt},
      {"-1", {5}, std::nullopt},
      {"1.5", {5}, std::nullopt},
      {"0x10", {5}, std::nullopt},
      {"999999999999", {12}, 999'999'999'999},
      {"1000000000000", {12}, std::nullopt},
      {"9999999999999999999", {19}, 9'999'999'999'999'999'999u},
      {"18446744073709551615", {20}, std::nullopt},  // never more than 19 digits
      {"86400", {5, 1, 86400}, 86400},
      {"86401", {5, 1, 86400}, std::nullopt},
      {"\xd9\xa1", {5}, std::nullopt},  // ARABIC-INDIC DIGIT ONE is not a digit here
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    CHECK(parse_digits(row.text, row.rule) == row.value);
  }
}
