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

#include <optional>
#include <string>
#include <string_view>

namespace fkv::agent {

bool is_read_only_variable(std::string_view name);
bool is_variable_name(std::string_view name);

// VariableNameStyle (issue 19): how a variable name taken from a secret's name is written (the whole name,
// 'name/version' and JSON-field forms included; never an explicit rename, never VariablePrefix).
// - secret: as it is (AzureKeyVault@2);
// - env:    upper case, every character but a letter or digit becomes '_' (db-password -> DB_PASSWORD);
// - dotnet: '--' becomes '.' (ConnectionStrings--Default -> ConnectionStrings.Default), nothing else.
enum class NameStyle { secret, env, dotnet };
std::string styled_name(std::string_view name, NameStyle style);
// The one secret name that `styled` (a styled plain secret name, case-insensitively) can come from, in lower
// case; nullopt when no secret name gives it.
std::optional<std::string> unstyled_secret_name(std::string_view styled, NameStyle style);
// An environment-variable-safe name for a pipeline variable (the run summary's env: block): the env style,
// with '_' in front of a leading digit.
std::string environment_name(std::string_view variable);

}  // namespace fkv::agent
