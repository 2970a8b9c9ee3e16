#include "core/numbers.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <limits>

TEST_CASE("saturating_int64: in range truncates, beyond int64 saturates") {
  using fkv::saturating_int64;
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  struct Row { double in; std::int64_t out; };
  for (const Row row : {Row{0.0, 0}, Row{1.9, 1}, Row{-1.9, -1}, Row{1.7e9, 1'700'000'000},
                        Row{9.2e18, 9'200'000'000'000'000'000}, Row{9223372036854775808.0, max}, Row{1e300, max},
                        Row{1.8446744073709552e19, max}, Row{-9223372036854775808.0, min}, Row{-1e30, min},
                        Row{std::numeric_limits<double>::infinity(), max},
                        Row{-std::numeric_limits<double>::infinity(), min}, Row{std::nan(""), 0}}) {
    CAPTURE(row.in);
    CHECK(saturating_int64(row.in) == row.out);
  }
}
