#include "core/utc_time.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

TEST_CASE("utc_time: ISO 8601 UTC, clamped to years 0001-9999") {
  struct Row {
    std::int64_t seconds;
    const char* text;
  };
  const Row rows[] = {
      {0, "1970-01-01T00:00:00Z"},
      {1'800'000'000, "2027-01-15T08:00:00Z"},
      {951'782'400, "2000-02-29T00:00:00Z"},  // leap day of a century leap year
      {4'102'444'799, "2099-12-31T23:59:59Z"},
      {-1, "1969-12-31T23:59:59Z"},
      {253'402'300'799, "9999-12-31T23:59:59Z"},
      {-62'135'596'800, "0001-01-01T00:00:00Z"},
      // Outside years 1-9999: clamped (and no overflow, even where days::rep is a 32-bit long).
      {std::numeric_limits<std::int64_t>::max(), "9999-12-31T23:59:59Z"},
      {std::numeric_limits<std::int64_t>::min(), "0001-01-01T00:00:00Z"},
      {1'000'000'000'000'000, "9999-12-31T23:59:59Z"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.seconds);
    CHECK(fkv::utc_time(row.seconds) == row.text);
  }
}

TEST_CASE("unix_seconds: calendar fields to seconds, the inverse of utc_time") {
  struct Row {
    int year;
    unsigned month, day;
    int hour, minute, second;
    std::int64_t seconds;
  };
  const Row rows[] = {
      {1970, 1, 1, 0, 0, 0, 0},       {2027, 1, 15, 8, 0, 0, 1'800'000'000},   {2000, 2, 29, 0, 0, 0, 951'782'400},
      {1969, 12, 31, 23, 59, 59, -1}, {2050, 12, 31, 12, 0, 0, 2'556'100'800},
  };
  for (const auto& row : rows) {
    CAPTURE(row.seconds);
    const auto seconds = fkv::unix_seconds(row.year, row.month, row.day, row.hour, row.minute, row.second);
    CHECK(seconds == row.seconds);
    CHECK(fkv::unix_seconds(row.year, row.month, row.day, row.hour, row.minute, row.second + 1) == row.seconds + 1);
  }
  CHECK(fkv::utc_time(fkv::unix_seconds(2031, 7, 4, 13, 5, 9)) == "2031-07-04T13:05:09Z");
}
