#include "diagnose/checks.hpp"

#include <doctest/doctest.h>

#include "agent/commands.hpp"
#include "agent/environment.hpp"
#include "fake_http_client.hpp"

using namespace fkv;
using agent::FindingStatus;
using agent::SummaryFinding;
using fkv::test::FakeHttpClient;

namespace {

const char* kVault = "https://fkv-unit.vault.azure.net/";
const char* kProbe = "fkv-diagnose-0123456789abcdef";

agent::TaskConfig config() {
  agent::TaskConfig c;
  c.vault_name = "fkv-unit";
  c.connection.auth = AuthScheme::service_principal_secret;
  c.connection.authority = *net::parse_https_url("https://login.microsoftonline.com/");
  c.connection.tenant_id = "11111111-2222-4333-8444-555555555555";
  c.connection.client_id = "cccccccc-0000-4000-8000-000000000001";
  c.connection.client_secret = "s3cret-value";
  c.connection.vault_dns_suffix = "vault.azure.net";
  c.connection.vault_resource = "https://vault.azure.net";
  return c;
}

struct Harness {
  agent::TaskConfig cfg = config();
  FakeHttpClient http;
  RunControl run{std::chrono::seconds(60)};
  std::vector<std::string> registered;
  std::optional<net::TransportError> resolve_error;
  std::vector<SummaryFinding> streamed;

  diagnose::Result check() {
    diagnose::Input in;
    in.config = &cfg;
    in.credential = agent::credential_of(cfg);
    in.scope = "https://vault.azure.net/.default";
    in.http = &http;
    in.vault_http = &http;
    in.register_secret = [this](std::string_view s) { registered.emplace_back(s); };
    in.resolve = [this](const std::string&, std::string& address) {
      address = "10.0.0.1";
      return resolve_error;
    };
    in.probe_name = kProbe;
    in.run = &run;
    in.on_finding = [this](const SummaryFinding& f) { streamed.push_back(f); };
    auto result = diagnose::run_checks(in);
    CHECK(streamed == result.findings);  // each finding handed on as it was made, in order
    return result;
  }
  void token() {
    http.on("POST", "https://login.microsoftonline.com/",
            FakeHttpClient::json(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"fkv-unit-token"})"));
  }
};

std::vector<std::pair<std::string, FindingStatus>> statuses(const diagnose::Result& r) {
  std::vector<std::pair<std::string, FindingStatus>> out;
  for (const auto& f : r.findings) out.emplace_back(f.check, f.status);
  return out;
}

const char* kRbac =
    R"({"error":{"code":"Forbidden","message":"Caller is not authorized.","innererror":{"code":"ForbiddenByRbac"}}})";
const char* kFirewall =
    R"({"error":{"code":"Forbidden","message":"Client address is not authorized.","innererror":{"code":"ForbiddenByFirewall"}}})";
const char* kNotFound = R"({"error":{"code":"SecretNotFound","message":"A secret with (name/id) x was not found."}})";

}  // namespace

TEST_CASE("all good: list one page, a GET of the made-up name only, the filter from the names") {
  Harness h;
  h.token();
  h.http.on("GET", std::string(kVault) + "secrets?api-version=7.5&maxresults=1",
            FakeHttpClient::json(200,
                                 R"({"value":[{"id":"https://fkv-unit.vault.azure.net/secrets/a"}],"nextLink":null})"));
  h.http.on("GET", std::string(kVault) + "secrets/" + kProbe, FakeHttpClient::json(404, kNotFound));
  h.http.on("GET", std::string(kVault) + "secrets?api-version=7.5&maxresults=25",
            FakeHttpClient::json(
                200, R"({"value":[{"id":"https://fkv-unit.vault.azure.net/secrets/a"},)"
                     R"({"id":"https://fkv-unit.vault.azure.net/secrets/b","attributes":{"enabled":false}}]})"));
  const auto r = h.check();
  using S = FindingStatus;
  CHECK(statuses(r) == std::vector<std::pair<std::string, S>>{{"Name resolution login.microsoftonline.com", S::ok},
                                                              {"Name resolution fkv-unit.vault.azure.net", S::ok},
                                                              {"OIDC token", S::skipped},
                                                              {"Entra token exchange", S::ok},
                                                              {"Firewall", S::ok},
                                                              {"List permission", S::ok},
                                                              {"Get permission", S::ok},
                                                              {"Secrets filter", S::ok}});
  CHECK(r.findings.back().text == "The vault has 2 secrets (1 disabled, 0 expired). The filter selects 1 of the "
                                  "enabled, unexpired ones: a.");
  CHECK(r.findings[0].text == "login.microsoftonline.com resolves to 10.0.0.1.");
  CHECK(h.http.unmatched().empty());
  for (const auto& request : h.http.requests()) {
    if (request.url.host != "fkv-unit.vault.azure.net") continue;
    const bool allowed = request.url.target.rfind("/secrets?", 0) == 0 ||
                         request.url.target.rfind(std::string("/secrets/") + kProbe + "?", 0) == 0;
    CHECK_MESSAGE(allowed, request.url.target);
  }
  CHECK(h.registered == std::vector<std::string>{"s3cret-value", "fkv-unit-token"});
  CHECK(diagnose::verdict("fkv-unit", r.findings).result == agent::TaskResult::Succeeded);
}

TEST_CASE("no Get permission: the 403 is the finding, with the download run's cause and fix") {
  Harness h;
  h.token();
  h.http.on("GET", std::string(kVault) + "secrets?", FakeHttpClient::json(200, R"({"value":[]})"));
  h.http.on("GET", std::string(kVault) + "secrets/" + kProbe, FakeHttpClient::json(403, kRbac));
  const auto r = h.check();
  const auto& get = r.findings[6];
  CHECK(get.check == "Get permission");
  CHECK(get.status == FindingStatus::failed);
  CHECK(get.text == "Access to secret 'fkv-diagnose-0123456789abcdef' in vault 'fkv-unit' was denied by Azure RBAC. "
                    "Key Vault says: \"Caller is not authorized.\" Assign the \"Key Vault Secrets User\" role on the "
                    "vault to the service connection's app (role assignments can take a few minutes to apply). "
                    "(vault-get, HTTP 403, ForbiddenByRbac)");
  CHECK(r.findings[5].status == FindingStatus::ok);
  const auto verdict = diagnose::verdict("fkv-unit", r.findings);
  CHECK(verdict.result == agent::TaskResult::Failed);
  CHECK(verdict.message == "Diagnose: 1 of 8 checks failed for vault 'fkv-unit': Get permission. No variable was set.");
}

TEST_CASE("firewall: one failed finding, list, get and filter not checked") {
  Harness h;
  h.token();
  h.http.on("GET", std::string(kVault) + "secrets", FakeHttpClient::json(403, kFirewall));
  const auto r = h.check();
  using S = FindingStatus;
  CHECK(statuses(r).back() == std::pair<std::string, S>{"Secrets filter", S::skipped});
  CHECK(r.findings[4].check == "Firewall");
  CHECK(r.findings[4].status == S::failed);
  CHECK(r.findings[4].text.rfind("Vault 'fkv-unit' refused the request from this agent's network address.", 0) == 0);
  CHECK(r.findings[5].status == S::skipped);
  CHECK(r.findings[6].status == S::skipped);
}

TEST_CASE("a vault name that does not resolve: the not-found text, and no request to the vault") {
  Harness h;
  h.token();
  h.resolve_error = net::TransportError{net::TransportError::Kind::resolve_not_found, "Host not found",
                                        net::TransportError::Phase::resolve};
  const auto r = h.check();
  CHECK(r.findings[0].status == FindingStatus::failed);  // login.microsoftonline.com (same resolver here)
  CHECK(r.findings[1].text == "Key vault 'fkv-unit' not found: the host name fkv-unit.vault.azure.net does not "
                              "exist. Check KeyVaultName, and that the service connection's cloud "
                              "(AzureKeyVaultDnsSuffix) is the vault's. (vault-list)");
  for (const auto& request : h.http.requests()) CHECK(request.url.host != "fkv-unit.vault.azure.net");
  CHECK(r.findings.back().text == "The vault's host name does not resolve.");
}

TEST_CASE("finding_lines: ok and not checked as plain lines, failures as error issues") {
  const std::vector<SummaryFinding> findings = {{"Proxy", FindingStatus::ok, "No proxy."},
                                                {"List permission", FindingStatus::failed, "Denied. Fix it."},
                                                {"Secrets filter", FindingStatus::skipped, "No list."}};
  CHECK(diagnose::finding_lines(findings) ==
        std::vector<std::string>{"Proxy: ok. No proxy.",
                                 "##vso[task.logissue type=error]List permission: Denied. Fix it.",
                                 "Secrets filter: not checked. No list."});
  CHECK(diagnose::verdict("v", {findings[0]}).message ==
        "Diagnose: all 1 checks passed for vault 'v'. No variable was set.");
}
