// The scenario: everything the fake pretends exists (organization, connections, tenants, apps with
// federated credentials, vaults and secrets) plus the faults it injects. Loaded once from JSON;
// immutable afterwards. The format is documented in tests/fake-azure/README.md.
#pragma once
#include "stall.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <unordered_map>
#include <vector>

namespace fake {

inline constexpr std::string_view kTokenExchangeAudience = "api://AzureADTokenExchange";
// The Entra application behind api://AzureADTokenExchange: the `aud` of Entra-issued ADO tokens.
inline constexpr std::string_view kTokenExchangeAppId = "fb60f99c-7a34-4190-8149-302f77469936";
inline constexpr std::string_view kAzureDevOpsAppId = "499b84ac-1321-427f-aa17-267ca6975798";
inline constexpr std::string_view kVaultResource = "https://vault.azure.net";

struct Tenant {
  std::string id;                    // GUID
  std::vector<std::string> domains;  // also accepted in the token URL path
};

struct FederatedCredential {
  std::string issuer, subject, audience;
};

struct ClientSecret {
  std::string value;
  bool expired = false;  // Entra answers AADSTS7000222 for it
};

struct AppRegistration {
  std::string client_id;
  std::string tenant;  // GUID
  std::vector<FederatedCredential> federated_credentials;
  std::vector<ClientSecret> client_secrets;
  std::vector<std::string> certificates;  // PEM certificates (public part) registered on the app
};

enum class IssuerFormat { AzureDevOps, Entra };

struct Connection {
  std::string id, name;
  IssuerFormat issuer_format = IssuerFormat::AzureDevOps;
  std::string tenant;  // GUID
  std::string client_id;
  int oidc_lifetime_seconds = 300;
};

struct SecretVersion {
  std::string version;  // 32 hex
  std::string value;    // bytes (valid UTF-8)
  bool enabled = true;
  std::optional<std::int64_t> exp, nbf;
  std::int64_t created = 1700000000, updated = 1700000000;
  std::optional<std::string> content_type;
  std::vector<std::pair<std::string, std::string>> tags;
  bool managed = false;
};

struct Secret {
  std::string name;
  std::vector<SecretVersion> versions;  // never empty; back() is the current version
  std::string forbidden;                // innererror code of a 403 on GET, empty if allowed
  const SecretVersion& current() const { return versions.back(); }
};

struct Throttle {
  int limit = 4000;  // requests per window per vault; 0 disables the emulation
  int window_seconds = 10;
  std::optional<std::string> retry_after;  // Retry-After value to send (real Key Vault sends none)
};

struct Vault {
  std::string name;    // <name>.vault.azure.net
  std::string tenant;  // GUID of the tenant whose tokens the vault accepts
  std::vector<Secret> secrets;
  int page_size = 25;
  std::set<int> empty_pages;  // 1-based page numbers served as "value": [] with a nextLink
  bool null_value_when_empty = false;
  std::string forbidden;       // innererror code for every request (vault-wide 403)
  std::string list_forbidden;  // innererror code for list requests only
  std::string get_forbidden;   // innererror code for every GET of one secret (existing or not): no Get permission
  std::vector<std::string> allowed_clients;  // empty: every client of the tenant
  // The vault's ForbiddenByRbac / AccessDenied refusals (allowedClients, forbidden, listForbidden, getForbidden,
  // a secret's forbidden) end this many ms after its first such refusal: a role assignment that "applies".
  std::optional<std::int64_t> access_applies_after_ms;
  std::string next_link_host;       // foreign host put into nextLink (empty: the vault)
  std::string challenge_authority;  // authorization= of the 401 challenge (empty: real one)
  std::string challenge_resource;   // resource= of the 401 challenge (empty: real one)
  Throttle throttle;
  std::optional<int> dns_fail_after;  // DNS gives this many A answers, then NXDOMAIN; not in the hosts file
  // Lower-case name -> position in `secrets`, built by the parser: a GET must not scan thousands of
  // secrets (the fake shares the benchmark's cores with the tool it measures).
  std::unordered_map<std::string, std::size_t> secret_index;
  std::string host() const { return name + ".vault.azure.net"; }
  const Secret* find_secret(const std::string& lower_name) const {
    auto it = secret_index.find(lower_name);
    return it == secret_index.end() ? nullptr : &secrets[it->second];
  }
};

struct Fault {
  std::string host = "*", method = "*", path = "*";  // globs; path without the query
  std::vector<int> nth;                              // 1-based occurrence numbers among matching requests; empty: all
  int times = 0;                                     // with nth empty: only the first `times` matches (0: unlimited)
  int status = 0;                                    // 0: no status fault (delay only / reset)
  std::optional<std::string> retry_after;
  std::optional<int> retry_after_date_in;  // Retry-After as an HTTP date this many seconds ahead
  std::optional<int> retry_after_ms;       // retry-after-ms header
  bool reset = false;                      // close the TCP connection abruptly (RST), no response
  int delay_ms = 0;
  int entra_error = 0;       // answer with this AADSTS code (login host)
  StallSpec stall;           // hang instead of answering properly (see stall.hpp)
  std::vector<int> interim;  // 1xx responses sent before the answer
  // A custom error text (needs status): Key Vault error.code/message, Entra error/error_description,
  // Azure DevOps typeKey/message. "{{token}}" / "{{assertion}}" become the request's bearer token /
  // client_assertion (token echo), also in header values.
  std::optional<std::string> error_code, error_message;
  std::vector<std::pair<std::string, std::string>> headers;  // extra response fields (override same names)
  bool fires_on(int occurrence) const;
  // True when the rule shapes the answer (status, reset, stall, interim, headers); false for a pure delay.
  bool decides() const;
};

// A managed identity the fake's IMDS (169.254.169.254) hands tokens out for.
struct ManagedIdentity {
  std::string client_id;  // GUID (the identity's application id)
  std::string tenant;     // GUID
};

// The Azure Instance Metadata Service of the "VM" the task runs on (absent: not an Azure VM).
struct Imds {
  std::optional<ManagedIdentity> system_assigned;  // absent: the VM's system-assigned identity is off
  std::vector<ManagedIdentity> user_assigned;
  int warmup_not_found = 0;  // the first N token requests answer 404 (the identity is still being attached)
};

struct Scenario {
  std::string org_name = "fkv-org", org_id = "7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7e90";
  std::string project_name = "fkv-project", project_id = "3f2c1b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b";
  std::string pipeline_name = "fkv-pipeline";
  std::string job_token = "fkv-job-token";
  int clock_skew_seconds = 0;
  int latency_ms = 0;
  int connect_delay_ms = 0;  // wait this long after accepting a connection before the TLS handshake
  std::vector<Tenant> tenants;
  std::vector<AppRegistration> apps;
  std::vector<Connection> connections;
  std::vector<Vault> vaults;
  std::vector<std::string> foreign_hosts;
  std::vector<Fault> faults;
  std::optional<Imds> imds;

  // Every DNS name served, lower-case: dev.azure.com, login.microsoftonline.com, vaults, foreign hosts.
  std::vector<std::string> served_names() const;
  // The names written to the hosts file: served names except vaults with dnsFailAfter (resolved by DNS).
  std::vector<std::string> hosts_file_names() const;
  // DNS budgets: vault host -> dnsFailAfter.
  std::map<std::string, int> dns_fail_after() const;
  bool has_accept_stalls() const;
  const Tenant* find_tenant(std::string_view id_or_domain) const;
  const AppRegistration* find_app(std::string_view tenant_id, std::string_view client_id) const;
  const Connection* find_connection(std::string_view id) const;
  const Vault* find_vault_by_host(std::string_view host) const;
  bool is_foreign_host(std::string_view host) const;
};

// Issuer and subject of the OIDC token the fake issues for a connection.
std::string connection_issuer(const Scenario& s, const Connection& c);
std::string connection_subject(const Scenario& s, const Connection& c);
std::string connection_audience(const Connection& c);

// Throws std::runtime_error naming the offending JSON path on invalid input.
Scenario parse_scenario(std::string_view json);
Scenario load_scenario(const std::string& path);

bool is_valid_secret_name(std::string_view name);
bool is_valid_vault_name(std::string_view name);

}  // namespace fake
