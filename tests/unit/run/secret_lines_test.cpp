// What a secret becomes (secrets/become.hpp) as the log writer renders it (run/log_writer.hpp), secret
// by secret in one run: the exact ##vso lines, read back with the agent's parser model.
#include "run/log_writer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "agent/commands.hpp"
#include "agent_log.hpp"

using fkv::secrets::compact_json;
using fkv::secrets::is_read_only_variable;
using fkv::test::parse_agent_log;

namespace {

struct DownloadedSecret {
  fkv::vault::SecretRef ref;
  std::string value;
};

struct VariablePlan {
  std::vector<std::string> lines;
  std::vector<fkv::Error> failures;
  std::size_t secrets_set = 0;
  std::size_t variables_set = 0;
};

// The secrets, in order, through become() and the writer's rendering, as a run does with each.
VariablePlan plan_variables(const std::vector<DownloadedSecret>& secrets) {
  VariablePlan plan;
  bool multiline_allowed = false;
  for (const auto& secret : secrets) {
    fkv::vault::SecretOutcome fetched;
    fetched.ref = secret.ref;
    fetched.value = secret.value;
    const fkv::run::SecretDone done{secret.ref, fkv::secrets::become(fetched, {}, {}), false, {}};
    for (auto& line : fkv::run::secret_lines(done, multiline_allowed)) plan.lines.push_back(std::move(line));
    if (done.result.failure) plan.failures.push_back(*done.result.failure);
    if (done.result.set) ++plan.secrets_set;
    for (const auto& step : done.result.steps) {
      if (step.kind == fkv::secrets::Step::Kind::set_variable) ++plan.variables_set;
    }
  }
  return plan;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}
}  // namespace

TEST_CASE("one-line secret: setsecret first, then setvariable issecret=true, exactly") {
  auto plan = plan_variables({{{"db-pass", ""}, "p%3B;]x"}});
  CHECK(plan.lines == std::vector<std::string>{
                          "##vso[task.setsecret]p%AZP253B%3B%5Dx",
                          "##vso[task.setvariable variable=db-pass;issecret=true]p%AZP253B%3B%5Dx",
                      });
  CHECK(plan.secrets_set == 1);
  auto log = parse_agent_log(joined(plan.lines));
  CHECK(log.variables.at("db-pass").value == "p%3B;]x");
  CHECK(log.variables.at("db-pass").secret);
  CHECK(log.rejected.empty());
}

TEST_CASE("name/version sets both name and name/version") {
  auto plan = plan_variables({{{"a", "0123"}, "v"}});
  auto log = parse_agent_log(joined(plan.lines));
  CHECK(log.variable_order == std::vector<std::string>{"a", "a/0123"});
  CHECK(log.variables.at("a/0123").value == "v");
  CHECK(plan.variables_set == 2);
}

TEST_CASE("multi-line text: secret lines masked (no armour, no short lines), the knob set once before the first one") {
  const std::string pem = "-----BEGIN KEY-----\r\nAAAA\n  \nBBBB\r-----END KEY-----\n";
  auto plan = plan_variables({{{"one", ""}, "x-value"}, {{"pem", ""}, pem}, {{"pem2", ""}, "c\nd"}});
  CHECK(plan.lines == std::vector<std::string>{
                          "##vso[task.setsecret]x-value",
                          "##vso[task.setvariable variable=one;issecret=true]x-value",
                          "##vso[task.setvariable variable=SYSTEM_UNSAFEALLOWMULTILINESECRET;issecret=false]true",
                          "##vso[task.setsecret]AAAA",
                          "##vso[task.setsecret]BBBB",
                          "##vso[task.setsecret]" + fkv::agent::escape(pem),
                          "##vso[task.setvariable variable=pem;issecret=true]" + fkv::agent::escape(pem),
                          "##vso[task.setsecret]c%0Ad",
                          "##vso[task.setvariable variable=pem2;issecret=true]c%0Ad",
                      });
  auto log = parse_agent_log(joined(plan.lines));
  CHECK(log.rejected.empty());
  CHECK(log.variables.at("pem").value == pem);
  CHECK(log.variables.at("pem2").value == "c\nd");
}

TEST_CASE("no multi-line secret: the knob is not set") {
  auto plan = plan_variables({{{"a", ""}, "x"}, {{"b", ""}, R"({"k": 1})"}});
  for (const auto& l : plan.lines) CHECK(l.find("SYSTEM_UNSAFEALLOWMULTILINESECRET") == std::string::npos);
}

TEST_CASE("multi-line JSON is compacted to one line, numbers keep their text") {
  const std::string json = "{\n  \"user\": \"me\",\n  \"n\": 1.50,\n  \"big\": 12345678901234567890,\n  \"l\": [1, "
                           "true, null, \"a\\nb\"]\n}\n";
  auto plan = plan_variables({{{"cfg", ""}, json}});
  const std::string compact = R"({"user":"me","n":1.50,"big":12345678901234567890,"l":[1,true,null,"a\nb"]})";
  CHECK(plan.lines == std::vector<std::string>{
                          "Value of secret cfg has been converted to single line.",
                          "##vso[task.setsecret]" + fkv::agent::escape(compact),
                          "##vso[task.setvariable variable=cfg;issecret=true]" + fkv::agent::escape(compact),
                      });
  CHECK(parse_agent_log(joined(plan.lines)).variables.at("cfg").value == compact);
}

TEST_CASE("compact_json") {
  CHECK(compact_json("[\n1,\n2\n]") == "[1,2]");
  CHECK(compact_json("{\"a\":\n{}}") == R"({"a":{}})");
  CHECK(compact_json(" \n[ ] ") == "[]");
  CHECK_FALSE(compact_json("\"string\"\n"));
  CHECK_FALSE(compact_json("42\n"));
  CHECK_FALSE(compact_json("{\"a\":1}\ntrailing"));
  CHECK_FALSE(compact_json("{\"a\":\"\xff\"}\n"));
  CHECK_FALSE(compact_json("{\"a\":\"x\ny\"}"));  // a raw newline inside a string is not JSON
}

TEST_CASE("empty value: the variable is set to empty and a warning names it") {
  auto plan = plan_variables({{{"empty", ""}, ""}});
  CHECK(plan.lines ==
        std::vector<std::string>{
            "##vso[task.logissue type=warning]Secret 'empty' has an empty value, so its variable is set to an "
            "empty string.",
            "##vso[task.setvariable variable=empty;issecret=true]",
        });
  auto log = parse_agent_log(joined(plan.lines));
  REQUIRE(log.variables.count("empty"));
  CHECK(log.variables.at("empty").value == "");
  CHECK(log.warnings.size() == 1);
}

TEST_CASE("read-only names are not set and are failures") {
  auto plan = plan_variables({{{"Path", ""}, "x"}, {{"ok", ""}, "y"}});
  REQUIRE(plan.failures.size() == 1);
  CHECK(plan.failures[0].stage == fkv::Stage::emit);
  CHECK(plan.failures[0].subject == "Path");
  CHECK(plan.failures[0].message == "Secret 'Path' was not set: 'Path' is a read-only pipeline variable name.");
  auto log = parse_agent_log(joined(plan.lines));
  CHECK(log.variable_order == std::vector<std::string>{"ok"});
  CHECK(plan.secrets_set == 1);
  for (const auto& l : plan.lines) CHECK(l.find("x") == std::string::npos);
}

TEST_CASE("read-only name rule") {
  for (const char* n : {"PATH", "path", "system.accessToken", "SYSTEM_ACCESSTOKEN", "Agent.TempDirectory", "build.x",
                        "release_y", "pipeline.workspace"}) {
    CAPTURE(n);
    CHECK(is_read_only_variable(n));
  }
  for (const char* n : {"PATHS", "system", "my-system", "systems-x", "agent-key", "build-number"}) {
    CAPTURE(n);
    CHECK_FALSE(is_read_only_variable(n));
  }
}

TEST_CASE("property: random values reach the agent exactly, as secrets, and are masked; nothing is rejected") {
  std::mt19937 rng(777);
  const std::string alphabet = "ab%;]\r\n{}[]\":,0 #vso";
  for (int round = 0; round < 300; ++round) {
    std::vector<DownloadedSecret> secrets;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
      std::string value;
      const int len = static_cast<int>(rng() % 20);
      for (int k = 0; k < len; ++k) value += alphabet[rng() % alphabet.size()];
      secrets.push_back({{"s" + std::to_string(i), ""}, value});
    }
    auto plan = plan_variables(secrets);
    auto log = parse_agent_log(joined(plan.lines));
    CHECK(log.rejected.empty());
    CHECK(log.plain.size() <= secrets.size());  // only "converted to single line" notes
    for (const auto& s : secrets) {
      const auto& v = log.variables.at(s.ref.name);
      CHECK(v.secret);
      const auto compact = s.value.find_first_of("\r\n") != std::string::npos ? compact_json(s.value) : std::nullopt;
      CHECK(v.value == compact.value_or(s.value));
      if (!v.value.empty()) CHECK(std::find(log.masked.begin(), log.masked.end(), v.value) != log.masked.end());
    }
  }
}
