#include "agent/run_summary.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "agent/request_meter.hpp"

using namespace fkv::agent;
using fkv::Error;
using fkv::Stage;

namespace {

// Compares with tests/unit/agent/expected/<name>.md; FKV_UPDATE_EXPECTED=1 rewrites the file instead.
void check_expected(const std::string& name, const std::string& rendered) {
  const std::string path = std::string(FKV_SOURCE_DIR) + "/tests/unit/agent/expected/" + name + ".md";
  if (std::getenv("FKV_UPDATE_EXPECTED")) {
    std::ofstream(path, std::ios::binary) << rendered;
  }
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing " << path);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == rendered);
}

RunRecord base() {
  RunRecord r;
  r.vault = "fkv-basic";
  r.vault_url = "https://fkv-basic.vault.azure.net/";
  r.connection_id = "9f3c1a52-6b7e-4d1c-8a2f-0e5b7c9d1a34";
  r.scheme = "WorkloadIdentityFederation";
  r.tenant_id = "11111111-2222-3333-4444-555555555555";
  r.client_id = "1b7e5f0a-2c3d-4e5f-8a9b-0c1d2e3f4a5b";
  r.token_issuer = "https://vstoken.dev.azure.com/0c8a5e8e-1d5e-4f0b-9a55-3c1f2b7d9e10";
  r.token_subject = "sc://fkv-org/fkv-project/fkv-wif";
  r.user_agent = "federated-keyvault/1.0.0 (linux; x64) AzurePipelines (org=0c8a5e8e-1d5e-4f0b-9a55-3c1f2b7d9e10; "
                 "pipeline=42; run=1234)";
  return r;
}

Error error(Stage stage, std::string subject, std::string message, std::string hint) {
  Error e;
  e.stage = stage;
  e.subject = std::move(subject);
  e.message = std::move(message);
  e.hint = std::move(hint);
  return e;
}

}  // namespace

TEST_CASE("markdown_text escapes what would change the Markdown, and line breaks") {
  CHECK(markdown_text("a|b") == "a\\|b");
  CHECK(markdown_text("db_password *x* [l](u) <b> `c` #1 !x ~y & \\") ==
        "db\\_password \\*x\\* \\[l\\]\\(u\\) \\<b\\> \\`c\\` \\#1 \\!x \\~y \\& \\\\");
  CHECK(markdown_text("two\r\nlines\tand") == "two  lines and");
  CHECK(markdown_text("plain-name.x") == "plain-name.x");
}

TEST_CASE("add_variable: one row per name, in first-set order; a second set adds only the output mark") {
  RunRecord r;
  add_variable(r, {"db-password", true, false, false, false, ""});
  add_variable(r, {"tls-cert", false, false, true, false, ""});
  add_variable(r, {"db-password", true, true, false, false, ""});   // OutputVariables: the same variable as an output
  add_variable(r, {"db-password", true, false, false, false, ""});  // a later plain set keeps the mark
  add_variable(r, {"DB-PASSWORD", true, false, false, false,
                   ""});  // exact names: the agent's case-folding is not ours to apply here
  CHECK(r.variables == std::vector<SummaryVariable>{{"db-password", true, true, false, false, ""},
                                                    {"tls-cert", false, false, true, false, ""},
                                                    {"DB-PASSWORD", true, false, false, false, ""}});
}

TEST_CASE("summary of a successful run") {
  RunRecord r = base();
  r.conclusion = "3 secrets from vault 'fkv-basic' set as secret variables.";
  r.variables = {{"db-password", true, false, false, false, "2026-12-20"},
                 {"kv.api_key", true, true, false, false, ""},
                 {"tls-cert", false, false, true, false, ""}};
  r.not_yet_valid = {"api-key"};
  r.skipped = {{"old-password", "disabled"},
               {"legacy-key", "expired"},
               {"other", "not selected by the secrets filter"}};
  r.phases = {{"OIDC token", 0.12, 1, 0, 0},
              {"Entra token exchange", 0.2, 2, 1, 0},
              {"Listing", 0.31, 1, 0, 0},
              {"Downloads", 0.54, 5, 0, 2}};
  r.total_seconds = 1.26;
  check_expected("success", render_summary(r, fkv::SecretIndex{}));
}

TEST_CASE("summary of a partly failed run") {
  RunRecord r = base();
  r.result = TaskResult::Failed;
  r.conclusion = "1 of 3 secrets from vault 'fkv-basic' could not be set: db-password.";
  r.variables = {{"api-key", true, false, false, false, ""}, {"tls-cert", true, false, false, false, ""}};
  RunResult result;
  result.secret_failures.push_back(error(
      Stage::vault_get, "db-password",
      "Access to secret 'db-password' in vault 'fkv-basic' was denied by Azure RBAC. Key Vault says: \"Caller is not "
      "authorized | see <docs>\"",
      "Assign the \"Key Vault Secrets User\" role on the vault to the service connection's app (role assignments can "
      "take a few minutes to apply)."));
  result.secrets_set = 2;
  r.failures = summary_failures(result);
  r.phases = {{"OIDC token", 0.1, 1, 0, 0}, {"Entra token exchange", 0.2, 1, 0, 0}, {"Downloads", 0.3, 3, 0, 0}};
  r.total_seconds = 0.7;
  check_expected("partial", render_summary(r, fkv::SecretIndex{}));
}

TEST_CASE("summary of a fatal failure") {
  RunRecord r = base();
  r.token_issuer.clear();
  r.token_subject.clear();
  r.result = TaskResult::Failed;
  RunResult result;
  result.fatal = error(Stage::entra, "",
                       "Microsoft Entra ID rejected the federated token: no federated credential of app "
                       "'1b7e5f0a-2c3d-4e5f-8a9b-0c1d2e3f4a5b' matches its subject (AADSTS700213).",
                       "Add a federated credential with issuer https://vstoken.dev.azure.com/x and subject "
                       "sc://fkv-org/fkv-project/fkv_wif.");
  r.conclusion = result.fatal->message;
  r.failures = summary_failures(result);
  r.phases = {{"OIDC token", 0.1, 1, 0, 0}, {"Entra token exchange", 0.2, 1, 0, 0}};
  r.total_seconds = 0.4;
  check_expected("fatal", render_summary(r, fkv::SecretIndex{}));
}

TEST_CASE("summary of a diagnose run and of a config error") {
  RunRecord r = base();
  r.diagnose = true;
  r.result = TaskResult::Failed;
  r.conclusion = "Diagnose: 1 of 3 checks failed for vault 'fkv-basic': Get permission. No variable was set.";
  r.findings = {{"Proxy", FindingStatus::ok, "No proxy is configured: every request goes direct."},
                {"Get permission", FindingStatus::failed, "Access to secret 'fkv-diagnose-0a' was denied."},
                {"Secrets filter", FindingStatus::skipped, "The vault cannot be listed (see List permission)."}};
  check_expected("diagnose", render_summary(r, fkv::SecretIndex{}));

  RunRecord config;
  config.result = TaskResult::Failed;
  config.conclusion = "Input required: KeyVaultName.";
  config.failures = {{"KeyVaultName", "Input required: KeyVaultName.", "Set KeyVaultName to the name of the vault."}};
  const std::string text = render_summary(config, fkv::SecretIndex{});
  CHECK(text.rfind("### Key vault (unknown): failed\n", 0) == 0);
  CHECK(text.find("| KeyVaultName | Input required: KeyVaultName. | Set KeyVaultName to the name of the vault. |") !=
        std::string::npos);
}

TEST_CASE("tables stop at kMaxRows rows") {
  RunRecord r = base();
  for (std::size_t i = 0; i < kMaxRows + 5; ++i) r.skipped.push_back({"s" + std::to_string(i), "disabled"});
  const std::string text = render_summary(r, fkv::SecretIndex{});
  CHECK(text.find("| s99 | disabled |") != std::string::npos);
  CHECK(text.find("| s100 |") == std::string::npos);
  CHECK(text.find("\nand 5 more\n") != std::string::npos);
}

TEST_CASE("summary_failures: each failure with cause and fix, in conclude's order") {
  RunResult result;
  Conflict conflict;
  conflict.error = error(Stage::emit, "", "Secrets 'a' and 'b' would both set variable 'x'.", "Rename one.");
  conflict.secrets = {"a", "b"};
  result.conflicts.push_back(conflict);
  result.secret_failures.push_back(error(Stage::vault_get, "c", "C failed.", "Fix c."));
  result.list_failure = error(Stage::vault_list, "v", "The listing failed.", "Fix the list.");
  result.stopped = error(Stage::vault_get, "v", "The run was cancelled (SIGTERM).", "The job was cancelled.");
  result.not_fetched = {"d", "e"};
  const auto failures = summary_failures(result);
  REQUIRE(failures.size() == 5);
  CHECK(failures[0] == SummaryFailure{"a, b", "Secrets 'a' and 'b' would both set variable 'x'.", "Rename one."});
  CHECK(failures[1] == SummaryFailure{"c", "C failed.", "Fix c."});
  CHECK(failures[2] == SummaryFailure{"listing", "The listing failed.", "Fix the list."});
  CHECK(failures[3] == SummaryFailure{"run stopped", "The run was cancelled (SIGTERM).", "The job was cancelled."});
  CHECK(failures[4] == SummaryFailure{"d, e", "Not fetched because the run stopped.", "The job was cancelled."});
}

namespace {

struct Scripted : fkv::net::HttpClient {
  std::vector<int> statuses;
  std::size_t next = 0;
  fkv::net::Outcome send(const fkv::net::Request&) override {
    fkv::net::Response r;
    r.status = statuses.at(next++ % statuses.size());
    return r;
  }
};

fkv::net::Request request_to(std::string host, std::string target) {
  fkv::net::Request r;
  r.url.host = std::move(host);
  r.url.target = std::move(target);
  return r;
}

}  // namespace

TEST_CASE("PhaseClassifier: by host, and /secrets is the listing") {
  const PhaseClassifier classify{"dev.azure.com", "login.microsoftonline.com", "v.vault.azure.net"};
  CHECK(classify(request_to("dev.azure.com", "/org/_apis/x")) == RequestPhase::oidc);
  CHECK(classify(request_to("login.microsoftonline.com", "/t/oauth2/v2.0/token")) == RequestPhase::entra);
  CHECK(classify(request_to("v.vault.azure.net", "/secrets?api-version=7.5")) == RequestPhase::listing);
  CHECK(classify(request_to("v.vault.azure.net", "/secrets/a?api-version=7.5")) == RequestPhase::downloads);
  CHECK(classify(request_to("proxy.example", "/")) == RequestPhase::other);
  // A managed identity's token requests go through the same pipeline and are metered as their own phase.
  CHECK(classify(request_to("169.254.169.254", "/metadata/identity/oauth2/token")) == RequestPhase::imds);
  CHECK(std::string(to_string(RequestPhase::imds)) == "Managed identity token");
  const PhaseClassifier no_oidc{"", "login.microsoftonline.com", "v.vault.azure.net"};
  CHECK(no_oidc(request_to("", "/")) == RequestPhase::other);
}

TEST_CASE("MeteredClient counts calls, attempts (retries) and 429s per phase, and the span") {
  using Clock = std::chrono::steady_clock;
  Clock::time_point t{};
  MeterStats stats(PhaseClassifier{"dev.azure.com", "login.microsoftonline.com", "v.vault.azure.net"},
                   [&t] { return t += std::chrono::milliseconds(100); });
  Scripted inner;
  inner.statuses = {429, 200};
  MeteredClient attempts(inner, stats, MeteredClient::Layer::attempts);
  // A stand-in for the retrying client: each call makes two attempts.
  struct Twice : fkv::net::HttpClient {
    fkv::net::HttpClient& next;
    explicit Twice(fkv::net::HttpClient& n) : next(n) {}
    fkv::net::Outcome send(const fkv::net::Request& r) override {
      next.send(r);
      return next.send(r);
    }
  } twice(attempts);
  MeteredClient calls(twice, stats, MeteredClient::Layer::calls);
  calls.send(request_to("v.vault.azure.net", "/secrets/a"));
  calls.send(request_to("v.vault.azure.net", "/secrets/b"));
  const auto phases = stats.phases();
  REQUIRE(phases.size() == 1);
  CHECK(phases[0].name == "Downloads");
  CHECK(phases[0].requests == 4);
  CHECK(phases[0].retries == 2);
  CHECK(phases[0].throttled == 2);
  // Clock reads: call 1 start (100), 2 attempts (200-500), end (600); call 2 start 700 ... end 1200.
  CHECK(phases[0].seconds == doctest::Approx(1.1));
}

TEST_CASE("env_block: secret variables only, environment-safe names, first of a clash kept (issue 19)") {
  CHECK(env_block({}) == "");
  CHECK(env_block({{"tls-cert", false, false, true, false, ""}}) == "");
  CHECK(env_block({{"db-password", true, false, false, false, ""},
                   {"kv.api_key", true, true, false, false, ""},
                   {"tls-cert", false, false, true, false, ""},
                   {"DB_PASSWORD", true, false, false, false, ""},
                   {"1st", true, false, false, false, ""}}) == "env:\n"
                                                               "  DB_PASSWORD: $(db-password)\n"
                                                               "  KV_API_KEY: $(kv.api_key)\n"
                                                               "  _1ST: $(1st)\n");
}

TEST_CASE("summary: certificates written and JSON fields (issue 18)") {
  RunRecord r;
  r.vault = "kv1";
  add_variable(r, {"svc.password", true, false, false, true, ""});
  r.certificates.push_back({"signing", "certs/signing.pfx", "PKCS#12 (password)",
                            "CE594FC485625AA9F3239534AB75BAC22A4C71D5", "2030-01-01T00:00:00Z"});
  const std::string md = render_summary(r, fkv::SecretIndex{});
  CHECK(md.find("| svc.password | secret, JSON field |") != std::string::npos);
  CHECK(md.find("Certificates written") != std::string::npos);
  CHECK(md.find("| signing | certs/signing.pfx | PKCS\\#12 \\(password\\) | CE594FC485625AA9F3239534AB75BAC22A4C71D5 | "
                "2030-01-01T00:00:00Z |") != std::string::npos);
}

TEST_CASE("the summary passes the gate: held values and control characters never reach the file") {
  RunRecord r = base();
  r.result = TaskResult::Failed;
  r.token_subject = "sc://org/proj/\x1b]0;x\x07"
                    "conn\xe2\x80\xae";
  // Key Vault's text for one secret quotes another's value; Markdown would escape its '_' and '*'.
  const std::string value = "p_ss*word_of_db-1";
  r.failures = {{"api-key", "Forbidden: Key Vault says \"" + value + "\".", "Fix it."}};
  r.conclusion = "1 of 2 secrets could not be set: api-key (" + value + ").";
  fkv::SecretIndex held;
  held.add(value);
  const std::string text = render_summary(r, held);
  CHECK(text.find("p\\_ss") == std::string::npos);
  CHECK(text.find("word") == std::string::npos);
  CHECK(text.find("| api-key | Forbidden: Key Vault says \"\\*\\*\\*\". | Fix it. |") != std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\x07') == std::string::npos);
  CHECK(text.find("\xe2\x80\xae") == std::string::npos);
  CHECK(text.find("sc://org/proj/ \\]0;x conn ") != std::string::npos);
}
