// The services the fake plays (Azure DevOps OIDC, Entra ID token endpoint, Key Vault, IMDS), plus the
// "foreign host" that only exists to catch leaked requests. Pure functions of (state, request).
#pragma once
#include "crypto.hpp"
#include "http_types.hpp"
#include "scenario.hpp"
#include "state.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace fake {

struct Services {
  const Scenario& scenario;
  const Rs256Key& key;
  TokenRegistry& tokens;
  RateWindows& rates;
  Counters& imds_calls;                  // token requests IMDS has seen (for the warm-up)
  FirstTimes& first_refusals;            // per vault: its first RBAC/access-policy 403 (accessAppliesAfterMs)
  std::function<std::int64_t()> now_ms;  // epoch milliseconds; injectable for tests
  std::int64_t now() const { return now_ms() / 1000; }
};

HttpResponse handle_devops(Services& s, const HttpRequest& req);
HttpResponse handle_entra(Services& s, const HttpRequest& req);
HttpResponse handle_keyvault(Services& s, const Vault& vault, const HttpRequest& req);
HttpResponse handle_foreign(Services& s, const HttpRequest& req);
// The Azure Instance Metadata Service's managed identity token endpoint (2018-02-01), plain HTTP.
HttpResponse handle_imds(Services& s, const HttpRequest& req);

// The OIDC token Azure DevOps would issue for a connection (nullptr: the pipeline's own token).
std::string issue_oidc_token(Services& s, const Connection* connection);

// Error bodies in each service's real shape.
HttpResponse devops_error(int status, const std::string& type_key, const std::string& type_name,
                          const std::string& message);
HttpResponse entra_error(Services& s, int status, const std::string& error, int code, const std::string& text);
// The same shape with error_description exactly `description` (no AADSTS prefix, no trace suffix).
HttpResponse entra_error_text(Services& s, int status, const std::string& error, int code,
                              const std::string& description);
HttpResponse keyvault_error(int status, const std::string& code, const std::string& message,
                            const std::string& inner = {});
// Entra's text for a few AADSTS codes, for faults that ask for one by number.
HttpResponse entra_error_by_code(Services& s, int code, int status);

std::string json_escape(std::string_view s);  // contents of a JSON string literal, without quotes

}  // namespace fake
