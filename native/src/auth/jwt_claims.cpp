#include "auth/jwt_claims.hpp"

#include "core/numbers.hpp"

#include <rapidjson/document.h>

namespace fkv::auth {
namespace {

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::optional<std::int64_t> integer_claim(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return std::nullopt;
  if (it->value.IsInt64()) return it->value.GetInt64();
  if (it->value.IsNumber()) return saturating_int64(it->value.GetDouble());  // beyond int64: saturate, never UB
  return std::nullopt;
}

std::string string_claim(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = base64url_value(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

std::optional<JwtClaims> decode_jwt_claims(std::string_view jwt) {
  const auto first_dot = jwt.find('.');
  if (first_dot == std::string_view::npos) return std::nullopt;
  const auto second_dot = jwt.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || jwt.find('.', second_dot + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const auto payload = base64url_decode(jwt.substr(first_dot + 1, second_dot - first_dot - 1));
  if (!payload) return std::nullopt;
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(payload->data(), payload->size());
  if (document.HasParseError() || !document.IsObject()) return std::nullopt;

  JwtClaims claims;
  claims.iss = string_claim(document, "iss");
  claims.sub = string_claim(document, "sub");
  const rapidjson::Value& root = document;  // const iterators: unambiguous comparisons in C++20
  if (auto aud = root.FindMember("aud"); aud != root.MemberEnd()) {
    if (aud->value.IsString()) {
      claims.aud.emplace_back(aud->value.GetString(), aud->value.GetStringLength());
    } else if (aud->value.IsArray()) {
      for (const auto& item : aud->value.GetArray()) {
        if (item.IsString()) claims.aud.emplace_back(item.GetString(), item.GetStringLength());
      }
    }
  }
  claims.exp = integer_claim(document, "exp");
  claims.iat = integer_claim(document, "iat");
  claims.nbf = integer_claim(document, "nbf");
  return claims;
}

}  // namespace fkv::auth
