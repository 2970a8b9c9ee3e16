#include "agent/variable_names.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "core/text.hpp"

namespace fkv::agent {

bool is_read_only_variable(std::string_view name) {
  const std::string n = ascii_lower(name);
  if (n == "path") return true;
  for (std::string_view prefix : {"system", "agent", "build", "release", "pipeline"}) {
    if (n.size() > prefix.size() && n.compare(0, prefix.size(), prefix) == 0 &&
        (n[prefix.size()] == '.' || n[prefix.size()] == '_')) {
      return true;
    }
  }
  return false;
}

bool is_variable_name(std::string_view name) {
  return !name.empty() && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
  });
}

std::string styled_name(std::string_view name, NameStyle style) {
  std::string out;
  out.reserve(name.size());
  switch (style) {
    case NameStyle::secret: return std::string(name);
    case NameStyle::env:
      for (char c : name)
        out += std::isalnum(static_cast<unsigned char>(c)) != 0
                   ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                   : '_';
      return out;
    case NameStyle::dotnet:
      for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '-' && i + 1 < name.size() && name[i + 1] == '-') {
          out += '.';
          ++i;
        } else {
          out += name[i];
        }
      }
      return out;
  }
  return std::string(name);
}

std::optional<std::string> unstyled_secret_name(std::string_view styled, NameStyle style) {
  std::string name;
  for (char c : ascii_lower(styled)) {
    if (style == NameStyle::env && c == '_') {
      name += '-';
    } else if (style == NameStyle::dotnet && c == '.') {
      name += "--";
    } else {
      name += c;
    }
  }
  const bool valid = !name.empty() && name.size() <= 127 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
  });
  if (!valid || styled_name(name, style) != (style == NameStyle::env ? ascii_upper(styled) : ascii_lower(styled))) {
    return std::nullopt;
  }
  return name;
}

std::string environment_name(std::string_view variable) {
  std::string out = styled_name(variable, NameStyle::env);
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out.front())) != 0) out.insert(out.begin(), '_');
  return out;
}

}  // namespace fkv::agent
