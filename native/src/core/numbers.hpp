// Numbers from untrusted JSON, made safe. Pure.
//
// A JSON number that does not fit an int64 (1e300, 18446744073709551615, -1e30) must not reach a
// static_cast (undefined behaviour). Such values saturate: times far in the future stay far in the
// future, times far in the past stay in the past, so `exp <= now` and `nbf > now` keep their meaning.
#pragma once

#include <cstdint>

namespace fkv {

// Truncates toward zero and saturates to [INT64_MIN, INT64_MAX]. NaN (impossible in JSON) gives 0.
std::int64_t saturating_int64(double value);

}  // namespace fkv
