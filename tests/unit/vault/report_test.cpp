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

TEST_CASE("list summary: counts and skipped names, as AzureKeyVault@2 prints them") {
  ListStats list;
  list.listed = true;
  list.found = 5;
  list.disabled = {"off"};
  list.expired = {"old", "older"};
  list.invalid_names = 1;
  CHECK(list_summary_lines("kv1", list) ==
        std::vector<std::string>{
            "Number of secrets found in kv1: 5",
            "Number of enabled and unexpired secrets found in kv1: 2",
            "Skipped 1 disabled secrets: off.",
            "Skipped 2 expired secrets: old, older.",
            "##vso[task.logissue type=warning]Skipped 1 list entries without a valid, unique secret name.",
        });
  ListStats empty;
  empty.listed = true;
  CHECK(list_summary_lines("kv1", empty) == std::vector<std::string>{"No secrets found in: kv1"});
}

TEST_CASE("emitter: each outcome's lines as it arrives; failures collected; nbf warning first") {
  SecretEmitter emitter;
  std::string all;
  auto feed = [&](SecretOutcome o) {
    auto lines = emitter.emit(std::move(o));
    all += joined(lines);
    return lines;
  };
  CHECK(feed(ok("b", "vb")) == std::vector<std::string>{"##vso[task.setsecret]vb",
                                                        "##vso[task.setvariable variable=b;issecret=true]vb"});
  CHECK(feed(failed("x")).empty());
  CHECK(feed(ok("a", "va", 1'800'000'000)) ==
        std::vector<std::string>{"##vso[task.logissue type=warning]Secret 'a' is not valid before 2027-01-15T08:00:00Z "
                                 "(nbf), it is set anyway.",
                                 "##vso[task.setsecret]va", "##vso[task.setvariable variable=a;issecret=true]va"});
  CHECK(feed(ok("PATH", "p")).empty());  // read-only name: a failure, nothing emitted
  // The multi-line switch comes once, right before the first multi-line value's lines.
  auto first = feed(ok("m1", "l1\nl2"));
  REQUIRE_FALSE(first.empty());
  CHECK(first[0] == "##vso[task.setvariable variable=SYSTEM_UNSAFEALLOWMULTILINESECRET;issecret=false]true");
  auto second = feed(ok("m2", "l3\nl4"));
  for (const auto& line : second) CHECK(line.find("SYSTEM_UNSAFEALLOWMULTILINESECRET") == std::string::npos);

  REQUIRE(emitter.failures().size() == 2);
  CHECK(emitter.failures()[0].subject == "x");
  CHECK(emitter.failures()[1].subject == "PATH");
  CHECK(emitter.secrets_set() == 4);
  auto log = fkv::test::parse_agent_log(all);
  CHECK(log.variable_order == std::vector<std::string>{"b", "a", "SYSTEM_UNSAFEALLOWMULTILINESECRET", "m1", "m2"});
  CHECK(log.rejected.empty());
}

TEST_CASE("utc_time") {
  CHECK(utc_time(0) == "1970-01-01T00:00:00Z");
  CHECK(utc_time(1'800'000'000) == "2027-01-15T08:00:00Z");
  CHECK(utc_time(951'782'400) == "2000-02-29T00:00:00Z");   // leap day of a century leap year
  CHECK(utc_time(4'102'444'799) == "2099-12-31T23:59:59Z");
  CHECK(utc_time(-1) == "1969-12-31T23:59:59Z");
}
