// The test-side agent parser itself follows agent-task-contract.md §3.1 (these cases pin the rules).
#include "agent_log.hpp"

#include <doctest/doctest.h>

using namespace fkv::test;

TEST_CASE("command found anywhere; header ends at the first ']'; data keeps later ']'") {
  auto c = agent_parse_line("prefix ##vso[task.setvariable variable=a;issecret=true]x]y");
  REQUIRE(c);
  CHECK(c->area == "task");
  CHECK(c->event == "setvariable");
  CHECK(c->properties.at("VARIABLE") == "a");  // keys are case-insensitive
  CHECK(c->data == "x]y");
}

TEST_CASE("no trimming: a space after ';' makes a different key, so the secret flag is lost") {
  auto log = parse_agent_log("##vso[task.setvariable variable=a; issecret=true]v\n");
  REQUIRE(log.variables.count("a"));
  CHECK_FALSE(log.variables.at("a").secret);
}

TEST_CASE("empty values are dropped; missing name is rejected; bad area.event is not a command") {
  auto log = parse_agent_log("##vso[task.setvariable variable=]v\n##vso[task]x\n##vso[a.b.c]x\n");
  CHECK(log.variables.empty());
  CHECK(log.rejected.size() == 3);
}

TEST_CASE("unescape order: %3B %0D %0A %5D, then %AZP25") {
  CHECK(agent_unescape("%AZP253B") == "%3B");
  CHECK(agent_unescape("%3B%0D%0A%5D") == ";\r\n]");
  CHECK(agent_unescape("%25") == "%25");
}

TEST_CASE("lines split on CR, LF and CRLF") {
  CHECK(agent_split_lines("a\rb\nc\r\nd") == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(agent_split_lines("a\n\nb\n") == std::vector<std::string>{"a", "", "b"});
}

TEST_CASE("a multi-line secret is refused until SYSTEM_UNSAFEALLOWMULTILINESECRET is true") {
  auto refused = parse_agent_log("##vso[task.setvariable variable=a;issecret=true]x%0Ay\n");
  CHECK(refused.variables.empty());
  CHECK(refused.rejected.size() == 1);
  auto allowed = parse_agent_log(
      "##vso[task.setvariable variable=SYSTEM_UNSAFEALLOWMULTILINESECRET;issecret=false]true\n"
      "##vso[task.setvariable variable=a;issecret=True]x%0Ay\n");
  REQUIRE(allowed.variables.count("a"));
  CHECK(allowed.variables.at("a").value == "x\ny");
  CHECK(allowed.variables.at("a").secret);
}

TEST_CASE("task.complete result is case-sensitive") {
  CHECK(parse_agent_log("##vso[task.complete result=failed]x\n").result == std::nullopt);
  CHECK(parse_agent_log("##vso[task.complete result=Failed;]x\n").result == "Failed");
}
