// One fetched secret through the run's handler (run/download.hpp: become, the file written, the path filled
// in) and the log writer's rendering (run/log_writer.hpp), as the download does with each as it arrives.
#include "run/download.hpp"

#include <doctest/doctest.h>

#include <limits>

#include "agent/selection.hpp"
#include "agent_log.hpp"
#include "run/log_writer.hpp"

using namespace fkv::vault;
using fkv::run::FileWriter;
using fkv::run::list_summary_lines;

namespace {

struct EmitOptions {
  std::string vault_name = "kv1";
  bool output_variables = false;
  bool missing_warn = false;
  fkv::run::SecretHandler::Destinations destination = [](const SecretRef&) {
    fkv::agent::Destination d;
    d.named = true;
    return d;
  };
  FileWriter write_file;
};

// The run's per-secret path, with what conclude() is given at the end collected as download() does.
class SecretEmitter {
 public:
  SecretEmitter() : SecretEmitter(EmitOptions{}) {}
  explicit SecretEmitter(EmitOptions o)
      : handler_({o.vault_name, o.output_variables, o.missing_warn}, o.destination, o.write_file) {}

  std::vector<std::string> emit(SecretOutcome outcome) {
    const fkv::run::SecretDone done = handler_.handle(outcome);
    if (done.result.set) ++secrets_set_;
    if (done.result.failure) failures_.push_back(*done.result.failure);
    if (done.result.missing) missing_.push_back(done.ref.text());
    return fkv::run::secret_lines(done, multiline_allowed_);
  }
  const std::vector<fkv::Error>& failures() const { return failures_; }
  std::size_t secrets_set() const { return secrets_set_; }
  const std::vector<std::string>& missing() const { return missing_; }

 private:
  fkv::run::SecretHandler handler_;
  bool multiline_allowed_ = false;
  std::vector<fkv::Error> failures_;
  std::vector<std::string> missing_;
  std::size_t secrets_set_ = 0;
};

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
  CHECK(feed(ok("b", "value-b")) ==
        std::vector<std::string>{"##vso[task.setsecret]value-b",
                                 "##vso[task.setvariable variable=b;issecret=true]value-b"});
  CHECK(feed(failed("x")).empty());
  CHECK(feed(ok("a", "value-a", 1'800'000'000)) ==
        std::vector<std::string>{"##vso[task.logissue type=warning]Secret 'a' is not valid before 2027-01-15T08:00:00Z "
                                 "(nbf), it is set anyway.",
                                 "##vso[task.setsecret]value-a",
                                 "##vso[task.setvariable variable=a;issecret=true]value-a"});
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

namespace {
// A FileWriter that records what it was asked to write.
struct Files {
  std::vector<std::pair<std::string, std::string>> written;
  std::optional<fkv::Error> fail;
  FileWriter writer() {
    return [this](const std::string& relative, std::string_view bytes) -> fkv::Expected<std::string> {
      if (fail) return *fail;
      written.emplace_back(relative, std::string(bytes));
      return "/agent/_temp/" + relative;
    };
  }
};

EmitOptions with_plan(const fkv::agent::SecretPlan& plan, Files& files, bool outputs = false, bool warn = false) {
  EmitOptions o;
  o.vault_name = "kv1";
  o.output_variables = outputs;
  o.missing_warn = warn;
  o.destination = [&plan](const SecretRef& ref) { return plan.destination(ref); };
  o.write_file = files.writer();
  return o;
}

fkv::agent::SecretPlan plan_of(const std::string& filter, const std::string& prefix = "") {
  auto selection = fkv::agent::parse_secrets_filter(filter);
  REQUIRE(selection);
  auto plan = fkv::agent::SecretPlan::make(*selection, prefix);
  REQUIRE(plan);
  return std::move(*plan);
}

SecretOutcome with_type(std::string name, std::string value, std::string content_type) {
  SecretOutcome s = ok(std::move(name), std::move(value));
  s.content_type = std::move(content_type);
  return s;
}

SecretOutcome not_found(std::string name) {
  SecretOutcome s = failed(name);
  s.error->http_status = 404;
  s.error->service_code = "SecretNotFound";
  return s;
}
}  // namespace

TEST_CASE("renames, VariablePrefix and OutputVariables: the exact lines (issue 11)") {
  auto plan = plan_of("db => DB_PASSWORD, api, app-*", "kv.");
  Files files;
  SecretEmitter emitter(with_plan(plan, files, true));
  CHECK(joined(emitter.emit(ok("db", "pw;1x"))) ==
        "##vso[task.setsecret]pw%3B1x\n"
        "##vso[task.setvariable variable=DB_PASSWORD;issecret=true]pw%3B1x\n"
        "##vso[task.setvariable variable=DB_PASSWORD;isoutput=true;issecret=true]pw%3B1x\n");
  CHECK(joined(emitter.emit(ok("app-key", "key-1"))) ==
        "##vso[task.setsecret]key-1\n"
        "##vso[task.setvariable variable=kv.app-key;issecret=true]key-1\n"
        "##vso[task.setvariable variable=kv.app-key;isoutput=true;issecret=true]key-1\n");
  CHECK(emitter.secrets_set() == 2);
  CHECK(files.written.empty());
}

// Not certificate extensions (.bin, .txt): the bytes as stored; certificates: tests/unit/secrets (issue 18).
TEST_CASE("secret files: PKCS#12 decoded, PEM as it is, secret lines masked, path variable non-secret (issue 11)") {
  auto plan = plan_of("tls => file:certs/tls.bin, pem => file:certs/ca.txt, both => file:b.txt, both => BOTH", "kv.");
  Files files;
  SecretEmitter emitter(with_plan(plan, files));
  // "AP8A/w==" is the bytes 00 ff 00 ff.
  CHECK(joined(emitter.emit(with_type("tls", "AP8A/w==", "application/x-pkcs12"))) ==
        "##vso[task.setsecret]AP8A/w==\n"
        "##vso[task.setvariable variable=kv.tls;issecret=false]/agent/_temp/certs/tls.bin\n");
  const std::string pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
  CHECK(joined(emitter.emit(with_type("pem", pem, "application/x-pem-file"))) ==
        "##vso[task.setsecret]MIIBszCCAVmgAwIBAgIU\n"
        "##vso[task.setsecret]-----BEGIN CERTIFICATE-----%0AMIIBszCCAVmgAwIBAgIU%0A-----END CERTIFICATE-----%0A\n"
        "##vso[task.setvariable variable=kv.pem;issecret=false]/agent/_temp/certs/ca.txt\n");
  CHECK(joined(emitter.emit(ok("both", "b-value"))) ==
        "##vso[task.setsecret]b-value\n"
        "##vso[task.setvariable variable=kv.both;issecret=false]/agent/_temp/b.txt\n"
        "##vso[task.setsecret]b-value\n"
        "##vso[task.setvariable variable=BOTH;issecret=true]b-value\n");
  REQUIRE(files.written.size() == 3);
  CHECK(files.written[0] == std::pair<std::string, std::string>{"certs/tls.bin", std::string("\0\xff\0\xff", 4)});
  CHECK(files.written[1] == std::pair<std::string, std::string>{"certs/ca.txt", pem});
  CHECK(files.written[2] == std::pair<std::string, std::string>{"b.txt", "b-value"});
  CHECK(emitter.secrets_set() == 3);
  CHECK(emitter.failures().empty());
}

TEST_CASE("secret files: a value that is not base64, and a file that cannot be written, are failures") {
  auto plan = plan_of("tls => file:tls.pfx, other => file:o.pem");
  Files files;
  SecretEmitter emitter(with_plan(plan, files));
  CHECK(joined(emitter.emit(with_type("tls", "not base64!", "application/x-pkcs12"))) ==
        "##vso[task.setsecret]not base64!\n");
  fkv::Error refused;
  refused.message = "a file or symbolic link already exists there and was not created by this step, so it is not "
                    "overwritten or followed.";
  files.fail = refused;
  CHECK(joined(emitter.emit(ok("other", "o-value"))) == "##vso[task.setsecret]o-value\n");
  REQUIRE(emitter.failures().size() == 2);
  CHECK(emitter.failures()[0].message == "Secret 'tls' has the contentType application/x-pkcs12 but its value is not "
                                         "base64, so 'tls.pfx' was not written.");
  CHECK(emitter.failures()[1].message == "Secret 'other' was not written to 'o.pem': a file or symbolic link already "
                                         "exists there and was not created by this step, so it is not overwritten "
                                         "or followed.");
  CHECK(emitter.failures()[1].subject == "other");
  CHECK(emitter.secrets_set() == 0);
  CHECK(files.written.empty());
}

TEST_CASE("MissingSecrets=warn: a named secret's 404 is a warning; listed secrets and 403s still fail") {
  auto plan = plan_of("gone, app-*");
  Files files;
  SecretEmitter emitter(with_plan(plan, files, false, true));
  CHECK(joined(emitter.emit(not_found("gone"))) ==
        "##vso[task.logissue type=warning]Secret 'gone' was not found in vault 'kv1': it is skipped because "
        "MissingSecrets is 'warn'.\n");
  CHECK(emitter.emit(not_found("app-deleted")).empty());  // listed, then deleted: not named, so a failure
  SecretOutcome denied = failed("gone");
  denied.error->http_status = 403;
  CHECK(emitter.emit(denied).empty());
  CHECK(emitter.missing() == std::vector<std::string>{"gone"});
  CHECK(emitter.failures().size() == 2);

  SecretEmitter strict(with_plan(plan, files, false, false));
  CHECK(strict.emit(not_found("gone")).empty());
  CHECK(strict.failures().size() == 1);
}
