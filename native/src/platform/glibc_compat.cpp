// glibc baseline shim for the portable Linux binary (linked into the executable only).
//
// libstdc++.a's random.o (pulled in by std::string instantiations, never by our code) calls
// arc4random, which exists only since glibc 2.36. Defining it here keeps the binary's highest
// required symbol version at GLIBC_2.34, so it runs on Ubuntu 22.04 agents. getrandom is 2.25.
// Deliberately includes no <stdlib.h>: its C++ declaration of arc4random would clash.
#include <cstdint>

#include <sys/random.h>

extern "C" std::uint32_t arc4random(void) {
  std::uint32_t value = 0;
  while (getrandom(&value, sizeof value, 0) != static_cast<ssize_t>(sizeof value)) {
  }
  return value;
}
