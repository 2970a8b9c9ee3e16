#include "core/random.hpp"

#include <random>

namespace fkv {

std::string random_hex(std::size_t bytes) {
  std::random_device device;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (std::size_t i = 0; i < bytes; ++i) {
    const unsigned v = device() & 0xffu;
    out += kHex[v >> 4];
    out += kHex[v & 0xfu];
  }
  return out;
}

}  // namespace fkv
