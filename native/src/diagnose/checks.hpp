// Diagnose mode (Mode: diagnose, issue 12): checks the service connection and the vault without setting
// a variable or reading a secret's value, and reports every finding, not only the first.
//
// The checks, in order (each one finding; a check that needs an earlier one's result is "not checked"
// when that one failed):
//   Agent and platform, Trust, Proxy      facts given by main (always ok)
//   Name resolution <host>               each host the run talks to (through a proxy: the proxy resolves it)
//   OIDC token                           federation only: the request, and the token's iss/sub/aud next to
//                                        the federated credential the app registration must have
//   Entra token exchange                 the token for the vault, with the connection's scheme
//   Firewall                             the vault's answer to this agent's address (403 ForbiddenByFirewall /
//                                        ForbiddenByConnection)
//   List permission                      one page of the listing, maxresults=1
//   Get permission                       a GET of a secret name that cannot exist (fkv-diagnose-<random>):
//                                        404 SecretNotFound means Get is allowed, 403 that it is not. No
//                                        existing secret is ever fetched.
//   Secrets filter                       the names the filter selects, from the full listing (names only)
// A failed finding's text is the cause and fix a download run gives for the same failure (auth/messages,
// vault/messages through agent::describe), word for word.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/run_summary.hpp"
#include "agent/task_config.hpp"
#include "auth/credential.hpp"
#include "core/run_control.hpp"
#include "net/http.hpp"
#include "net/proxy.hpp"

namespace fkv::diagnose {

// nullopt when `host` resolves; else why not. `addresses` gets what it resolved to.
using Resolver = std::function<std::optional<net::TransportError>(const std::string& host, std::string& address)>;

struct Input {
  const agent::TaskConfig* config = nullptr;
  auth::Credential credential;
  std::string scope;                      // e.g. https://vault.azure.net/.default
  net::HttpClient* http = nullptr;        // OIDC and Entra (retrying)
  net::HttpClient* imds = nullptr;        // managed identity (retrying with the IMDS policy); may be null
  net::HttpClient* vault_http = nullptr;  // Key Vault (retrying, 429s left to the vault client)
  auth::SecretSink register_secret;       // every token, the moment it exists
  Resolver resolve;
  const net::ProxySettings* proxy = nullptr;
  std::vector<agent::SummaryFinding> facts;                      // Agent and platform, Trust, Proxy
  std::function<void(const agent::SummaryFinding&)> on_finding;  // optional: each finding, as it is made
  std::string probe_name;  // fkv-diagnose-<random hex>: a secret name that cannot exist
  const RunControl* run = nullptr;
  std::int64_t now = 0;  // unix seconds
};

struct Result {
  std::vector<agent::SummaryFinding> findings;
  std::string token_issuer, token_subject;  // of the OIDC token, when one was obtained
};

Result run_checks(const Input& input);

// One log line per finding: ok and not checked as plain lines ("<check>: ok. <text>"), failures as error
// issues ("<check>: <cause and fix>").
std::vector<std::string> finding_lines(const std::vector<agent::SummaryFinding>& findings);

// The message of task.complete, and whether the step succeeded.
struct Verdict {
  agent::TaskResult result = agent::TaskResult::Succeeded;
  std::string message;
};
Verdict verdict(const std::string& vault_name, const std::vector<agent::SummaryFinding>& findings);

}  // namespace fkv::diagnose
