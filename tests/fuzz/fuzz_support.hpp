// Shared helpers of the fuzz targets: a failed property aborts (libFuzzer reports it as a crash and
// keeps the input), and a few ways to read structure out of the fuzzer's bytes.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/error.hpp"

// Checked in every build type (assert() is gone under NDEBUG).
#define FKV_FUZZ_CHECK(condition)                                                              \
  do {                                                                                         \
    if (!(condition)) {                                                                        \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                            \
    }                                                                                          \
  } while (0)

namespace fkv::fuzz {

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Every text field of an Error, joined: for "this must never appear in an Error" properties.
inline std::string error_text(const Error& error) {
  std::string all = error.service_code + "\n" + error.message + "\n" + error.hint + "\n" + error.subject;
  for (const auto& [name, value] : error.correlation) all += "\n" + name + "=" + value;
  return all;
}

}  // namespace fkv::fuzz
