// Shared helpers of the fuzz targets: a failed property aborts (libFuzzer reports it as a crash and
// keeps the input), and a few ways to read structure out of the fuzzer's bytes.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/error.hpp"

// Checked in every build type (assert() is gone under NDEBUG).
#define FKV_FUZZ_CHECK(condition)                                                                \
  do {                                                                                           \
    if (!(condition)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)

namespace fkv::fuzz {

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A set of environment variables from the fuzzer's bytes: one "NAME=VALUE" per line, a later line wins,
// lines without '=' are ignored.
inline std::map<std::string, std::string, std::less<>> variables_from(std::string_view text) {
  std::map<std::string, std::string, std::less<>> variables;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    const auto eq = line.find('=');
    if (eq != std::string_view::npos) variables[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return variables;
}

// Every text field of an Error, joined: for "this must never appear in an Error" properties.
inline std::string error_text(const Error& error) {
  std::string all = error.service_code + "\n" + error.message + "\n" + error.hint + "\n" + error.subject;
  for (const auto& [name, value] : error.correlation) all += "\n" + name + "=" + value;
  return all;
}

}  // namespace fkv::fuzz
