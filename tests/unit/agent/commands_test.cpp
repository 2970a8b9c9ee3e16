#include "agent/commands.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "agent_log.hpp"

using namespace fkv::agent;
using fkv::test::agent_parse_line;
using fkv::test::agent_unescape;
using fkv::test::parse_agent_log;

TEST_CASE("escape: % first, then CR, LF, ';' and ']'") {
  CHECK(escape("plain") == "plain");
  CHECK(escape("a;b") == "a%3Bb");
  CHECK(escape("a]b") == "a%5Db");
  CHECK(escape("l1\r\nl2") == "l1%0D%0Al2");
  CHECK(escape("100%") == "100%AZP25");
  CHECK(escape("%3B") == "%AZP253B");  // a literal %3B survives the agent's %3B decode
  CHECK(escape("%AZP25") == "%AZP25AZP25");
  CHECK(escape("##vso[x]") == "##vso[x%5D");
}

TEST_CASE("fixed vectors decode back to the original with the agent's rules") {
  for (const std::string original : {"%3B", "%AZP25", "]", "a\r\nb", "x;y]z%0A", "%%", "%0D%0A", ";;;", "%5D]"}) {
    CAPTURE(original);
    CHECK(agent_unescape(escape(original)) == original);
  }
}

TEST_CASE("property: agent-unescape(escape(x)) == x for random byte strings") {
  std::mt19937 rng(12345);
  const std::string alphabet = "%;]\r\nAZP2530DBa #[v";
  for (int i = 0; i < 3000; ++i) {
    std::uniform_int_distribution<int> len(0, 24);
    std::string x;
    const int n = len(rng);
    for (int k = 0; k < n; ++k) {
      if (rng() % 4 == 0) x += static_cast<char>(rng() % 256);
      else x += alphabet[rng() % alphabet.size()];
    }
    REQUIRE(agent_unescape(escape(x)) == x);
    // And through a whole setvariable line, as the agent parses it.
    auto cmd = agent_parse_line(set_variable("v", x, true));
    REQUIRE(cmd.has_value());
    REQUIRE(cmd->data == x);
  }
}

TEST_CASE("setvariable and setsecret lines, exactly") {
  CHECK(set_secret("a;b") == "##vso[task.setsecret]a%3Bb");
  CHECK(set_variable("my-secret", "v]", true) == "##vso[task.setvariable variable=my-secret;issecret=true]v%5D");
  CHECK(set_variable("SYSTEM_UNSAFEALLOWMULTILINESECRET", "true", false) ==
        "##vso[task.setvariable variable=SYSTEM_UNSAFEALLOWMULTILINESECRET;issecret=false]true");
  auto log = parse_agent_log(set_secret("s%3B") + "\n" + set_variable("n;x", "s%3B", true) + "\n");
  REQUIRE(log.variables.count("n;x") == 1);
  CHECK(log.variables.at("n;x").value == "s%3B");
  CHECK(log.variables.at("n;x").secret);
  CHECK(log.masked == std::vector<std::string>{"s%3B", "s%3B"});
}

TEST_CASE("logissue, complete, debug") {
  CHECK(log_issue(IssueType::error, "bad; ]") == "##vso[task.logissue type=error]bad%3B %5D");
  CHECK(log_issue(IssueType::warning, "w") == "##vso[task.logissue type=warning]w");
  CHECK(complete(TaskResult::Failed, "2 failed") == "##vso[task.complete result=Failed]2 failed");
  CHECK(complete(TaskResult::SucceededWithIssues, "") == "##vso[task.complete result=SucceededWithIssues]");
  CHECK(debug("d\nx") == "##vso[task.debug]d%0Ax");
  auto log = parse_agent_log(complete(TaskResult::Succeeded, "ok") + "\r\n" + log_issue(IssueType::error, "e\r\n2"));
  CHECK(log.result == "Succeeded");
  CHECK(log.result_message == "ok");
  CHECK(log.errors == std::vector<std::string>{"e\r\n2"});
}

TEST_CASE("info lines cannot carry commands, decorations or line breaks") {
  CHECK(info("Key vault name: kv1.") == "Key vault name: kv1.");
  CHECK(info("x ##vso[task.setvariable variable=a]b") == "x # #vso[task.setvariable variable=a]b");
  CHECK(info("##[error]x") == "# #[error]x");
  CHECK(info("###") == "# # #");
  CHECK(info("a\r\n##vso[task.complete result=Failed]") == "a  # #vso[task.complete result=Failed]");
  auto log = parse_agent_log(info("a\n##vso[task.setvariable variable=x]y") + "\n");
  CHECK(log.variables.empty());
  CHECK(log.rejected.empty());
  CHECK(log.plain.size() == 1);
}

TEST_CASE("output variables: isoutput=true;issecret=true, exactly (issue 11)") {
  CHECK(set_output_variable("kv.db", "v;1", true) ==
        "##vso[task.setvariable variable=kv.db;isoutput=true;issecret=true]v%3B1");
  CHECK(set_output_variable("tls", "/t/certs/tls.pfx", false) ==
        "##vso[task.setvariable variable=tls;isoutput=true;issecret=false]/t/certs/tls.pfx");
}

TEST_CASE("gate_line: values stay exact; every other text is redacted and printable") {
  fkv::SecretIndex held;
  held.add("value-of-s00-7f3a9c");
  held.add("semi;colon]value%");
  struct Row {
    std::string in;
    std::string out;
  };
  const std::vector<Row> rows = {
      // the lines that carry values: untouched, whatever they hold
      {fkv::agent::set_secret("value-of-s00-7f3a9c"), "##vso[task.setsecret]value-of-s00-7f3a9c"},
      {fkv::agent::set_variable("s00", "value-of-s00-7f3a9c\x1b", true),
       "##vso[task.setvariable variable=s00;issecret=true]value-of-s00-7f3a9c\x1b"},
      {fkv::agent::set_output_variable("s00", "value-of-s00-7f3a9c", true),
       "##vso[task.setvariable variable=s00;isoutput=true;issecret=true]value-of-s00-7f3a9c"},
      // messages: unescaped, gated, escaped again
      {fkv::agent::log_issue(fkv::agent::IssueType::error, "Secret 's01': Forbidden: value-of-s00-7f3a9c; fix"),
       "##vso[task.logissue type=error]Secret 's01': Forbidden: ***%3B fix"},
      {fkv::agent::log_issue(fkv::agent::IssueType::warning, "echo semi;colon]value% end"),
       "##vso[task.logissue type=warning]echo *** end"},
      {fkv::agent::complete(fkv::agent::TaskResult::Failed, "iss 'x\x1b]0;t\x07\xe2\x80\xae' a\nb"),
       "##vso[task.complete result=Failed]iss 'x %5D0%3Bt  ' a b"},
      {fkv::agent::debug("vault value-of-s00-7f3a9c"), "##vso[task.debug]vault ***"},
      {fkv::agent::upload_summary("/tmp/a;b/summary.md"), "##vso[task.uploadsummary]/tmp/a%3Bb/summary.md"},
      // plain lines: gated, and rendered again (a removed character cannot join a "##")
      {fkv::agent::info("Key vault name: fkv."), "Key vault name: fkv."},
      {fkv::agent::info("#\x1b#vso[task.setvariable variable=x]y"), "# #vso[task.setvariable variable=x]y"},
      {fkv::agent::info("entry 'value-of-s00-7f3a9c\x07'"), "entry '*** '"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.in);
    CHECK(fkv::agent::gate_line(row.in, held) == row.out);
    CHECK(fkv::agent::carries_value(row.in) == (row.in.rfind("##vso[task.set", 0) == 0));
  }
}
