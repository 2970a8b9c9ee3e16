// Random names: the one source of random hex of the task (the summary file's name, diagnose's probe
// secret, the client assertion's jti, the request ids). Not for keys: a 64-bit Mersenne Twister per thread,
// seeded once from std::random_device (getrandom or /dev/urandom on Linux, RtlGenRandom on Windows).
#pragma once

#include <cstddef>
#include <string>

namespace fkv {

// 2 * `bytes` lower-case hex digits of `bytes` random bytes.
std::string random_hex(std::size_t bytes);

}  // namespace fkv
