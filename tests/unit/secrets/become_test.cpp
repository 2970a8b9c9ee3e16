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
      {"one line", fetched("a", "v4lue"), {}, {}, {step(Kind::mask, "v4lue"), var("a", "v4lue")}},
      {"output variables",
       fetched("a", "v4lue"),
       {},
       {"kv", true, false},
       {step(Kind::mask, "v4lue"), var("a", "v4lue"), var("a", "v4lue", true, true)}},
      {"renamed", fetched("db", "p4ss"), renamed, {}, {step(Kind::mask, "p4ss"), var("DB", "p4ss")}},
      {"multi-line text",
       fetched("m", "line1\n \n  line2"),
       {},
       {},
       {step(Kind::allow_multiline), step(Kind::mask, "line1"), step(Kind::mask, "line2"),
        step(Kind::mask, "line1\n \n  line2"), var("m", "line1\n \n  line2")}},
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
  file.file = "certs/tls.bin";  // not a certificate extension: the PFX bytes as they are
  file.path_variable = "kv.tls";
  file.named = true;
  const Becomes pfx = become(fetched("tls", "AP8A/w==", "application/x-pkcs12"), file, {});
  REQUIRE(pfx.steps.size() == 3);
  CHECK(pfx.steps[0] == step(Kind::mask, "AP8A/w=="));
  CHECK(pfx.steps[1].kind == Kind::write_file);
  CHECK(pfx.steps[1].text == "certs/tls.bin");
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

TEST_CASE("mask_values: the lines that carry secret material, trimmed, then the whole value") {
  using V = std::vector<std::string>;
  struct Row {
    const char* value;
    V masks;
  };
  const Row rows[] = {
      {"", {}},
      {"one", {"one"}},  // one line: the value itself (weak_value warns)
      {"a\r\n\t\nb", {"a\r\n\t\nb"}},
      {"line-one\r\n\t\n  line-two  ", {"line-one", "line-two", "line-one\r\n\t\n  line-two  "}},
      // PEM: the armour lines are not registered, the base64 lines are (4 characters are enough).
      {"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\nAw==\n-----END PRIVATE KEY-----\n",
       {"MIGHAgEAMBMGByqGSM49",
        "Aw==", "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\nAw==\n-----END PRIVATE KEY-----\n"}},
      // JSON structure and keys without a value are not registered; lines with values are.
      {"{\n  \"db\": {\n    \"password\": \"hunter2-x\"\n  },\n  \"hosts\": [\n  ]\n}",
       {"\"password\": \"hunter2-x\"",
        "{\n  \"db\": {\n    \"password\": \"hunter2-x\"\n  },\n  \"hosts\": [\n  ]\n}"}},
      // YAML: keys, list markers, short items and punctuation are not registered.
      {"services:\n  - a\n  - name: api\n    token: |\n      s3cr3t-t0ken\n---\n...",
       {"- name: api", "s3cr3t-t0ken", "services:\n  - a\n  - name: api\n    token: |\n      s3cr3t-t0ken\n---\n..."}},
      // A repeated line is registered once.
      {"same-line\nsame-line", {"same-line", "same-line\nsame-line"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.value);
    CHECK(mask_values(row.value) == row.masks);
  }
}

TEST_CASE("weak_value: short values, common words and small numbers") {
  CHECK(weak_value("abc") == "is shorter than 4 characters");
  CHECK(weak_value("2") == "is shorter than 4 characters");
  CHECK(weak_value("TRUE") == "is a common word");
  CHECK(weak_value("false") == "is a common word");
  CHECK(weak_value("9999") == "is a number below 10000");
  CHECK(weak_value("-1234") == "is a number below 10000");
  CHECK_FALSE(weak_value("10000"));
  CHECK_FALSE(weak_value("hunter22"));
  CHECK_FALSE(weak_value(""));
}

TEST_CASE("become: a weak one-line value is set with one warning naming the secret, never the value") {
  const Becomes out = become(fetched("flag", "true"), {}, {});
  REQUIRE(out.steps.size() == 3);
  CHECK(out.steps[0].kind == Kind::warning);
  CHECK(out.steps[0].text.find("Secret 'flag' is a common word") == 0);
  CHECK(out.steps[0].text.find("AZP_IGNORE_SECRETS_SHORTER_THAN") != std::string::npos);
  CHECK(out.steps[1] == step(Kind::mask, "true"));
  CHECK(out.steps[2] == var("flag", "true"));
  CHECK(out.set);
}

TEST_CASE("become: a JSON value's string leaves are masked, expanded or not") {
  const Becomes out = become(fetched("svc", R"({"user":"app-user","password":"s3cr3t-pw","port":5432,"t":"ab"})"), {},
                             {});
  std::vector<std::string> masks;
  for (const auto& s : out.steps) {
    if (s.kind == Kind::mask) masks.push_back(s.text);
  }
  CHECK(masks == std::vector<std::string>{R"({"user":"app-user","password":"s3cr3t-pw","port":5432,"t":"ab"})",
                                          "app-user", "s3cr3t-pw"});
  CHECK(json_leaf_masks("[\"long-enough\", \"no\", \"true\", \"a\\nmulti-line\"]") ==
        std::vector<std::string>{"long-enough", "multi-line"});
  CHECK_FALSE(json_leaf_masks("not json"));
}

TEST_CASE("json_fields: leaves with dotted names, numbers' text, true/false/null as words") {
  auto fields = json_fields(
      R"({"user":"u1","db":{"port":5432.50,"tls":true,"ca":null},"hosts":["h1",{"n":-0}],"e":{}})");
  REQUIRE(fields);
  CHECK(*fields == std::vector<JsonField>{{"user", "u1"},
                                          {"db.port", "5432.50"},
                                          {"db.tls", "true"},
                                          {"db.ca", "null"},
                                          {"hosts.0", "h1"},
                                          {"hosts.1.n", "-0"}});
  struct Row {
    std::string value;
    const char* reason;
  };
  const Row rows[] = {
      {"[1,2]", "not a JSON object"},
      {"\"text\"", "not a JSON object"},
      {"42", "not a JSON object"},
      {"plain text", "not valid JSON"},
      {"{\"a\":1", "not valid JSON"},
      {"{\"a b\":\"x\"}", "key 'a b' cannot be part of a variable name"},
      {"{\"a.b\":\"x\"}", "key 'a.b' cannot be part of a variable name"},
      {"{\"\":\"x\"}", "key '' cannot be part of a variable name"},
      {"{\"A\":\"x\",\"a\":\"y\"}", "would both set the field 'a'"},
      {std::string(40, '[') + std::string(40, ']'), "not a JSON object"},
      {"{\"a\":" + std::string(40, '[') + std::string(40, ']') + "}", "nests more than 32 levels"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.value);
    auto out = json_fields(row.value);
    REQUIRE_FALSE(out);
    CHECK(out.error().message.find(row.reason) != std::string::npos);
  }
  std::string many = "{";
  for (int i = 0; i < 1001; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  CHECK(json_fields(many + "}").error().message.find("more than 1000 fields") != std::string::npos);
}

TEST_CASE("become: => json sets one secret variable per field, masks the leaves, warns once for weak fields") {
  fkv::agent::Destination json;
  json.variables = {"kv.svc"};
  json.json = true;
  json.named = true;
  const Becomes out = become(fetched("svc", "{\n \"password\": \"s3cr3t-pw\",\n \"port\": 5432, \"on\": true\n}"), json,
                             {"kv", true, false});
  REQUIRE(out.failure == std::nullopt);
  CHECK(out.set);
  CHECK(out.json_expanded);
  REQUIRE(out.steps.size() == 11);
  CHECK(out.steps[0].kind == Kind::warning);
  CHECK(out.steps[0].text.find("Secret 'svc' has fields that are shorter than 4 characters, common words or numbers "
                               "below 10000 (port, on)") == 0);
  CHECK(out.steps[1] == step(Kind::mask, "\"password\": \"s3cr3t-pw\","));
  CHECK(out.steps[2] == step(Kind::mask, "\"port\": 5432, \"on\": true"));
  CHECK(out.steps[3].kind == Kind::mask);  // the whole value
  CHECK(out.steps[4] == step(Kind::mask, "s3cr3t-pw"));
  CHECK(out.steps[5] == var("kv.svc.password", "s3cr3t-pw"));
  CHECK(out.steps[6] == var("kv.svc.password", "s3cr3t-pw", true, true));
  CHECK(out.steps[7] == var("kv.svc.port", "5432"));
  CHECK(out.steps[9] == var("kv.svc.on", "true"));
  for (const auto& s : out.steps) CHECK(s.name != "kv.svc");  // the whole value is not set

  const Becomes text = become(fetched("svc", "not json"), json, {});
  REQUIRE(text.failure);
  CHECK(text.failure->message == "Secret 'svc' was not expanded ('svc => json'): its value is not valid JSON.");
  CHECK_FALSE(text.set);
  CHECK(text.steps.empty());
  const Becomes cert = become(fetched("svc", "{}", "application/x-pkcs12"), json, {});
  REQUIRE(cert.failure);
  CHECK(cert.failure->message.find("it is a certificate") != std::string::npos);
  const Becomes bad_key = become(fetched("svc", R"({"pass word":"s3cr3t-value"})"), json, {});
  REQUIRE(bad_key.failure);
  CHECK(bad_key.failure->message.find("'pass word'") != std::string::npos);
  CHECK(bad_key.failure->message.find("s3cr3t-value") == std::string::npos);
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
  auto in = fetched("db-password", "p4ss-w0rd");
  in.expires = now + 2 * 86400;
  auto out = become(in, {}, rules);
  CHECK(out.set);
  CHECK(out.steps == std::vector<Step>{step(Kind::warning, "Secret 'db-password' expires on 2026-12-09 (in 2 days)."),
                                       step(Kind::mask, "p4ss-w0rd"), var("db-password", "p4ss-w0rd")});

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

TEST_CASE("become: '=> json' field variables follow VariableNameStyle like the rest of the name (issue 19)") {
  fkv::agent::Destination json;
  json.variables = {"kv.APP_CONFIG"};  // the plan's P + S(name) for 'app-config' in the env style
  json.json = true;
  Rules env;
  env.name_style = fkv::agent::NameStyle::env;
  const Becomes out = become(fetched("app-config", R"({"user": "svc-deploy-1", "db": {"conn-str": "Server=x;1234"}})"),
                             json, env);
  REQUIRE_FALSE(out.failure);
  std::vector<std::string> names;
  for (const auto& s : out.steps) {
    if (s.kind == Kind::set_variable) names.push_back(s.name);
  }
  CHECK(names == std::vector<std::string>{"kv.APP_CONFIG_USER", "kv.APP_CONFIG_DB_CONN_STR"});
  json.variables = {"ConnectionStrings"};
  Rules dotnet;
  dotnet.name_style = fkv::agent::NameStyle::dotnet;
  const Becomes net = become(fetched("ConnectionStrings", R"({"Default--Ro": "Server=ro;Database=app"})"), json,
                             dotnet);
  REQUIRE_FALSE(net.failure);
  CHECK(net.steps.back().name == "ConnectionStrings.Default.Ro");
}
