#include "net/url.hpp"

#include <boost/url/parse.hpp>

#include <cctype>

#include "core/numbers.hpp"
#include "core/text.hpp"

namespace fkv::net {
namespace {

bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.back() == '.') return false;
  char prev = '.';
  for (char c : host) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    if (!ok) return false;
    if (c == '.' && prev == '.') return false;
    prev = c;
  }
  return true;
}

}  // namespace

std::string Url::authority() const { return port == 443 ? host : host + ":" + std::to_string(port); }

std::string Url::str() const { return "https://" + authority() + target; }

std::optional<Url> parse_https_url(std::string_view text) {
  constexpr std::string_view scheme = "https://";
  if (text.size() <= scheme.size() || ascii_lower(text.substr(0, scheme.size())) != scheme) return std::nullopt;
  text.remove_prefix(scheme.size());
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#') return std::nullopt;
  }
  const auto slash = text.find_first_of("/?");
  std::string_view authority = text.substr(0, slash);
  std::string target = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  if (target.front() == '?') target.insert(target.begin(), '/');
  if (authority.find('@') != std::string_view::npos) return std::nullopt;

  Url url;
  const auto colon = authority.find(':');
  std::string_view host = authority.substr(0, colon);
  if (colon != std::string_view::npos) {
    const auto port = parse_port(authority.substr(colon + 1));
    if (!port) return std::nullopt;
    url.port = *port;
  }
  if (!valid_host(host)) return std::nullopt;
  url.host = ascii_lower(host);
  url.target = std::move(target);
  return url;
}

bool host_within(std::string_view host, std::string_view domain) {
  const std::string h = ascii_lower(host);
  const std::string d = ascii_lower(domain);
  if (d.empty()) return false;
  if (h == d) return true;
  return h.size() > d.size() && h.compare(h.size() - d.size(), d.size(), d) == 0 && h[h.size() - d.size() - 1] == '.';
}

std::string url_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::optional<std::string> query_parameter(std::string_view target, std::string_view name) {
  const auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  for (const auto& param : parsed->params()) {
    if (param.key == name) return param.has_value ? param.value : std::string();
  }
  return std::nullopt;
}

std::optional<std::string> without_query_parameter(std::string_view target, std::string_view name) {
  const auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  std::string out(parsed->encoded_path());
  char separator = '?';
  for (const auto& param : parsed->encoded_params()) {
    if (param.key.empty() && !param.has_value) continue;
    if (iequals(param.key.decode(), name)) continue;
    out += separator;
    out += param.key;
    if (param.has_value) {
      out += '=';
      out += param.value;
    }
    separator = '&';
  }
  return out;
}

std::optional<unsigned short> parse_port(std::string_view text) {
  auto value = parse_digits(text, {5, 1, 65535});
  if (!value) return std::nullopt;
  return static_cast<unsigned short>(*value);
}

}  // namespace fkv::net
