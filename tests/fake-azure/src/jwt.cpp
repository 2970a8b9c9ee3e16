#include "jwt.hpp"

#include "util.hpp"

#include <rapidjson/document.h>

namespace fake {

std::string make_jwt(const Rs256Key& key, const std::string& payload_json) {
  std::string header = "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5t\":\"" + key.kid() + "\",\"kid\":\"" + key.kid() +
                       "\"}";
  std::string input = base64url_encode(header) + "." + base64url_encode(payload_json);
  return input + "." + base64url_encode(key.sign(input));
}

std::optional<ParsedJwt> parse_jwt(std::string_view token) {
  auto d1 = token.find('.');
  if (d1 == std::string_view::npos) return std::nullopt;
  auto d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) return std::nullopt;
  auto header = base64_decode(token.substr(0, d1));
  auto payload = base64_decode(token.substr(d1 + 1, d2 - d1 - 1));
  auto signature = base64_decode(token.substr(d2 + 1));
  if (!header || !payload || !signature) return std::nullopt;
  rapidjson::Document h, p;
  h.Parse(header->c_str(), header->size());
  p.Parse(payload->c_str(), payload->size());
  if (h.HasParseError() || !h.IsObject() || p.HasParseError() || !p.IsObject()) return std::nullopt;
  ParsedJwt out;
  auto get_str = [](const rapidjson::Value& o, const char* k) {
    auto it = o.FindMember(k);
    return it != o.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                       : std::string();
  };
  auto get_num = [](const rapidjson::Value& o, const char* k) -> std::optional<std::int64_t> {
    auto it = o.FindMember(k);
    if (it != o.MemberEnd() && it->value.IsInt64()) return it->value.GetInt64();
    if (it != o.MemberEnd() && it->value.IsNumber()) return std::int64_t(it->value.GetDouble());
    return std::nullopt;
  };
  out.alg = get_str(h, "alg");
  out.kid = get_str(h, "kid");
  out.x5t = get_str(h, "x5t");
  out.x5t_s256 = get_str(h, "x5t#S256");
  out.claims.iss = get_str(p, "iss");
  out.claims.sub = get_str(p, "sub");
  out.claims.jti = get_str(p, "jti");
  auto aud = p.FindMember("aud");
  if (aud != p.MemberEnd()) {
    if (aud->value.IsString()) out.claims.aud.emplace_back(aud->value.GetString());
    else if (aud->value.IsArray())
      for (const auto& a : aud->value.GetArray())
        if (a.IsString()) out.claims.aud.emplace_back(a.GetString());
  }
  out.claims.exp = get_num(p, "exp");
  out.claims.nbf = get_num(p, "nbf");
  out.claims.iat = get_num(p, "iat");
  out.signing_input = std::string(token.substr(0, d2));
  out.signature = *signature;
  return out;
}

}  // namespace fake
