#include "vault/challenge.hpp"

#include <cctype>

#include "net/url.hpp"
#include "core/text.hpp"

namespace fkv::vault {
namespace {}  // namespace

std::string Challenge::token_scope() const {
  if (!scope.empty()) return scope;
  if (resource.empty()) return {};
  std::string r = resource;
  while (!r.empty() && r.back() == '/') r.pop_back();
  return r + "/.default";
}

std::optional<Challenge> parse_challenge(std::string_view header) {
  header = trim(header);
  const auto space = header.find(' ');
  if (space == std::string_view::npos || ascii_lower(header.substr(0, space)) != "bearer") return std::nullopt;
  std::string_view rest = header.substr(space + 1);

  Challenge c;
  std::size_t pos = 0;
  while (pos < rest.size()) {
    const auto eq = rest.find('=', pos);
    if (eq == std::string_view::npos) break;
    std::string key = ascii_lower(trim(rest.substr(pos, eq - pos)));
    std::size_t i = eq + 1;
    while (i < rest.size() && std::isspace(static_cast<unsigned char>(rest[i]))) ++i;
    std::string value;
    if (i < rest.size() && rest[i] == '"') {
      const auto close = rest.find('"', i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      value = std::string(rest.substr(i + 1, close - i - 1));
      i = close + 1;
      const auto comma = rest.find(',', i);
      pos = comma == std::string_view::npos ? rest.size() : comma + 1;
    } else {
      const auto comma = rest.find(',', i);
      value = std::string(trim(rest.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i)));
      pos = comma == std::string_view::npos ? rest.size() : comma + 1;
    }
    if (key == "authorization" || key == "authorization_uri") c.authorization = value;
    else if (key == "resource") c.resource = value;
    else if (key == "scope") c.scope = value;
  }
  if (c.resource.empty() && c.scope.empty() && c.authorization.empty()) return std::nullopt;
  return c;
}

bool challenge_scope_allowed(std::string_view token_scope, std::string_view vault_host) {
  auto url = net::parse_https_url(token_scope);
  if (!url || url->port != 443 || url->target != "/.default" || url->host.empty()) return false;
  const std::string host = ascii_lower(vault_host);
  const std::string suffix = "." + url->host;  // parse_https_url lower-cases the host
  return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace fkv::vault
