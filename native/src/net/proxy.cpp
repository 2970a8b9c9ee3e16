#include "net/proxy.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>

#include "core/text.hpp"

namespace fkv::net {
namespace {

constexpr std::string_view kAgentCredentials = "AGENT_PROXYUSERNAME and SECRET_AGENT_PROXYPASSWORD";

std::optional<std::string> non_empty(const ProxyEnv& env, std::string_view name) {
  auto value = env(name);
  if (!value) return std::nullopt;
  std::string trimmed(trim(*value));
  if (trimmed.empty()) return std::nullopt;
  return trimmed;
}

// The first of `names` that is set (non-empty), with its name.
std::optional<std::pair<std::string, std::string>> first_set(const ProxyEnv& env,
                                                             std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    if (auto value = non_empty(env, name)) return std::pair{std::string(name), std::move(*value)};
  }
  return std::nullopt;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

bool is_ipv4_literal(std::string_view host) {
  int parts = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = host.find('.', start);
    const std::string_view part = host.substr(start,
                                              dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || part.size() > 3 ||
        !std::all_of(part.begin(), part.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

bool valid_host_name(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
}

bool valid_ipv6(std::string_view host) {
  return !host.empty() && host.find(':') != std::string_view::npos && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
  });
}

// The URL as it may be shown: everything up to its last '@' after the scheme (the user information,
// whatever characters it holds — an unencoded '/', '?' or '#' in a password included) replaced by "***".
// The scheme is RFC 3986's (a letter, then letters, digits, '+', '-', '.') and ':' followed by any slashes, so "http:/user:pw@host" is covered too; without a
// scheme the user information starts at the first character. What follows the last '@' is, by the URL's
// own grammar, the host part: it is shown so the error can name the host.
std::string redacted(std::string_view text) {
  std::size_t start = 0;
  std::size_t i = 0;
  if (!text.empty() && std::isalpha(static_cast<unsigned char>(text[0]))) {
    while (i < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '+' || text[i] == '-' || text[i] == '.')) {
      ++i;
    }
  }
  if (i > 0 && i < text.size() && text[i] == ':') {
    start = i + 1;
    while (start < text.size() && (text[start] == '/' || text[start] == '\\')) ++start;
  }
  const std::size_t at = text.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(text);
  return std::string(text.substr(0, start)) + "***" + std::string(text.substr(at));
}

bool is_agent_source(std::string_view variable) { return variable == "AGENT_PROXYURL"; }

Error bad_proxy_url(const std::string& variable, std::string_view value, const std::string& reason) {
  std::string hint;
  if (is_agent_source(variable)) {
    hint = "Set AGENT_PROXYURL (the agent's --proxyurl) to http://host:port, for example "
           "http://proxy.example.com:8080, and the credentials in AGENT_PROXYUSERNAME and SECRET_AGENT_PROXYPASSWORD.";
  } else {
    hint = "Set " + variable +
           " to http://host:port or http://user:password@host:port (percent-encode special "
           "characters), for example http://proxy.example.com:8080.";
  }
  return config_error(variable, variable + " is not a valid proxy URL (" + reason + "): '" + redacted(value) + "'.",
                      hint);
}

Expected<Proxy> parse_proxy_url(const std::string& variable, std::string_view text) {
  std::string_view rest = text;
  const std::size_t scheme_end = text.find("://");
  if (scheme_end != std::string_view::npos) {
    const std::string scheme = ascii_lower(text.substr(0, scheme_end));
    if (scheme != "http") {
      return bad_proxy_url(variable, text, "the scheme must be http://, not " + scheme + "://");
    }
    rest = text.substr(scheme_end + 3);
  }
  const std::size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  if (authority_end != std::string_view::npos && rest.substr(authority_end) != "/") {
    return bad_proxy_url(variable, text, "a path, query or fragment is not allowed");
  }

  Proxy proxy;
  proxy.source = variable;
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, colon));
    auto password = colon == std::string_view::npos ? std::optional<std::string>("")
                                                    : percent_decode(userinfo.substr(colon + 1));
    if (!user || !password) return bad_proxy_url(variable, text, "bad percent-encoding in the user name or password");
    proxy.username = std::move(*user);
    proxy.password = std::move(*password);
    proxy.credentials_source = "the user name and password in " + variable;
  }

  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad_proxy_url(variable, text, "unclosed '[' in the host");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_proxy_url(variable, text, "unexpected text after the host");
      port = after.substr(1);
      has_port = true;
    }
    if (!valid_ipv6(host)) return bad_proxy_url(variable, text, "the host is not a valid IPv6 address");
  } else {
    const std::size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) return bad_proxy_url(variable, text, "no host");
    if (!valid_host_name(host))
      return bad_proxy_url(variable, text, "the host contains characters that are not allowed");
  }
  if (host.empty()) return bad_proxy_url(variable, text, "no host");
  proxy.host = ascii_lower(host);
  if (has_port) {
    auto number = parse_port(port);
    if (!number) return bad_proxy_url(variable, text, "the port must be a number from 1 to 65535");
    proxy.port = *number;
  }
  return proxy;
}

std::vector<NoProxyEntry> parse_no_proxy(const std::string& variable, std::string_view text,
                                         std::vector<std::string>& warnings) {
  std::vector<NoProxyEntry> entries;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t end = text.find_first_of(", \t\r\n", i);
    const std::string token = ascii_lower(text.substr(i, end == std::string_view::npos ? std::string_view::npos
                                                                                       : end - i));
    i = end == std::string_view::npos ? text.size() : end + 1;
    if (token.empty()) continue;
    NoProxyEntry entry;
    std::string_view host = token;
    std::string_view port;
    bool has_port = false;
    if (host.front() == '[') {
      const std::size_t close = host.find(']');
      if (close == std::string_view::npos) {
        warnings.push_back(variable + " entry '" + token + "' is not understood and is ignored.");
        continue;
      }
      const std::string_view after = host.substr(close + 1);
      host = host.substr(1, close - 1);
      if (!after.empty()) {
        if (after.front() != ':') {
          warnings.push_back(variable + " entry '" + token + "' is not understood and is ignored.");
          continue;
        }
        port = after.substr(1);
        has_port = true;
      }
      entry.ip_literal = true;
    } else if (std::count(host.begin(), host.end(), ':') > 1) {
      entry.ip_literal = true;  // a bare IPv6 address
    } else if (const std::size_t colon = host.find(':'); colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
      has_port = true;
    }
    if (has_port) {
      auto number = parse_port(port);
      if (!number) {
        warnings.push_back(variable + " entry '" + token + "' has an invalid port and is ignored.");
        continue;
      }
      entry.port = number;
    }
    while (!host.empty() && host.front() == '.') host.remove_prefix(1);
    while (!host.empty() && host.back() == '.') host.remove_suffix(1);
    if (host.empty()) continue;
    if (is_ipv4_literal(host)) entry.ip_literal = true;
    entry.host = std::string(host);
    entries.push_back(std::move(entry));
  }
  return entries;
}

// Bypass patterns are matched by libstdc++'s polynomial executor (a breadth-first NFA simulation: time
// linear in the URL for a given pattern, no backtracking), in one pass over the URL; the checks below
// bound what is left: the pattern's size, its compiler's recursion and its counted repetitions.
#ifdef __GLIBCXX__
constexpr auto kLinearTime = std::regex_constants::__polynomial;
#else
#error "AGENT_PROXYBYPASSLIST needs a linear-time std::regex executor (libstdc++'s __polynomial)"
#endif
constexpr std::size_t kMaxBypassPatternLength = 512;
constexpr std::size_t kMaxBypassNesting = 16;
constexpr std::size_t kMaxBypassCount = 100;
constexpr std::size_t kMaxBypassExpansion = 2000;
constexpr auto kBypassFlags = std::regex::ECMAScript | std::regex::icase | kLinearTime;

// A bypass pattern shortened for a warning (the gate removes control characters when it is printed).
std::string shown_pattern(std::string_view pattern) {
  constexpr std::size_t kShown = 80;
  return pattern.size() <= kShown ? std::string(pattern) : std::string(pattern.substr(0, kShown)) + "...";
}

}  // namespace

std::optional<std::string> unusable_bypass_pattern(std::string_view pattern) {
  if (pattern.size() > kMaxBypassPatternLength) {
    return "it is longer than " + std::to_string(kMaxBypassPatternLength) + " characters";
  }
  // The compiler copies what a {count} repeats: `size` estimates the automaton it builds (one per atom, a
  // group the sum of its parts, times each count), saturating above the limit.
  struct Frame {
    std::size_t size = 0;  // of the group so far
    std::size_t last = 0;  // of its last atom (what a quantifier repeats)
  };
  const auto add = [](std::size_t a, std::size_t b) { return std::min(a + b, kMaxBypassExpansion + 1); };
  std::vector<Frame> frames{Frame{}};
  const auto atom = [&](std::size_t size) {
    frames.back().last = size;
    frames.back().size = add(frames.back().size, size);
  };
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size() && pattern[i + 1] >= '1' && pattern[i + 1] <= '9') {
        return "it uses a backreference (\\" + std::string(1, pattern[i + 1]) + ")";
      }
      ++i;
      atom(1);
    } else if (c == '[') {  // a class: literal up to its unescaped ']' (a ']' right after '[' or '[^' too)
      std::size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '^') ++j;
      if (j < pattern.size() && pattern[j] == ']') ++j;
      while (j < pattern.size() && pattern[j] != ']') j += pattern[j] == '\\' ? 2 : 1;
      i = j;
      atom(1);
    } else if (c == '(') {
      if (frames.size() > kMaxBypassNesting) {
        return "its groups are nested more than " + std::to_string(kMaxBypassNesting) + " deep";
      }
      frames.push_back(Frame{});
    } else if (c == ')') {
      if (frames.size() == 1) continue;  // unbalanced: std::regex rejects it
      const std::size_t size = std::max<std::size_t>(frames.back().size, 1);
      frames.pop_back();
      atom(size);
    } else if (c == '|') {
      frames.back().last = 0;
    } else if (c == '{') {
      std::size_t value = 0, largest = 0;
      std::size_t j = i + 1;
      for (; j < pattern.size() && (std::isdigit(static_cast<unsigned char>(pattern[j])) || pattern[j] == ','); ++j) {
        value = pattern[j] == ',' ? 0 : std::min<std::size_t>(value * 10 + (pattern[j] - '0'), kMaxBypassCount + 1);
        if (value > kMaxBypassCount) return "it counts a repetition above " + std::to_string(kMaxBypassCount);
        largest = std::max(largest, value);
      }
      if (j > i + 1 && pattern[j - 1] == ',') ++largest;  // {n,}: n copies and a loop
      Frame& f = frames.back();
      const std::size_t repeated = std::min(f.last * std::max<std::size_t>(largest, 1), kMaxBypassExpansion + 1);
      f.size = add(f.size, repeated - std::min(repeated, f.last));
      f.last = repeated;
      if (f.size > kMaxBypassExpansion) {
        return "its counted repetitions make it too large (more than " + std::to_string(kMaxBypassExpansion) +
               " parts)";
      }
    } else if (c != '*' && c != '+' && c != '?' && c != '^' && c != '$') {
      atom(1);
    }
  }
  return std::nullopt;
}

namespace {

Expected<std::vector<BypassPattern>> parse_bypass_list(std::string_view text, std::vector<std::string>& warnings) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsArray()) {
    return config_error(
        "AGENT_PROXYBYPASSLIST", "AGENT_PROXYBYPASSLIST is not a JSON array of strings.",
        "The agent writes this list from its .proxybypass file: check that file (one regular "
        "expression per line), or set AGENT_PROXYBYPASSLIST to e.g. [\"\\\\.internal\\\\.example\\\\.com\"].");
  }
  std::vector<BypassPattern> patterns;
  for (const auto& item : doc.GetArray()) {
    if (!item.IsString()) {
      warnings.push_back("AGENT_PROXYBYPASSLIST holds an entry that is not a string; it is ignored.");
      continue;
    }
    std::string pattern(item.GetString(), item.GetStringLength());
    if (trim(pattern).empty()) continue;  // task-lib skips empty entries (they would match everything)
    if (auto problem = unusable_bypass_pattern(pattern)) {
      warnings.push_back("AGENT_PROXYBYPASSLIST entry '" + shown_pattern(pattern) + "' is ignored: " + *problem +
                         ". Write it as a simpler expression, e.g. \\.internal\\.example\\.com$.");
      continue;
    }
    try {
      // The entry alone must be valid (so that no ')' in it can close the group below); then it is found
      // anywhere in the URL in one pass: a lazy any-prefix, then the entry, matched from the URL's start.
      static_cast<void>(std::regex(pattern, kBypassFlags));
      patterns.push_back(BypassPattern{pattern, std::regex("[\\s\\S]*?(?:" + pattern + ")", kBypassFlags)});
    } catch (const std::regex_error&) {
      warnings.push_back("AGENT_PROXYBYPASSLIST entry '" + shown_pattern(pattern) +
                         "' is not a valid regular expression and is ignored.");
    }
  }
  return patterns;
}

// A password written percent-encoded inside the URL is registered as written, too.
void add_raw_password(std::string_view url, const std::string& password, std::vector<std::string>& secrets) {
  const std::size_t scheme = url.find("://");
  const std::size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const std::size_t end = std::min(url.find_first_of("/?#", start), url.size());
  const std::size_t at = url.substr(0, end).rfind('@');
  if (password.empty() || at == std::string_view::npos || at < start) return;
  const std::size_t colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return;
  const std::string raw(url.substr(colon + 1, at - colon - 1));
  if (!raw.empty() && raw != password) secrets.push_back(raw);
}

bool no_proxy_matches(const NoProxyEntry& entry, const Url& url) {
  if (entry.port && *entry.port != url.port) return false;
  if (entry.host == "*") return true;
  // An IP address (entry or URL host) matches exactly only: no suffix matching on addresses (as curl).
  if (entry.ip_literal || is_ipv4_literal(url.host)) return url.host == entry.host;
  return url.host == entry.host || host_within(url.host, entry.host);
}

}  // namespace

std::string Proxy::display() const {
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Proxy::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<std::string> Proxy::authorization() const {
  if (username.empty()) return std::nullopt;
  return "Basic " + base64_encode(username + ":" + password);
}

Expected<ProxySettings> read_proxy_settings(const ProxyEnv& env) {
  ProxySettings settings;
  if (auto agent_url = non_empty(env, "AGENT_PROXYURL")) {
    auto proxy = parse_proxy_url("AGENT_PROXYURL", *agent_url);
    if (!proxy) return proxy.error();
    if (!proxy->password.empty()) settings.secrets.push_back(proxy->password);  // from the URL
    add_raw_password(*agent_url, proxy->password, settings.secrets);
    if (auto user = non_empty(env, "AGENT_PROXYUSERNAME")) {
      if (user->find(':') != std::string::npos) {
        return config_error("AGENT_PROXYUSERNAME",
                            "AGENT_PROXYUSERNAME contains ':', which Basic proxy authentication cannot carry.",
                            "Configure the agent's proxy user name (--proxyusername) without ':'.");
      }
      proxy->username = std::move(*user);
      auto password = env("SECRET_AGENT_PROXYPASSWORD");
      if (!password || password->empty()) password = env("AGENT_PROXYPASSWORD");
      proxy->password = password.value_or("");
      proxy->credentials_source = std::string(kAgentCredentials);
    } else if (proxy->username.empty()) {
      proxy->credentials_source = std::string(kAgentCredentials);
    }
    if (!proxy->password.empty() &&
        std::find(settings.secrets.begin(), settings.secrets.end(), proxy->password) == settings.secrets.end()) {
      settings.secrets.push_back(proxy->password);
    }
    if (auto list = non_empty(env, "AGENT_PROXYBYPASSLIST")) {
      auto patterns = parse_bypass_list(*list, settings.warnings);
      if (!patterns) return patterns.error();
      settings.bypass = std::move(*patterns);
    }
    settings.proxy = std::move(*proxy);
  } else if (auto machine = first_set(env, {"https_proxy", "HTTPS_PROXY"})) {
    auto proxy = parse_proxy_url(machine->first, machine->second);
    if (!proxy) return proxy.error();
    if (proxy->credentials_source.empty())
      proxy->credentials_source = "the user name and password in " + machine->first;
    if (!proxy->password.empty()) settings.secrets.push_back(proxy->password);
    add_raw_password(machine->second, proxy->password, settings.secrets);
    settings.proxy = std::move(*proxy);
  }
  if (auto no_proxy = first_set(env, {"no_proxy", "NO_PROXY"})) {
    settings.no_proxy_source = no_proxy->first;
    settings.no_proxy = parse_no_proxy(no_proxy->first, no_proxy->second, settings.warnings);
  }
  return settings;
}

std::optional<std::string> bypass_reason(const ProxySettings& settings, const Url& url) {
  if (!settings.proxy) return std::nullopt;
  const std::string full = url.str();
  for (const auto& pattern : settings.bypass) {
    if (std::regex_search(full, pattern.regex, std::regex_constants::match_continuous))
      return "AGENT_PROXYBYPASSLIST entry '" + pattern.text + "'";
  }
  for (const auto& entry : settings.no_proxy) {
    if (no_proxy_matches(entry, url)) {
      std::string shown = entry.host == "*"
                              ? "*"
                              : (entry.host.find(':') != std::string::npos ? "[" + entry.host + "]" : entry.host);
      if (entry.port) shown += ":" + std::to_string(*entry.port);
      return settings.no_proxy_source + " entry '" + shown + "'";
    }
  }
  return std::nullopt;
}

std::optional<Proxy> proxy_for(const ProxySettings& settings, const Url& url) {
  if (!settings.proxy || bypass_reason(settings, url)) return std::nullopt;
  return settings.proxy;
}

std::optional<std::string> describe(const ProxySettings& settings, const std::vector<Url>& urls) {
  if (!settings.proxy) return std::nullopt;
  std::vector<std::string> seen;
  std::vector<std::string> via;
  std::vector<std::string> direct;
  for (const auto& url : urls) {
    const std::string name = url.authority();
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    seen.push_back(name);
    if (auto reason = bypass_reason(settings, url)) {
      direct.push_back(name + " (" + *reason + ")");
    } else {
      via.push_back(name);
    }
  }
  auto join = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
  };
  const Proxy& proxy = *settings.proxy;
  std::string line = "Using the proxy " + proxy.display() + " (" + proxy.source +
                     (proxy.username.empty() ? "" : ", with credentials") + ") for " +
                     (via.empty() ? std::string("none of the task's hosts") : join(via));
  if (!direct.empty()) line += "; direct to " + join(direct);
  return line + ".";
}

}  // namespace fkv::net
