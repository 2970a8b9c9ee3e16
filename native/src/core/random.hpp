// Random names. Not for keys: std::random_device, for names that must not repeat (the summary file,
// diagnose's probe secret).
#pragma once

#include <cstddef>
#include <string>

namespace fkv {

// `bytes` random bytes as lower-case hex (2 * bytes characters).
std::string random_hex(std::size_t bytes);

}  // namespace fkv
