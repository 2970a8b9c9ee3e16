#include "agent/outcome.hpp"

#include <doctest/doctest.h>

#include "agent_log.hpp"

using namespace fkv::agent;
using fkv::Error;
using fkv::Stage;

TEST_CASE("describe lists status, code and correlation") {
  Error e;
  e.stage = Stage::vault_get;
  e.http_status = 403;
  e.service_code = "ForbiddenByRbac";
  e.message = "Denied.";
  e.hint = "Fix it.";
  e.correlation = {{"x-ms-request-id", "r-1"}};
  CHECK(describe(e) == "Denied. Fix it. (vault-get, HTTP 403, ForbiddenByRbac, x-ms-request-id: r-1)");
  Error plain;
  plain.message = "Only this.";
  CHECK(describe(plain) == "Only this. (config)");
}

TEST_CASE("success") {
  auto c = conclude("kv", std::nullopt, {}, 3);
  CHECK(c.exit_code == 0);
  CHECK(c.result == TaskResult::Succeeded);
  CHECK(c.lines == std::vector<std::string>{"##vso[task.complete result=Succeeded]3 secrets from vault 'kv' set as "
                                            "secret variables."});
}

TEST_CASE("fatal error: one error issue, then Failed") {
  Error e;
  e.message = "Key vault 'kv' not found: the host name kv.vault.azure.net does not exist.";
  e.hint = "Check.";
  auto c = conclude("kv", e, {}, 0);
  CHECK(c.exit_code == 1);
  auto log = fkv::test::parse_agent_log(c.lines[0] + "\n" + c.lines[1] + "\n");
  CHECK(log.errors == std::vector<std::string>{e.message + " Check. (config)"});
  CHECK(log.result == "Failed");
  CHECK(log.result_message == e.message);
}

TEST_CASE("per-secret failures: one error line each, summary names them") {
  Error a, b;
  a.subject = "a";
  a.message = "A failed.";
  b.subject = "b/v1";
  b.message = "B failed.";
  auto c = conclude("kv", std::nullopt, {a, b}, 3);
  CHECK(c.exit_code == 1);
  CHECK(c.result == TaskResult::Failed);
  CHECK(c.lines == std::vector<std::string>{
                       "##vso[task.logissue type=error]A failed. (config)",
                       "##vso[task.logissue type=error]B failed. (config)",
                       "##vso[task.complete result=Failed]2 of 5 secrets from vault 'kv' could not be set: a, b/v1.",
                   });
}
