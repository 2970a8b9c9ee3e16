// UTC instants as text: the one formatter of the task ("2026-11-26T07:00:00Z"). Pure and portable (no
// gmtime_r/gmtime_s): the <chrono> calendar types.
#pragma once

#include <cstdint>
#include <string>

namespace fkv {

// "YYYY-MM-DDThh:mm:ssZ" for seconds since 1970-01-01T00:00:00Z, clamped to years 0001-9999.
std::string utc_time(std::int64_t unix_seconds);

// Seconds since 1970-01-01T00:00:00Z of a proleptic Gregorian date and time of day (UTC), e.g. the fields
// of a struct tm. Out-of-range fields are not normalised: the caller passes what a parser validated.
std::int64_t unix_seconds(int year, unsigned month, unsigned day, int hour, int minute, int second);

}  // namespace fkv
