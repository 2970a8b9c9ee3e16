#include "agent/outcome.hpp"

#include <doctest/doctest.h>

#include "agent_log.hpp"

using namespace fkv::agent;
using fkv::Error;
using fkv::Stage;

namespace {
Error error(Stage stage, std::string message) {
  Error e;
  e.stage = stage;
  e.message = std::move(message);
  return e;
}
template <typename F>
RunResult with(F&& fill) {
  RunResult r;
  fill(r);
  return r;
}
}  // namespace

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
  auto c = conclude("kv", with([](RunResult& r) { r.secrets_set = 3; }));
  CHECK(c.exit_code == 0);
  CHECK(c.result == TaskResult::Succeeded);
  CHECK(c.lines == std::vector<std::string>{"##vso[task.complete result=Succeeded]3 secrets from vault 'kv' set as "
                                            "secret variables."});
}

TEST_CASE("fatal error: one error issue, then Failed") {
  Error e;
  e.message = "Key vault 'kv' not found: the host name kv.vault.azure.net does not exist.";
  e.hint = "Check.";
  auto c = conclude("kv", with([&](RunResult& r) { r.fatal = e; }));
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
  auto c = conclude("kv", with([&](RunResult& r) {
                      r.secret_failures = {a, b};
                      r.secrets_set = 3;
                    }));
  CHECK(c.exit_code == 1);
  CHECK(c.result == TaskResult::Failed);
  CHECK(c.lines == std::vector<std::string>{
                       "##vso[task.logissue type=error]A failed. (config)",
                       "##vso[task.logissue type=error]B failed. (config)",
                       "##vso[task.complete result=Failed]2 of 5 secrets from vault 'kv' could not be set: a, b/v1.",
                   });
}

TEST_CASE("a list failure or a stop with nothing set and nothing else reads like a fatal error") {
  for (const auto& run : {with([](RunResult& r) { r.list_failure = error(Stage::vault_list, "Denied."); }),
                          with([](RunResult& r) { r.stopped = error(Stage::vault_list, "Denied."); })}) {
    auto c = conclude("kv", run);
    CHECK(c.exit_code == 1);
    CHECK(c.lines == std::vector<std::string>{"##vso[task.logissue type=error]Denied. (vault-list)",
                                              "##vso[task.complete result=Failed]Denied."});
  }
}

TEST_CASE("a list failure after earlier pages: the set secrets are counted, the failure named") {
  auto c = conclude("kv", with([](RunResult& r) {
                      r.list_failure = error(Stage::vault_list, "Page 3 was cut.");
                      r.secrets_set = 50;
                    }));
  CHECK(c.exit_code == 1);
  CHECK(c.lines == std::vector<std::string>{
                       "##vso[task.logissue type=error]Page 3 was cut. (vault-list)",
                       "##vso[task.complete result=Failed]50 secrets from vault 'kv' were set. The list of secrets is "
                       "incomplete, so secrets on later pages were not set: Page 3 was cut.",
                   });
}

TEST_CASE("a stopped run names every secret not fetched; the summary names at most 20") {
  Error denied = error(Stage::vault_get, "Denied.");
  denied.subject = "d";
  RunResult run;
  run.secret_failures = {denied};
  run.stopped = error(Stage::vault_get, "The run was cancelled (SIGTERM) before every selected secret was fetched.");
  for (int i = 0; i < 22; ++i) run.not_fetched.push_back("n" + std::to_string(i));
  run.secrets_set = 7;
  auto c = conclude("kv", run);
  CHECK(c.exit_code == 1);
  REQUIRE(c.lines.size() == 4);
  CHECK(c.lines[0] == "##vso[task.logissue type=error]Denied. (vault-get)");
  CHECK(c.lines[1] == "##vso[task.logissue type=error]The run was cancelled (SIGTERM) before every selected secret "
                      "was fetched. (vault-get)");
  std::string all;
  for (int i = 0; i < 22; ++i) all += (i ? ", n" : "n") + std::to_string(i);
  CHECK(c.lines[2] == "##vso[task.logissue type=error]Not fetched because the run stopped (22 secrets): " + all + ".");
  std::string first19;
  for (int i = 0; i < 19; ++i) first19 += ", n" + std::to_string(i);
  CHECK(c.lines[3] == "##vso[task.complete result=Failed]23 of 30 secrets from vault 'kv' could not be set: d" +
                          first19 +
                          " and 3 more. The run was cancelled (SIGTERM) before every selected secret was "
                          "fetched.");
  auto log = fkv::test::parse_agent_log(c.lines[0] + "\n" + c.lines[1] + "\n" + c.lines[2] + "\n" + c.lines[3] + "\n");
  CHECK(log.result == "Failed");
  CHECK(log.errors.size() == 3);
}

TEST_CASE("a conflict after listing: one error line, both secrets named as not set (issue 11)") {
  auto c = conclude("kv", with([](RunResult& r) {
                      r.secrets_set = 2;
                      Conflict conflict;
                      conflict.error = error(Stage::emit,
                                             "Secrets 'legacy' and 'app-url' would both set the variable 'app-url'.");
                      conflict.secrets = {"legacy", "app-url"};
                      r.conflicts.push_back(conflict);
                    }));
  CHECK(c.exit_code == 1);
  CHECK(c.lines == std::vector<std::string>{
                       "##vso[task.logissue type=error]Secrets 'legacy' and 'app-url' would both set the variable "
                       "'app-url'. (emit)",
                       "##vso[task.complete result=Failed]2 of 4 secrets from vault 'kv' could not be set: legacy, "
                       "app-url."});
}

TEST_CASE("MissingSecrets=warn: skipped names are in the success message, the step succeeds (issue 11)") {
  auto c = conclude("kv", with([](RunResult& r) {
                      r.secrets_set = 1;
                      r.missing = {"gone", "gone-too"};
                    }));
  CHECK(c.exit_code == 0);
  CHECK(c.lines == std::vector<std::string>{"##vso[task.complete result=Succeeded]1 secrets from vault 'kv' set as "
                                            "secret variables. Not found and skipped (MissingSecrets is 'warn'): "
                                            "gone, gone-too."});
}

TEST_CASE("an identity that can list but not read: one error with the fix, one line naming every secret (issue 19)") {
  auto rbac = [](std::string name) {
    Error e;
    e.stage = Stage::vault_get;
    e.http_status = 403;
    e.service_code = "ForbiddenByRbac";
    e.subject = std::move(name);
    e.message = "Access to secret '" + e.subject + "' in vault 'kv' was denied by Azure RBAC.";
    return e;
  };
  auto result = with([&](RunResult& r) {
    r.listed = true;
    r.identity = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    for (int i = 0; i < 100; ++i) r.secret_failures.push_back(rbac("s" + std::to_string(i)));
  });
  CHECK(lists_but_cannot_read(result));
  auto c = conclude("kv", result);
  CHECK(c.exit_code == 1);
  CHECK(c.result == TaskResult::Failed);
  REQUIRE(c.lines.size() == 3);
  const std::string message =
      "The service connection's identity can list the secrets of vault 'kv' but not read their values (Azure RBAC "
      "refused every secret with 403 ForbiddenByRbac): that is what the Key Vault Reader role grants.";
  CHECK(c.lines[0] ==
        "##vso[task.logissue type=error]" + message +
            " Assign the Key Vault Secrets User role on the vault: az role assignment create --role \"Key Vault "
            "Secrets User\" --assignee aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee --scope $(az keyvault show --name kv "
            "--query id --output tsv). Role assignments can take a few minutes to apply. (vault-get, HTTP 403, "
            "ForbiddenByRbac)");
  CHECK(c.lines[1].rfind("Not set (100 secrets): s0, s1, s2, ", 0) == 0);
  CHECK(c.lines[1].find("s99.") != std::string::npos);
  CHECK(c.lines[2] == "##vso[task.complete result=Failed]" + message);
  CHECK(list_but_not_read("kv", "").hint.find("--assignee <the identity's client id>") != std::string::npos);

  // Not this answer: one secret set, another failure, no listing, or a failed listing.
  for (int variant = 0; variant < 4; ++variant) {
    RunResult r = result;
    if (variant == 0) r.secrets_set = 1;
    if (variant == 1) r.secret_failures.push_back(error(Stage::vault_get, "other"));
    if (variant == 2) r.listed = false;
    if (variant == 3) r.list_failure = error(Stage::vault_list, "list");
    CAPTURE(variant);
    CHECK_FALSE(lists_but_cannot_read(r));
    CHECK(conclude("kv", r).lines.size() > 3);
  }
}
