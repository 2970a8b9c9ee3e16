#include "vault/secret_ref.hpp"

#include <algorithm>

namespace fkv::vault {
namespace {

bool alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

bool is_secret_name(std::string_view name) {
  return !name.empty() && name.size() <= 127 &&
         std::all_of(name.begin(), name.end(), [](char c) { return alnum(c) || c == '-'; });
}

bool is_secret_version(std::string_view version) {
  return !version.empty() && version.size() <= 64 && std::all_of(version.begin(), version.end(), alnum);
}

}  // namespace fkv::vault
