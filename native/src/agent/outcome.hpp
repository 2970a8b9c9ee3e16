// The task's result and the user-facing text of Errors. Pure.
//
// - describe(e): "<message> <hint> (<stage>, HTTP <status>, <service code>, <name>: <value>, ...)"; the
//   parenthesis lists the stage and then only what is known. Errors hold no secrets (core/error.hpp), so this is safe to print.
// - conclude(): no failure -> `##vso[task.complete result=Succeeded]<summary>`, exit 0.
//   A fatal error (config, auth, list, vault not found) -> one error issue + complete Failed with its
//   message, exit 1. Per-secret failures (the good secrets were already set) -> one error issue per failed
//   secret, then complete Failed with a summary naming them, exit 1.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/commands.hpp"
#include "core/error.hpp"

namespace fkv::agent {

std::string describe(const Error& error);
std::string error_line(const Error& error);  // ##vso[task.logissue type=error]<describe(error)>

struct Conclusion {
  std::vector<std::string> lines;
  TaskResult result = TaskResult::Succeeded;
  int exit_code = 0;
};

// `secrets_set`: secrets emitted as variables; `secret_failures`: one Error per secret not set.
Conclusion conclude(const std::string& vault_name, const std::optional<Error>& fatal,
                    const std::vector<Error>& secret_failures, std::size_t secrets_set);

}  // namespace fkv::agent
