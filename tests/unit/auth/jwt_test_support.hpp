// Builds unsigned test JWTs: base64url(header).base64url(payload).signature
#pragma once

#include <string>
#include <string_view>

namespace fkv::test {

inline std::string base64url(std::string_view data) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 63]);
  return out;
}

inline std::string make_jwt(std::string_view payload_json, std::string_view signature = "c2lnbmF0dXJl") {
  return base64url(R"({"alg":"RS256","kid":"k1","typ":"JWT"})") + "." + base64url(payload_json) + "." +
         std::string(signature);
}

}  // namespace fkv::test
