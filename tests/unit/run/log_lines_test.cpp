// The log writer's plain lines for issue 19: the access wait (once per run) and, with System.Debug, the env:
// block as debug lines.
#include <doctest/doctest.h>

#include "run/log_writer.hpp"

using namespace fkv::run;

TEST_CASE("access_waiting_line: the vault, the 403's code and the wait, word for word") {
  CHECK(access_waiting_line(AccessWaiting{"kv1", "ForbiddenByRbac", std::chrono::seconds{60}}) ==
        "Access to vault 'kv1' was denied (HTTP 403 ForbiddenByRbac): waiting up to 60 s (AccessWaitSeconds) for a "
        "recent role assignment to apply.");
  CHECK(access_waiting_line(AccessWaiting{"kv1", "AccessDenied", std::chrono::seconds{5}}) ==
        "Access to vault 'kv1' was denied (HTTP 403 AccessDenied): waiting up to 5 s (AccessWaitSeconds) for a "
        "recent access policy change to apply.");
}

TEST_CASE("env_block_debug_lines: one task.debug line per line of the block, nothing for an empty block") {
  CHECK(env_block_debug_lines("").empty());
  const auto lines = env_block_debug_lines("env:\n  DB_PASSWORD: $(db-password)\n  KV_X: $(kv.x)\n");
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] ==
        "##vso[task.debug]Environment for scripts: secret variables are not in a script's environment, so paste this "
        "into the step that needs them:");
  CHECK(lines[1] == "##vso[task.debug]env:");
  CHECK(lines[2] == "##vso[task.debug]  DB_PASSWORD: $(db-password)");
  CHECK(lines[3] == "##vso[task.debug]  KV_X: $(kv.x)");
}
