// Small ASCII text helpers shared by the core (pure, locale-independent).
#pragma once

#include <string>
#include <string_view>

namespace fkv {

// Lower-cases ASCII letters; other bytes (UTF-8 included) are kept as they are. The one ASCII case
// folding of the task: use these (or iequals), never std::tolower (locale-dependent) or a loop of its own.
std::string ascii_lower(std::string_view text);
char lower_char(char c);

// True when both are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);

// Drops leading and trailing ASCII white space (space, \t, \n, \v, \f, \r).
std::string_view trim(std::string_view text);

// Upper-cases ASCII letters; other bytes are kept as they are.
std::string ascii_upper(std::string_view text);

// True when `needle` occurs in `text`, ignoring ASCII case (an empty needle always occurs).
bool contains_ignore_case(std::string_view text, std::string_view needle);

// A Microsoft Entra tenant id as the task accepts it everywhere (the connection's tenantId, the
// authority path): a GUID or a domain, [A-Za-z0-9.-]{1,253} (a DNS name's length limit). Anything
// else could change the token URL's path.
bool is_tenant_id(std::string_view text);

}  // namespace fkv
