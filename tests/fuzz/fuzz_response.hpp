// An HTTP response read out of the fuzzer's bytes in a readable form, so that seeds are real
// payloads written by hand:
//
//   <status>\n                  decimal, at most 3 digits (anything else: status 0)
//   <Name>: <value>\n           zero or more header lines
//   \n                          an empty line
//   <body>                      the rest, byte for byte
//
// Input without the empty line is all headers and no body.
#pragma once

#include <string>
#include <string_view>

#include "net/http.hpp"

namespace fkv::fuzz {

inline net::Response parse_response(std::string_view input) {
  net::Response response;
  auto next_line = [&input]() {
    const auto end = input.find('\n');
    const std::string_view line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    return line;
  };
  const std::string_view status = next_line();
  if (!status.empty() && status.size() <= 3 && status.find_first_not_of("0123456789") == std::string_view::npos) {
    for (char c : status) response.status = response.status * 10 + (c - '0');
  }
  while (!input.empty()) {
    const std::string_view line = next_line();
    if (line.empty()) break;
    const auto colon = line.find(':');
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    response.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  response.body = std::string(input);
  return response;
}

// True when no byte of `text` is a control character: what every text of an Error must satisfy.
inline bool printable(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

}  // namespace fkv::fuzz
