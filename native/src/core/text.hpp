// Small ASCII text helpers shared by the core (pure, locale-independent).
#pragma once

#include <string>
#include <string_view>

namespace fkv {

// Lower-cases ASCII letters; other bytes (UTF-8 included) are kept as they are.
std::string ascii_lower(std::string_view text);

// True when both are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);

// Drops leading and trailing ASCII white space (space, \t, \n, \v, \f, \r).
std::string_view trim(std::string_view text);

}  // namespace fkv
