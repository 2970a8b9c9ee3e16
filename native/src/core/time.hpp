// Time as the task prints it. Pure.
#pragma once

#include <cstdint>
#include <string>

namespace fkv {

// 2026-11-26T07:00:00Z: UTC, ISO 8601, clamped to years 0001-9999.
std::string utc_time(std::int64_t unix_seconds);

}  // namespace fkv
