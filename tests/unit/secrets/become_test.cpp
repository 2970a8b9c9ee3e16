// What a secret becomes, as steps (secrets/become.hpp): tables of (fetched secret, destination, rules) ->
// steps, failure, missing, set. The rendering of the steps as ##vso lines is tested in tests/unit/run.
#include "secrets/become.hpp"

#include <doctest/doctest.h>

using namespace fkv::secrets;
using Kind = Step::Kind;

namespace {

fkv::vault::SecretOutcome fetched(std::string name, std::string value, std::string content_type = "") {
  fkv::vault::SecretOutcome s;
  s.ref = {std::move(name), ""};
  s.value = std::move(value);
  s.content_type = std::move(content_type);
  return s;
}

Step step(Kind kind, std::string text = "") {
  Step s;
  s.kind = kind;
  s.text = std::move(text);
  return s;
}

Step var(std::string name, std::string value, bool secret = true, bool output = false, bool path = false) {
  Step s;
  s.kind = Kind::set_variable;
  s.name = std::move(name);
  s.text = std::move(value);
  s.secret = secret;
  s.output = output;
  s.path = path;
  return s;
}

}  // namespace

TEST_CASE("become: one-line, multi-line, JSON, empty values and renames, step by step") {
  struct Row {
    const char* what;
    fkv::vault::SecretOutcome in;
    fkv::agent::Destination destination;
    Rules rules;
    std::vector<Step> steps;
  };
  fkv::agent::Destination renamed;
  renamed.variables = {"DB"};
  const Row rows[] = {
      {"one line", fetched("a", "v"), {}, {}, {step(Kind::mask, "v"), var("a", "v")}},
      {"output variables",
       fetched("a", "v"),
       {},
       {"kv", true, false},
       {step(Kind::mask, "v"), var("a", "v"), var("a", "v", true, true)}},
      {"renamed", fetched("db", "p"), renamed, {}, {step(Kind::mask, "p"), var("DB", "p")}},
      {"multi-line text",
       fetched("m", "l1\n \nl2"),
       {},
       {},
       {step(Kind::allow_multiline), step(Kind::mask, "l1"), step(Kind::mask, "l2"), step(Kind::mask, "l1\n \nl2"),
        var("m", "l1\n \nl2")}},
      {"multi-line JSON",
       fetched("j", "{\n \"n\": 1.50\n}"),
       {},
       {},
       {step(Kind::info, "Value of secret j has been converted to single line."), step(Kind::mask, "{\"n\":1.50}"),
        var("j", "{\"n\":1.50}")}},
      {"empty",
       fetched("e", ""),
       {},
       {},
       {step(Kind::warning, "Secret 'e' has an empty value, so its variable is set to an empty string."),
        var("e", "")}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    const Becomes out = become(row.in, row.destination, row.rules);
    CHECK(out.steps == row.steps);
    CHECK_FALSE(out.failure);
    CHECK(out.set);
    CHECK_FALSE(out.missing);
  }
}

TEST_CASE("become: files, read-only names, not-found with MissingSecrets=warn") {
  fkv::agent::Destination file;
  file.file = "certs/tls.pfx";
  file.path_variable = "kv.tls";
  file.named = true;
  const Becomes pfx = become(fetched("tls", "AP8A/w==", "application/x-pkcs12"), file, {});
  REQUIRE(pfx.steps.size() == 3);
  CHECK(pfx.steps[0] == step(Kind::mask, "AP8A/w=="));
  CHECK(pfx.steps[1].kind == Kind::write_file);
  CHECK(pfx.steps[1].text == "certs/tls.pfx");
  CHECK(pfx.steps[1].bytes == std::string("\0\xff\0\xff", 4));
  CHECK(pfx.steps[2] == var("kv.tls", "", false, false, true));
  CHECK(pfx.set);

  const Becomes bad = become(fetched("tls", "not base64!", "application/x-pkcs12"), file, {});
  CHECK(bad.steps == std::vector<Step>{step(Kind::mask, "not base64!")});
  REQUIRE(bad.failure);
  CHECK(bad.failure->subject == "tls");
  CHECK_FALSE(bad.set);

  const Becomes path = become(fetched("Path", "x"), {}, {});
  CHECK(path.steps.empty());
  REQUIRE(path.failure);
  CHECK(path.failure->message == "Secret 'Path' was not set: 'Path' is a read-only pipeline variable name.");

  fkv::vault::SecretOutcome gone;
  gone.ref = {"gone", ""};
  fkv::Error e;
  e.http_status = 404;
  e.service_code = "SecretNotFound";
  gone.error = e;
  fkv::agent::Destination named;
  named.named = true;
  const Becomes warned = become(gone, named, {"kv1", false, true});
  CHECK(warned.missing);
  CHECK_FALSE(warned.failure);
  CHECK(warned.steps == std::vector<Step>{step(Kind::warning, "Secret 'gone' was not found in vault 'kv1': it is "
                                                              "skipped because MissingSecrets is 'warn'.")});
  const Becomes failed = become(gone, fkv::agent::Destination{}, {"kv1", false, true});  // listed: not named
  CHECK_FALSE(failed.missing);
  REQUIRE(failed.failure);
  CHECK(failed.failure->http_status == 404);
}

TEST_CASE("mask_values: every non-blank line of a multi-line value, then the whole value") {
  CHECK(mask_values("") == std::vector<std::string>{});
  CHECK(mask_values("one") == std::vector<std::string>{"one"});
  CHECK(mask_values("a\r\n\t\nb") == std::vector<std::string>{"a", "b", "a\r\n\t\nb"});
}

// A hostile value must not crash the task with deep nesting (the JSON parser is iterative).
TEST_CASE("compact_json: deeply nested JSON is an error or compacted, never a crash") {
  CHECK_FALSE(compact_json(std::string(500000, '[') + std::string(500000, ']') + "x"));
  const std::string balanced = std::string(200000, '[') + std::string(200000, ']');
  CHECK(compact_json(balanced + "\n").value() == balanced);
}

TEST_CASE("expiry_warning: boundaries, past and future, UTC dates, 0 turns it off (issue 19)") {
  constexpr std::int64_t kDay = 86400;
  // 2026-12-07T12:00:00Z
  const std::int64_t now = 1796644800;
  struct Row {
    const char* what;
    std::optional<std::int64_t> exp;
    unsigned days;
    std::optional<std::string> warning;
  };
  const Row rows[] = {
      {"no exp", std::nullopt, 30, std::nullopt},
      {"off", now + kDay, 0, std::nullopt},
      {"off also when expired", now - kDay, 0, std::nullopt},
      {"13.5 days: counted down", now + 13 * kDay + kDay / 2, 30,
       "Secret 'db-password' expires on 2026-12-21 (in 13 days)."},
      {"exactly the limit", now + 30 * kDay, 30, "Secret 'db-password' expires on 2027-01-06 (in 30 days)."},
      {"one second beyond the limit", now + 30 * kDay + 1, 30, std::nullopt},
      {"one day", now + kDay, 30, "Secret 'db-password' expires on 2026-12-08 (in 1 day)."},
      {"under a day, the UTC date is tomorrow", now + 13 * 3600, 1,
       "Secret 'db-password' expires on 2026-12-08 (today)."},
      {"one second left", now + 1, 1, "Secret 'db-password' expires on 2026-12-07 (today)."},
      {"expired this very second", now, 30,
       "Secret 'db-password' expired on 2026-12-07 (today); it is set anyway, as Key Vault still serves it."},
      {"expired 3 days ago", now - 3 * kDay - 5, 30,
       "Secret 'db-password' expired on 2026-12-04 (3 days ago); it is set anyway, as Key Vault still serves it."},
      {"expired long ago, beyond the window", now - 400 * kDay, 1,
       "Secret 'db-password' expired on 2025-11-02 (400 days ago); it is set anyway, as Key Vault still serves it."},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    CHECK(expiry_warning("db-password", row.exp, now, row.days) == row.warning);
  }
}

TEST_CASE("become: the expiry warning comes first, and only for a secret that is set (issue 19)") {
  const std::int64_t now = 1796644800;
  Rules rules;
  rules.expiry_warning_days = 30;
  rules.now = now;
  auto in = fetched("db-password", "v");
  in.expires = now + 2 * 86400;
  auto out = become(in, {}, rules);
  CHECK(out.set);
  CHECK(out.steps == std::vector<Step>{step(Kind::warning, "Secret 'db-password' expires on 2026-12-09 (in 2 days)."),
                                       step(Kind::mask, "v"), var("db-password", "v")});

  fkv::agent::Destination read_only;
  read_only.variables = {"system.x"};
  auto failed = become(in, read_only, rules);
  CHECK_FALSE(failed.set);
  CHECK(failed.steps.empty());

  auto error = in;
  error.value.reset();
  error.error = fkv::Error{};
  CHECK(become(error, {}, rules).steps.empty());
}
