#include "core/random.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

TEST_CASE("random_hex: 2n lower-case hex digits, different each time") {
  for (std::size_t bytes : {std::size_t{0}, std::size_t{1}, std::size_t{8}, std::size_t{16}}) {
    CAPTURE(bytes);
    const std::string hex = fkv::random_hex(bytes);
    CHECK(hex.size() == 2 * bytes);
    CHECK(hex.find_first_not_of("0123456789abcdef") == std::string::npos);
  }
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) seen.insert(fkv::random_hex(8));
  CHECK(seen.size() == 50);  // 64 random bits: a repeat would be a broken source
  std::set<char> digits;
  for (int i = 0; i < 50; ++i) {
    for (char c : fkv::random_hex(16)) digits.insert(c);
  }
  CHECK(digits.size() == 16);  // 1600 digits use every hex digit
}
