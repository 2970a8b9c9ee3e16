#include "core/utc_time.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace fkv {

// The instant is first clamped to 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z: four-digit years, and day
// counts far inside a 32-bit days::rep (`long` on Windows), so no calendar conversion can overflow.
std::string utc_time(std::int64_t unix_seconds) {
  using namespace std::chrono;
  constexpr std::int64_t kFirst = -62'135'596'800;  // 0001-01-01T00:00:00Z
  constexpr std::int64_t kLast = 253'402'300'799;   // 9999-12-31T23:59:59Z
  const sys_seconds instant{seconds{std::clamp(unix_seconds, kFirst, kLast)}};
  const sys_days day = floor<days>(instant);
  const year_month_day date{day};
  const hh_mm_ss<seconds> time{instant - day};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buffer;
}

std::int64_t unix_seconds(int year, unsigned month, unsigned day, int hour, int minute, int second) {
  using namespace std::chrono;
  const sys_days date{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
  return std::int64_t{date.time_since_epoch().count()} * 86400 + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 +
         second;
}

}  // namespace fkv
