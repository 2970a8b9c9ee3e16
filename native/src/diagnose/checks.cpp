#include "diagnose/checks.hpp"

#include <algorithm>
#include <cctype>

#include "agent/commands.hpp"
#include "agent/outcome.hpp"
#include "agent/secret_plan.hpp"
#include "auth/jwt_claims.hpp"
#include "auth/messages.hpp"
#include "auth/oidc.hpp"
#include "core/text.hpp"
#include "vault/client.hpp"
#include "vault/kv_json.hpp"
#include "vault/messages.hpp"

namespace fkv::diagnose {
namespace {

using agent::FindingStatus;
using agent::SummaryFinding;

SummaryFinding ok(std::string check, std::string text) {
  return {std::move(check), FindingStatus::ok, std::move(text)};
}
SummaryFinding failed(std::string check, const Error& error) {
  return {std::move(check), FindingStatus::failed, agent::describe(error)};
}
SummaryFinding skipped(std::string check, std::string why) {
  return {std::move(check), FindingStatus::skipped, std::move(why)};
}

std::string joined(const std::vector<std::string>& names, std::size_t at_most = 20) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < at_most; ++i) out += (out.empty() ? "" : ", ") + names[i];
  if (names.size() > at_most) out += " and " + std::to_string(names.size() - at_most) + " more";
  return out;
}

bool is_firewall(const Error& e) {
  return e.http_status == 403 && (e.service_code == "ForbiddenByFirewall" || e.service_code == "ForbiddenByConnection");
}

net::Url with_target(net::Url url, std::string target) {
  url.target = std::move(target);
  return url;
}

constexpr const char* kList = "List permission";
constexpr const char* kGet = "Get permission";
constexpr const char* kFirewall = "Firewall";
constexpr const char* kFilter = "Secrets filter";
constexpr const char* kEntra = "Entra token exchange";

}  // namespace

namespace {

// The state the checks share: the input, the findings so far, and how each is handed on.
struct Checks {
  const Input& in;
  const agent::TaskConfig& cfg;
  Result& result;
  net::Url vault_url;
  bool federated = false;
  // Every finding is handed on the moment it is known, so a check that stalls does not hide the others.
  void add(agent::SummaryFinding finding) {
    result.findings.push_back(std::move(finding));
    if (in.on_finding) in.on_finding(result.findings.back());
  }
  Expected<std::string> reacquire(const std::string& challenge_scope) const {
    auto fresh = auth::acquire_access_token_for({*in.http, in.imds}, in.credential, challenge_scope,
                                                in.register_secret);
    if (!fresh) return fresh.error();
    return std::move(fresh->token);
  }
};

// Name resolution of every host; false when the vault's own does not resolve.
bool check_names(Checks& c) {
  const agent::TaskConfig& cfg = c.cfg;
  const Input& in = c.in;
  const net::Url& vault_url = c.vault_url;
  auto add = [&c](agent::SummaryFinding f) { c.add(std::move(f)); };
  const std::vector<net::Url> hosts = cfg.destinations();
  bool vault_resolves = true;
  for (const auto& url : hosts) {
    const std::string check = "Name resolution " + url.host;
    if (in.proxy) {
      if (auto proxy = net::proxy_for(*in.proxy, url)) {
        add(ok(check, "Not resolved here: requests to " + url.host + " go through the proxy " + proxy->host + ":" +
                          std::to_string(proxy->port) + ", which resolves it."));
        continue;
      }
    }
    std::string address;
    auto error = in.resolve(url.host, address);
    if (!error) {
      add(ok(check, url.host + " resolves to " + address + "."));
      continue;
    }
    if (url.host == vault_url.host) {
      vault_resolves = false;
      add(failed(check, vault::error_from_transport({Stage::vault_list, cfg.vault_name, ""}, *error, url.host)));
    } else {
      Error e;
      e.stage = url.host == cfg.connection.authority.host ? Stage::entra : Stage::oidc;
      e.message = "The host name " + url.host + " does not resolve (" + net::to_string(error->kind) +
                  (error->detail.empty() ? "" : ", " + error->detail) + ").";
      e.hint = "Check the agent's DNS servers, or its proxy settings (AGENT_PROXYURL) when it reaches Azure through "
               "a proxy.";
      add(failed(check, e));
    }
  }

  return vault_resolves;
}

// The OIDC token and its claims (federation only).
void check_oidc(Checks& c) {
  const agent::TaskConfig& cfg = c.cfg;
  const Input& in = c.in;
  Result& result = c.result;
  auto add = [&c](agent::SummaryFinding f) { c.add(std::move(f)); };
  if (c.federated) {
    const net::Outcome outcome = in.http->send(auth::oidc_request(cfg.oidc_request_url, cfg.job_token));
    auto token = auth::read_oidc_response(cfg.oidc_request_url, outcome);
    if (!token) {
      add(failed("OIDC token", agent::explain_stop(token.error(), *in.run)));
    } else {
      in.register_secret(*token);
      const auto claims = auth::decode_jwt_claims(*token);
      if (!claims) {
        add(ok("OIDC token", "Azure DevOps issued a token, but its claims cannot be read (it is not a "
                             "JWT), so the federated credential it needs cannot be shown."));
      } else {
        result.token_issuer = claims->iss;
        result.token_subject = claims->sub;
        add(ok("OIDC token", "Azure DevOps issued a token with issuer " + claims->iss + ", subject " + claims->sub +
                                 " and audience " + joined(claims->aud) + ". The app registration " +
                                 cfg.connection.client_id +
                                 " needs a federated credential with exactly this issuer "
                                 "and subject, and audience " +
                                 auth::kTokenExchangeAudience + "."));
      }
    }
  } else {
    add(skipped("OIDC token",
                "Not used: the service connection's scheme is " + std::string(describe(cfg.connection.auth)) + "."));
  }
}

// The Entra exchange (for federation a fresh OIDC token again, as a download run does).
std::optional<auth::AccessToken> check_entra(Checks& c) {
  const Input& in = c.in;
  auto& findings = c.result.findings;
  auto add = [&c](agent::SummaryFinding f) { c.add(std::move(f)); };
  std::optional<auth::AccessToken> access;
  if (c.federated && findings.back().status == FindingStatus::failed) {
    add(skipped(kEntra, "There is no OIDC token to exchange (see OIDC token)."));
  } else if (auto token = auth::acquire_access_token_for({*in.http, in.imds}, in.credential, in.scope,
                                                         in.register_secret)) {
    access = std::move(*token);
    add(ok(kEntra, "Microsoft Entra ID issued an access token for " + in.scope + "."));
  } else {
    add(failed(kEntra, agent::explain_stop(token.error(), *in.run)));
  }

  return access;
}

// Firewall, List and Get: one page of the listing and a GET of a secret that cannot exist. Returns whether
// the filter can be checked (the vault answered and can be listed); otherwise the filter's finding is made.
bool check_access(Checks& c, const net::Bearer& bearer) {
  const agent::TaskConfig& cfg = c.cfg;
  const Input& in = c.in;
  const net::Url& vault_url = c.vault_url;
  auto add = [&c](agent::SummaryFinding f) { c.add(std::move(f)); };
  // One page of the listing, one name at most.
  net::Request list;
  list.url = with_target(vault_url, "/secrets?api-version=7.5&maxresults=1");
  list.bearer = bearer;
  const vault::Target list_target{Stage::vault_list, cfg.vault_name, ""};
  std::optional<Error> list_error;
  std::size_t listed_names = 0;
  const net::Outcome list_outcome = in.vault_http->send(list);
  if (const auto* response = std::get_if<net::Response>(&list_outcome)) {
    if (response->status == 200) {
      auto page = vault::parse_list_page(response->body);
      if (page) listed_names = page->items.size();
    } else {
      list_error = vault::error_from_response(list_target, *response);
    }
  } else {
    list_error = vault::error_from_transport(list_target, std::get<net::TransportError>(list_outcome), vault_url.host);
  }

  // A secret that cannot exist.
  net::Request get;
  get.url = with_target(vault_url, "/secrets/" + in.probe_name + "?api-version=7.5");
  get.bearer = bearer;
  const vault::Target get_target{Stage::vault_get, cfg.vault_name, in.probe_name};
  std::optional<Error> get_error;
  const net::Outcome get_outcome = in.vault_http->send(get);
  if (const auto* response = std::get_if<net::Response>(&get_outcome)) {
    const Error answer = vault::error_from_response(get_target, *response);
    if (response->status != 200 && !(response->status == 404 && answer.service_code == "SecretNotFound")) {
      get_error = answer;
    }
  } else {
    get_error = vault::error_from_transport(get_target, std::get<net::TransportError>(get_outcome), vault_url.host);
  }

  const bool firewall = (list_error && is_firewall(*list_error)) || (get_error && is_firewall(*get_error));
  if (firewall) {
    add(failed(kFirewall, list_error && is_firewall(*list_error) ? *list_error : *get_error));
    add(skipped(kList, "The vault's firewall refused the request (see Firewall)."));
    add(skipped(kGet, "The vault's firewall refused the request (see Firewall)."));
    add(skipped(kFilter, "The vault's firewall refused the request (see Firewall)."));
    return false;
  }
  const bool answered = (!list_error || list_error->http_status != 0) || (!get_error || get_error->http_status != 0);
  if (answered) add(ok(kFirewall, "Vault '" + cfg.vault_name + "' answered this agent's requests."));
  else add(skipped(kFirewall, "The vault could not be reached."));

  if (list_error) add(failed(kList, *list_error));
  else
    add(ok(kList,
           "Key Vault listed one page of secret names (" + std::to_string(listed_names) + " with maxresults=1)."));
  if (get_error && !list_error && get_error->http_status == 403 && get_error->service_code == "ForbiddenByRbac") {
    // The same words as a download run's conclusion (agent/outcome.hpp).
    add(failed(kGet,
               agent::list_but_not_read(cfg.vault_name, cfg.connection.client_id.empty() ? cfg.connection.msi_client_id
                                                                                         : cfg.connection.client_id)));
  } else if (get_error) add(failed(kGet, *get_error));
  else
    add(ok(kGet, "Key Vault answered 404 SecretNotFound for a secret name that does not exist, so "
                 "Get is allowed. No secret value was read."));

  if (list_error) {
    add(skipped(kFilter, "The vault cannot be listed (see List permission)."));
    return false;
  }
  return true;
}

// The names the filter selects: the whole listing, names only, nothing fetched.
void check_filter(Checks& c, const std::string& access_token) {
  const agent::TaskConfig& cfg = c.cfg;
  const Input& in = c.in;
  const net::Url& vault_url = c.vault_url;
  auto add = [&c](agent::SummaryFinding f) { c.add(std::move(f)); };
  auto planned = agent::plan_of(cfg);
  if (!planned) {
    add(failed(kFilter, planned.error()));
    return;
  }
  agent::SecretPlan plan = std::move(*planned);
  std::vector<std::string> selected, listed;
  vault::FetchSource source;
  source.list = true;
  source.take = [&](const vault::ListedSecret& item) {
    listed.push_back(item.name);
    if (plan.lists() && plan.take(item)) selected.push_back(item.name);
    return false;  // never fetched
  };
  vault::ClientOptions options;
  options.vault_url = vault_url;
  options.vault_name = cfg.vault_name;
  options.vault_dns_suffix = cfg.connection.vault_dns_suffix;
  options.concurrency = 1;
  options.run = in.run;
  options.now = in.now;
  const vault::TokenSource reacquire = [&c](const std::string& scope) { return c.reacquire(scope); };
  vault::ListStats stats;
  vault::DownloadHooks hooks;
  hooks.secret = [](vault::SecretOutcome) {};
  hooks.listed = [&](const vault::ListStats& s) { stats = s; };
  auto summary = vault::download_secrets(*in.vault_http, options, source, access_token, reacquire, hooks);
  if (summary.list_failure || summary.stopped) {
    add(failed(kFilter, summary.list_failure ? *summary.list_failure : *summary.stopped));
    return;
  }
  std::vector<std::string> named, absent;
  for (const auto& ref : plan.before()) {
    named.push_back(ref.text());
    const bool present = std::any_of(listed.begin(), listed.end(),
                                     [&](const std::string& n) { return iequals(n, ref.name); });
    if (!present) absent.push_back(ref.name);
  }
  std::string text = "The vault has " + std::to_string(stats.found) + " secrets (" +
                     std::to_string(stats.disabled.size()) + " disabled, " + std::to_string(stats.expired.size()) +
                     " expired).";
  if (plan.lists()) {
    text += " The filter selects " + std::to_string(selected.size()) + " of the enabled, unexpired ones" +
            (selected.empty() ? "." : ": " + joined(selected) + ".");
  }
  if (!named.empty()) text += " It names " + joined(named) + ".";
  if (!absent.empty() && cfg.missing == agent::MissingSecrets::fail) {
    Error e;
    e.stage = Stage::vault_get;
    e.message = text + " Not in the vault (or disabled or expired): " + joined(absent) + ".";
    e.hint = "A download run fails for them: correct the names in SecretsFilter, or set MissingSecrets to 'warn'.";
    add(failed(kFilter, e));
  } else {
    if (!absent.empty()) text += " Not in the vault, skipped with a warning: " + joined(absent) + ".";
    add(ok(kFilter, text));
  }
}

}  // namespace

Result run_checks(const Input& in) {
  Result result;
  Checks c{in, *in.config, result, in.config->vault_url(),
           in.config->connection.auth == AuthScheme::workload_identity_federation};
  for (const auto& fact : in.facts) c.add(fact);
  const bool vault_resolves = check_names(c);
  check_oidc(c);
  const std::optional<auth::AccessToken> access = check_entra(c);
  if (!vault_resolves || !access) {
    const std::string why = !vault_resolves ? "The vault's host name does not resolve."
                                            : "There is no access token (see " + std::string(kEntra) + ").";
    for (const char* check : {kFirewall, kList, kGet, kFilter}) c.add(skipped(check, why));
    return result;
  }
  if (check_access(c, net::Bearer{access->token, c.vault_url.host})) check_filter(c, access->token);
  return result;
}

std::vector<std::string> finding_lines(const std::vector<agent::SummaryFinding>& findings) {
  std::vector<std::string> lines;
  for (const auto& f : findings) {
    switch (f.status) {
      case FindingStatus::ok: lines.push_back(agent::info(f.check + ": ok. " + f.text)); break;
      case FindingStatus::skipped: lines.push_back(agent::info(f.check + ": not checked. " + f.text)); break;
      case FindingStatus::failed:
        lines.push_back(agent::log_issue(agent::IssueType::error, f.check + ": " + f.text));
        break;
    }
  }
  return lines;
}

Verdict verdict(const std::string& vault_name, const std::vector<agent::SummaryFinding>& findings) {
  std::vector<std::string> failing;
  for (const auto& f : findings) {
    if (f.status == FindingStatus::failed) failing.push_back(f.check);
  }
  Verdict v;
  if (failing.empty()) {
    v.message = "Diagnose: all " + std::to_string(findings.size()) + " checks passed for vault '" + vault_name +
                "'. No variable was set.";
  } else {
    v.result = agent::TaskResult::Failed;
    v.message = "Diagnose: " + std::to_string(failing.size()) + " of " + std::to_string(findings.size()) +
                " checks failed for vault '" + vault_name + "': " + joined(failing, failing.size()) +
                ". No variable was set.";
  }
  return v;
}

}  // namespace fkv::diagnose
