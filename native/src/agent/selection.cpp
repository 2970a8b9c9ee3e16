#include "agent/selection.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "agent/variable_names.hpp"
#include "core/text.hpp"

namespace fkv::agent {
namespace {

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

Error filter_error(std::string message) {
  return config_error("SecretsFilter", std::move(message),
                      "Use '*' for all secrets, or a list of items separated by commas or new lines: secret names "
                      "(optionally /<version>), patterns with '*' and '?', exclusions '!<name or pattern>', and "
                      "'<name> => <variable>', '<name> => file:<relative path>' and '<name> => json' targets.");
}

std::vector<std::string_view> split_items(std::string_view filter) {
  std::vector<std::string_view> items;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= filter.size(); ++i) {
    if (i == filter.size() || filter[i] == ',' || filter[i] == '\n' || filter[i] == '\r') {
      std::string_view item = trim(filter.substr(start, i - start));
      if (!item.empty()) items.push_back(item);
      start = i + 1;
    }
  }
  return items;
}

bool path_segment_char(char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; }

// "=> file:PATH" -> the relative path, or an Error naming the item.
Expected<std::string> file_target(const std::string& shown, std::string_view path) {
  if (path.empty()) {
    return filter_error("SecretsFilter: '" + shown +
                        "' has no file path after 'file:'; write e.g. "
                        "'file:certs/tls.pfx'.");
  }
  const bool drive = path.size() >= 2 && std::isalpha(static_cast<unsigned char>(path[0])) && path[1] == ':';
  if (path.front() == '/' || path.front() == '\\' || path.front() == '~' || drive) {
    return filter_error("SecretsFilter: '" + shown +
                        "' has an absolute file path; write a path relative to "
                        "$(Agent.TempDirectory), e.g. 'file:certs/tls.pfx'.");
  }
  std::size_t start = 0;
  bool dotdot = false, bad = false;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/' && path[i] != '\\') continue;
    std::string_view segment = path.substr(start, i - start);
    if (segment == "..") dotdot = true;
    if (segment.empty() || segment == "." || !std::all_of(segment.begin(), segment.end(), path_segment_char)) {
      bad = true;
    }
    if (i < path.size() && path[i] == '\\') bad = true;
    start = i + 1;
  }
  if (dotdot) {
    return filter_error("SecretsFilter: '" + shown +
                        "' has '..' in its file path; the file must stay under "
                        "$(Agent.TempDirectory), e.g. 'file:certs/tls.pfx'.");
  }
  if (bad || path.size() > 1024) {
    return filter_error("SecretsFilter: '" + shown +
                        "' has an invalid file path: use folder and file names of "
                        "0-9, a-z, A-Z, '.', '_' and '-' separated by '/', e.g. 'file:certs/tls.pfx'.");
  }
  return std::string(path);
}

// Issue 19: an item with selectors ('tag:', 'type:') and/or '&'. Its own functions, beside the others.
bool has_selectors(std::string_view body) {
  return body.find('&') != std::string_view::npos || body.substr(0, 4) == "tag:" || body.substr(0, 5) == "type:";
}

Error selector_error(const std::string& shown, const std::string& problem) {
  return filter_error("SecretsFilter: '" + shown + "' " + problem);
}

// `body` (after '!' for an exclusion) as a name pattern and selectors joined by '&'.
Expected<FilterItem> selector_item(const std::string& shown, std::string_view body, bool has_target, bool exclude) {
  FilterItem parsed;
  parsed.text = shown;
  parsed.kind = exclude ? FilterItem::Kind::exclude : FilterItem::Kind::glob;
  if (has_target) {
    return selector_error(shown, "selects by tag or content type and has a target; '=> <variable>' and '=> file:' "
                                 "can follow only a secret name (use VariablePrefix or VariableNameStyle for the "
                                 "variables it sets).");
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i <= body.size(); ++i) {
    if (i < body.size() && body[i] != '&') continue;
    const std::string_view part = trim(body.substr(start, i - start));
    start = i + 1;
    const std::string p(part);
    if (part.empty()) {
      return selector_error(shown, "has an empty part around '&'; write e.g. 'app-* & tag:env=prod'.");
    }
    if (part.substr(0, 4) == "tag:") {
      vault::Selector tag;
      const std::string_view rest = part.substr(4);
      const auto eq = rest.find('=');
      const std::string_view name = trim(rest.substr(0, eq));
      if (name.empty()) return selector_error(shown, "has no tag name in '" + p + "'; write e.g. 'tag:env=prod'.");
      if (name.find_first_of("*?") != std::string_view::npos) {
        return selector_error(shown, "has a wildcard in the tag name of '" + p +
                                         "'; tag names take no '*' or '?' (only values do), e.g. 'tag:env=prod*'.");
      }
      const bool printable = std::all_of(name.begin(), name.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u != 0x7f && c != '<' && c != '>' && c != '%' && c != '\\' && c != '/';
      });
      if (!printable || name.size() > 512) {
        return selector_error(shown, "has an invalid tag name in '" + p +
                                         "': Key Vault tag names are up to 512 characters without '<', '>', '%', "
                                         "'\\', '/' or control characters.");
      }
      tag.name = std::string(name);
      if (eq != std::string_view::npos) {
        tag.has_value = true;
        tag.value = std::string(trim(rest.substr(eq + 1)));
      }
      parsed.selectors.push_back(std::move(tag));
    } else if (part.substr(0, 5) == "type:") {
      vault::Selector type;
      type.kind = vault::Selector::Kind::type;
      type.name = std::string(trim(part.substr(5)));
      if (type.name.empty()) {
        return selector_error(shown, "has no content type after 'type:'; write e.g. 'type:application/x-pkcs12' or "
                                     "'type:text/*'.");
      }
      parsed.selectors.push_back(std::move(type));
    } else {
      if (!parsed.ref.name.empty()) {
        return selector_error(shown, "has two names or patterns; join one name or pattern with 'tag:' and 'type:' "
                                     "selectors, e.g. 'app-* & tag:env=prod'.");
      }
      if (part.find('/') != std::string_view::npos) {
        return selector_error(shown, "gives a version in '" + p +
                                         "'; items with 'tag:', 'type:' or '&' select "
                                         "among the latest versions listed, so write the name alone.");
      }
      if (!is_secret_name(part) && !is_secret_glob(part)) {
        return selector_error(shown, "has '" + p +
                                         "', which is neither a secret name or pattern nor a 'tag:' or "
                                         "'type:' selector.");
      }
      parsed.ref.name = p;
    }
  }
  if (parsed.ref.name.empty()) parsed.ref.name = "*";
  return parsed;
}

// "=> json" (issue 18): the secret's JSON fields become variables. A variable can no longer be called 'json'.
bool json_target(std::string_view target) { return target == "json"; }

}  // namespace

bool is_secret_glob(std::string_view glob) {
  return !glob.empty() && glob.size() <= 127 && glob.find_first_of("*?") != std::string_view::npos &&
         std::all_of(glob.begin(), glob.end(), [](char c) { return alnum(c) || c == '-' || c == '*' || c == '?'; });
}

bool wildcard_match(std::string_view pattern, std::string_view text, bool fold_case, bool question) {
  // Iterative matching with one backtrack point (the last '*'): O(|pattern| * |text|) at worst.
  auto same = [&](char p, char t) { return fold_case ? lower_char(p) == lower_char(t) : p == t; };
  std::size_t g = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < text.size()) {
    if (g < pattern.size() && pattern[g] == '*') {
      star = g++;
      resume = n;
    } else if (g < pattern.size() && ((question && pattern[g] == '?') || same(pattern[g], text[n]))) {
      ++g;
      ++n;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (g < pattern.size() && pattern[g] == '*') ++g;
  return g == pattern.size();
}

bool glob_match(std::string_view glob, std::string_view name) { return wildcard_match(glob, name, true, true); }

bool matches(std::string_view glob, const std::vector<vault::Selector>& selectors, const vault::ListedSecret& item) {
  if (!glob_match(glob, item.name)) return false;
  for (const auto& selector : selectors) {
    if (selector.kind == vault::Selector::Kind::type) {
      if (item.content_type.empty() || !wildcard_match(selector.name, item.content_type, true, false)) return false;
      continue;
    }
    const bool found = std::any_of(item.tags.begin(), item.tags.end(), [&](const auto& tag) {
      return iequals(tag.first, selector.name) &&
             (!selector.has_value || wildcard_match(selector.value, tag.second, false, true));
    });
    if (!found) return false;
  }
  return true;
}

Expected<Selection> parse_secrets_filter(std::string_view filter) {
  const std::vector<std::string_view> items = split_items(filter);
  Selection selection;
  if (items.empty() || (items.size() == 1 && items[0] == "*")) return selection;

  bool any_include = false, any_glob = false;  // a selector item counts as a glob (it lists)
  std::vector<std::string> seen;
  for (std::string_view item : items) {
    const std::string shown(item);
    FilterItem parsed;
    parsed.text = shown;
    std::string_view body = item;
    std::string_view target;
    bool has_target = false;
    if (const auto arrow = item.find("=>"); arrow != std::string_view::npos) {
      body = trim(item.substr(0, arrow));
      target = trim(item.substr(arrow + 2));
      has_target = true;
    }
    if (!body.empty() && body.front() == '!' && has_selectors(trim(body.substr(1)))) {
      auto selected = selector_item(shown, trim(body.substr(1)), has_target, true);
      if (!selected) return selected.error();
      selection.items.push_back(std::move(*selected));
      continue;
    }
    if (has_selectors(body)) {
      auto selected = selector_item(shown, body, has_target, false);
      if (!selected) return selected.error();
      any_include = any_glob = true;
      selection.items.push_back(std::move(*selected));
      continue;
    }
    if (!body.empty() && body.front() == '!') {
      parsed.kind = FilterItem::Kind::exclude;
      body = trim(body.substr(1));
      if (has_target) {
        return filter_error("SecretsFilter: '" + shown +
                            "' is an exclusion with a target; an exclusion only "
                            "leaves secrets out, so write '!" +
                            std::string(body) + "'.");
      }
      if (body.empty()) {
        return filter_error("SecretsFilter: '" + shown + "' excludes nothing; write '!<name>' or '!<pattern>'.");
      }
      if (!is_secret_name(body) && !is_secret_glob(body)) {
        return filter_error("SecretsFilter: '" + shown +
                            "' does not exclude a secret name or pattern: names are "
                            "1-127 characters of 0-9, a-z, A-Z and '-', and patterns may also hold '*' and '?'.");
      }
      parsed.ref.name = std::string(body);
      selection.items.push_back(std::move(parsed));
      continue;
    }
    any_include = true;
    const auto slash = body.find('/');
    std::string_view name = body.substr(0, slash);
    std::string_view version = slash == std::string_view::npos ? std::string_view() : body.substr(slash + 1);
    if (is_secret_glob(name)) {
      parsed.kind = FilterItem::Kind::glob;
      any_glob = true;
      if (slash != std::string_view::npos) {
        return filter_error("SecretsFilter: '" + shown +
                            "' gives a version to a pattern; a version can follow "
                            "only a secret name, e.g. 'db-password/<version>'.");
      }
      if (has_target && target.substr(0, 5) == "file:") {
        return filter_error("SecretsFilter: '" + shown +
                            "' writes a pattern to a file; '=> file:' can follow only a "
                            "secret name: add one item per secret, e.g. 'tls-cert => file:certs/tls.pfx'.");
      }
      if (has_target) {
        return filter_error("SecretsFilter: '" + shown +
                            "' renames a pattern; '=> <variable>' can follow only a "
                            "secret name (use VariablePrefix to prefix the variables a pattern sets).");
      }
      parsed.ref.name = std::string(name);
      selection.items.push_back(std::move(parsed));
      continue;
    }
    if (!is_secret_name(name)) {
      return filter_error("SecretsFilter: '" + shown +
                          "' is not a secret name: names are 1-127 characters of "
                          "0-9, a-z, A-Z and '-' (patterns may also hold '*' and '?').");
    }
    if (slash != std::string_view::npos && !is_secret_version(version)) {
      return filter_error("SecretsFilter: '" + shown +
                          "' has an invalid version: a version is 1-64 letters and "
                          "digits (Key Vault uses 32 hexadecimal characters).");
    }
    parsed.ref = SecretRef{std::string(name), std::string(version)};
    if (has_target) {
      if (target.empty()) {
        return filter_error("SecretsFilter: '" + shown +
                            "' has nothing after '=>'; write '=> <variable>' or "
                            "'=> file:<relative path>'.");
      }
      if (json_target(target)) {
        parsed.json = true;
      } else if (target.substr(0, 5) == "file:") {
        auto path = file_target(shown, target.substr(5));
        if (!path) return path.error();
        parsed.file = std::move(*path);
      } else if (!is_variable_name(target)) {
        return filter_error("SecretsFilter: '" + shown + "' renames to '" + std::string(target) +
                            "', which is not a variable name: use 1-255 characters of 0-9, a-z, A-Z, '.', '_' "
                            "and '-'.");
      } else if (is_read_only_variable(target)) {
        return filter_error("SecretsFilter: '" + shown + "' renames to '" + std::string(target) +
                            "', which the agent reserves (PATH and names starting with system., agent., build., "
                            "release. or pipeline. are read-only); choose another name.");
      } else {
        parsed.variable = std::string(target);
      }
    }
    const std::string key = ascii_lower(parsed.ref.text());
    if (std::find(seen.begin(), seen.end(), key) == seen.end()) {
      seen.push_back(key);
      selection.names.push_back(parsed.ref);
    }
    selection.items.push_back(std::move(parsed));
  }
  selection.all = any_glob || !any_include;
  return selection;
}

}  // namespace fkv::agent
