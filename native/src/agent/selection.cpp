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

// "=> json" (issue 18): the secret's JSON fields become variables. A variable can no longer be called 'json'.
bool json_target(std::string_view target) { return target == "json"; }

}  // namespace

bool is_secret_glob(std::string_view glob) {
  return !glob.empty() && glob.size() <= 127 && glob.find_first_of("*?") != std::string_view::npos &&
         std::all_of(glob.begin(), glob.end(), [](char c) { return alnum(c) || c == '-' || c == '*' || c == '?'; });
}

bool glob_match(std::string_view glob, std::string_view name) {
  // Iterative matching with one backtrack point (the last '*'): O(|glob| * |name|) at worst.
  std::size_t g = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = n;
    } else if (g < glob.size() && (glob[g] == '?' || lower_char(glob[g]) == lower_char(name[n]))) {
      ++g;
      ++n;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

Expected<Selection> parse_secrets_filter(std::string_view filter) {
  const std::vector<std::string_view> items = split_items(filter);
  Selection selection;
  if (items.empty() || (items.size() == 1 && items[0] == "*")) return selection;

  bool any_include = false, any_glob = false;
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
