#include "vault/messages.hpp"

#include "core/service_text.hpp"
#include "vault/kv_json.hpp"

namespace fkv::vault {
namespace {

std::string what(const Target& t) { return t.secret.empty() ? "the list of secrets" : "secret '" + t.secret + "'"; }

// At most 300 bytes, "..." included.
std::string first_line(std::string_view text) { return service_first_line(text, 297); }

void add_header(Error& e, const net::Response& r, const char* name) {
  if (auto v = r.header(name)) e.correlation.emplace_back(name, first_line(*v));
}

}  // namespace

Error error_from_response(const Target& t, const net::Response& r) {
  Error e;
  e.stage = t.stage;
  e.http_status = r.status;
  e.subject = t.secret.empty() ? t.vault_name : t.secret;
  const auto kv = parse_kv_error(r.body);
  // Codes come from the server too: through the sanitiser (they are compared and printed).
  const std::string code = kv ? service_first_line(kv->code, 100) : std::string();
  const std::string inner = kv ? service_first_line(kv->inner_code, 100) : std::string();
  e.service_code = !inner.empty() ? inner : code;
  const std::string in_vault = " in vault '" + t.vault_name + "'";
  bool firewall = false;

  switch (r.status) {
    case 403:
      if (inner == "ForbiddenByRbac") {
        e.message = "Access to " + what(t) + in_vault + " was denied by Azure RBAC.";
        e.hint = "Assign the \"Key Vault Secrets User\" role on the vault to the service connection's app "
                 "(role assignments can take a few minutes to apply).";
      } else if (inner == "AccessDenied") {
        e.message = "Access to " + what(t) + in_vault + " was denied by the vault's access policies.";
        e.hint = "Add an access policy for the service connection's app with the Get and List permissions on "
                 "secrets.";
      } else if (inner == "ForbiddenByFirewall" || inner == "ForbiddenByConnection") {
        firewall = true;
        e.message = "Vault '" + t.vault_name + "' refused the request from this agent's network address.";
        e.hint = "Allow the agent in the vault's network rules (Networking > Firewalls and virtual networks), or "
                 "run the job on an agent that reaches the vault through its private endpoint.";
      } else if (inner == "SecretDisabled") {
        e.message = "Secret '" + t.secret + "'" + " is disabled" + in_vault + ".";
        e.hint = "Enable the secret in the vault, or remove it from SecretsFilter.";
      } else {
        e.message = "Access to " + what(t) + in_vault + " was denied.";
        e.hint = "Give the service connection's app the Get and List permissions on secrets: the \"Key Vault "
                 "Secrets User\" role on RBAC vaults, or an access policy.";
      }
      break;
    case 404:
      if (t.secret.empty()) {
        e.message = "Vault '" + t.vault_name + "' answered 404 Not Found to the list of secrets.";
        e.hint = "Check KeyVaultName and the service connection's cloud.";
      } else {
        e.message = "Secret '" + t.secret + "' was not found" + in_vault + ".";
        e.hint = "Check the name and version in SecretsFilter: a recently deleted secret must be recovered first.";
      }
      break;
    case 400:
      e.message = "Key Vault rejected the request for " + what(t) + in_vault + " as invalid.";
      e.hint = "Secret names are 1-127 characters of 0-9, a-z, A-Z and '-', and versions are 32 hexadecimal "
               "characters.";
      break;
    case 401:
      e.message = "Key Vault did not accept the access token for " + what(t) + in_vault + ".";
      e.hint = "Check that the service connection's tenant is the vault's tenant and that its cloud "
               "(AzureKeyVaultServiceEndpointResourceId) matches the vault.";
      break;
    case 429:
      e.message = "Key Vault kept throttling the requests for " + what(t) + in_vault +
                  " (HTTP 429), also after "
                  "retries.";
      e.hint = "The vault is over its request limits: re-run later, or spread the pipelines that read this vault.";
      break;
    default:
      e.message = "Key Vault answered HTTP " + std::to_string(r.status) + " for " + what(t) + in_vault + ".";
      e.hint = "Re-run the job, and if it keeps failing, check the Azure status page.";
  }
  if (kv && !kv->message.empty()) e.message += " Key Vault says: \"" + first_line(kv->message) + "\"";
  add_header(e, r, "x-ms-request-id");
  if (firewall) add_header(e, r, "x-ms-keyvault-network-info");
  return e;
}

Error error_from_transport(const Target& t, const net::TransportError& err, std::string_view host, bool reached) {
  Error e;
  e.stage = t.stage;
  e.subject = t.secret.empty() ? t.vault_name : t.secret;
  const std::string h(host);
  using Kind = net::TransportError::Kind;
  if (err.kind == Kind::resolve_not_found && reached) {
    e.message = "The host name " + h + " of vault '" + t.vault_name + "' stopped resolving during the run (DNS " +
                "answered that it does not exist), so no further request was made.";
    e.hint = "Check the agent's DNS servers (for a private endpoint, the private DNS zone); the secrets fetched "
             "before that were set.";
    return e;
  }
  if (err.kind == Kind::resolve_not_found) {
    e.message = "Key vault '" + t.vault_name + "' not found: the host name " + h + " does not exist.";
    e.hint = "Check KeyVaultName, and that the service connection's cloud (AzureKeyVaultDnsSuffix) is the vault's.";
    return e;
  }
  const bool proxy = err.phase == net::TransportError::Phase::proxy;
  e.message = "Could not reach vault '" + t.vault_name + "' (" + h + ") for " + what(t) + ": " +
              (proxy ? net::to_string(err.phase) : net::to_string(err.kind)) +
              (err.detail.empty() ? "" : " (" + first_line(err.detail) + ")") + ".";
  if (proxy) {
    e.hint = "Check the agent's proxy settings (AGENT_PROXYURL or HTTPS_PROXY, and AGENT_PROXYBYPASSLIST / NO_PROXY) "
             "and that the proxy allows CONNECT to " +
             h + " on port 443.";
  } else if (err.kind == Kind::tls) {
    e.hint = "The TLS certificate of " + h +
             " could not be verified: if a proxy inspects TLS, give the agent its "
             "CA certificate (agent option --sslcacert / AGENT_CAINFO).";
  } else {
    e.hint = "Check the agent's network access to " + h + " on port 443 (DNS, proxy, firewall).";
  }
  return e;
}

Error cancelled_error(const Target& t, std::string_view signal_name) {
  Error e;
  e.stage = t.stage;
  e.subject = t.vault_name;
  e.message = "The run was cancelled (" + std::string(signal_name) + ") before every selected secret was fetched.";
  e.hint = "The job was cancelled or reached its own timeout; the secrets fetched before that were set.";
  return e;
}

Error deadline_error(const Target& t, const net::TransportError& err, std::string_view host, long long budget_seconds) {
  Error e;
  e.stage = t.stage;
  e.subject = t.vault_name;
  const std::string h(host);
  e.message = "The run reached its time limit of " + std::to_string(budget_seconds) + " s (TimeoutSeconds) while " +
              what(t) + " from " + h + " was stalled in the " + net::to_string(err.phase) + " phase" +
              (err.detail.empty() ? std::string() : " (" + first_line(err.detail) + ")") + ".";
  e.hint = "Check the agent's network path to " + h +
           " (proxy, firewall, DNS). For a very large or throttled vault "
           "raise TimeoutSeconds.";
  return e;
}

}  // namespace fkv::vault
