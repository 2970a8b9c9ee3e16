#include "agent/selection.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace fkv::agent {
namespace {

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

Error filter_error(std::string message) {
  return config_error("SecretsFilter", std::move(message),
                      "Use '*' alone for all secrets, or a comma-separated list of secret names, each optionally "
                      "followed by /<version>.");
}

}  // namespace

bool is_secret_name(std::string_view name) {
  return !name.empty() && name.size() <= 127 &&
         std::all_of(name.begin(), name.end(), [](char c) { return alnum(c) || c == '-'; });
}

bool is_secret_version(std::string_view version) {
  return !version.empty() && version.size() <= 64 && std::all_of(version.begin(), version.end(), alnum);
}

Expected<Selection> parse_secrets_filter(std::string_view filter) {
  std::vector<std::string_view> items;
  std::size_t pos = 0;
  while (true) {
    const auto comma = filter.find(',', pos);
    std::string_view item = trim(filter.substr(pos, comma == std::string_view::npos ? std::string_view::npos
                                                                                   : comma - pos));
    if (!item.empty()) items.push_back(item);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }

  Selection selection;
  if (items.empty() || (items.size() == 1 && items[0] == "*")) return selection;

  selection.all = false;
  std::vector<std::string> seen;
  for (std::string_view item : items) {
    const std::string shown(item);
    if (item == "*") {
      return filter_error("SecretsFilter: '*' selects all secrets and must be the only item; it cannot be combined "
                          "with secret names.");
    }
    const auto slash = item.find('/');
    std::string_view name = item.substr(0, slash);
    std::string_view version = slash == std::string_view::npos ? std::string_view() : item.substr(slash + 1);
    if (!is_secret_name(name)) {
      if (item.find_first_of("*?") != std::string_view::npos) {
        return filter_error("SecretsFilter: '" + shown + "' is not a secret name; use '*' for all secrets "
                            "(patterns are not supported).");
      }
      return filter_error("SecretsFilter: '" + shown + "' is not a secret name: names are 1-127 characters of "
                          "0-9, a-z, A-Z and '-'.");
    }
    if (slash != std::string_view::npos && !is_secret_version(version)) {
      return filter_error("SecretsFilter: '" + shown + "' has an invalid version: a version is 1-64 letters and "
                          "digits (Key Vault uses 32 hexadecimal characters).");
    }
    SecretRef ref{std::string(name), std::string(version)};
    const std::string key = ascii_lower(ref.text());
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    selection.names.push_back(std::move(ref));
  }
  return selection;
}

}  // namespace fkv::agent
