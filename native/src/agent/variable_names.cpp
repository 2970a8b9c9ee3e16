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

}  // namespace fkv::agent
