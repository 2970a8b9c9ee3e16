// Pipeline variable names: which ones the task may set. Pure.
//
// - is_read_only_variable: a name the agent treats as read-only (PATH, or starting with system., agent.,
//   build., release., pipeline. or the same prefixes with '_' — the form those names take after the agent's
//   '.'->'_' transform); case-insensitive. With Key Vault's name charset [0-9A-Za-z-] only PATH can occur
//   as a secret name; renames and VariablePrefix can produce the others, so they are checked too.
// - is_variable_name: what a rename ("=> VARIABLE") may be: 1-255 characters of 0-9, a-z, A-Z, '.', '_'
//   and '-'. The agent itself only requires a non-empty name, but these are the names that work as
//   $(name) macros, as ${{ }} expressions and (with '.' -> '_') as environment variables.
#pragma once

#include <string_view>

namespace fkv::agent {

bool is_read_only_variable(std::string_view name);
bool is_variable_name(std::string_view name);

}  // namespace fkv::agent
