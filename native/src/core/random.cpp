#include "core/random.hpp"

#include <cstdint>
#include <random>

namespace fkv {

std::string random_hex(std::size_t bytes) {
  // One std::random_device draw seeds each thread's generator: a std::random_device per call (it reads the
  // kernel's source, or rdrand, for every 4 bytes) cost ~60 us per id, 0.3 s of CPU for the request ids of
  // 5000 secrets. These are names that must not repeat, not keys: a seeded generator is enough.
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < bytes; ++i) {
    if (i % 8 == 0) bits = generator();
    const unsigned v = static_cast<unsigned>(bits & 0xffu);
    bits >>= 8;
    out += kHex[v >> 4];
    out += kHex[v & 0xfu];
  }
  return out;
}

}  // namespace fkv
