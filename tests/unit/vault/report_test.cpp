#include "vault/report.hpp"

#include <doctest/doctest.h>

#include "agent_log.hpp"

using namespace fkv::vault;

namespace {
SecretOutcome ok(std::string name, std::string value, std::optional<std::int64_t> nbf = std::nullopt) {
  SecretOutcome s;
  s.ref = {std::move(name), ""};
  s.value = std::move(value);
  s.not_before = nbf;
  return s;
}
SecretOutcome failed(std::string name) {
  SecretOutcome s;
  s.ref = {name, ""};
  fkv::Error e;
  e.subject = name;
  e.message = "failed " + name;
  s.error = e;
  return s;
}
std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}
}  // namespace

TEST_CASE("'*' report: counts, skipped names, nbf warning, then the commands in list order") {
  DownloadResult r;
  r.list.listed = true;
  r.list.found = 5;
  r.list.disabled = {"off"};
  r.list.expired = {"old"};
  r.list.invalid_names = 1;
  r.secrets = {ok("b", "vb"), failed("x"), ok("a", "va", 1'800'000'000), ok("PATH", "p")};
  auto report = report_download("kv1", r);
  CHECK(report.lines == std::vector<std::string>{
                            "Number of secrets found in kv1: 5",
                            "Number of enabled and unexpired secrets found in kv1: 3",
                            "Skipped 1 disabled secrets: off.",
                            "Skipped 1 expired secrets: old.",
                            "##vso[task.logissue type=warning]Skipped 1 list entries without a valid, unique secret "
                            "name.",
                            "##vso[task.logissue type=warning]Secret 'a' is not valid before 2027-01-15T08:00:00Z "
                            "(nbf), it is set anyway.",
                            "##vso[task.setsecret]vb",
                            "##vso[task.setvariable variable=b;issecret=true]vb",
                            "##vso[task.setsecret]va",
                            "##vso[task.setvariable variable=a;issecret=true]va",
                        });
  REQUIRE(report.failures.size() == 2);
  CHECK(report.failures[0].subject == "x");
  CHECK(report.failures[1].subject == "PATH");
  CHECK(report.secrets_set == 2);
  auto log = fkv::test::parse_agent_log(joined(report.lines));
  CHECK(log.variable_order == std::vector<std::string>{"b", "a"});
  CHECK(log.rejected.empty());
}

TEST_CASE("empty vault and explicit mode") {
  DownloadResult empty;
  empty.list.listed = true;
  CHECK(report_download("kv1", empty).lines == std::vector<std::string>{"No secrets found in: kv1"});
  DownloadResult named;
  named.secrets = {ok("a", "1")};
  CHECK(report_download("kv1", named).lines ==
        std::vector<std::string>{"##vso[task.setsecret]1", "##vso[task.setvariable variable=a;issecret=true]1"});
}

TEST_CASE("utc_time") {
  CHECK(utc_time(0) == "1970-01-01T00:00:00Z");
  CHECK(utc_time(1'800'000'000) == "2027-01-15T08:00:00Z");
  CHECK(utc_time(951'782'400) == "2000-02-29T00:00:00Z");   // leap day of a century leap year
  CHECK(utc_time(4'102'444'799) == "2099-12-31T23:59:59Z");
  CHECK(utc_time(-1) == "1969-12-31T23:59:59Z");
}
