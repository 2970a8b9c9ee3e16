#include "auth/jwt_claims.hpp"

#include "core/base64.hpp"
#include "core/numbers.hpp"

#include <rapidjson/document.h>

namespace fkv::auth {
namespace {

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
