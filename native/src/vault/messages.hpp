// Key Vault failures -> Errors users can act on (issue 3 "Messages users can act on"). Deterministic but for
// the secrets the process holds, which Key Vault's own text is redacted of (core/service_text.hpp).
//
// The message states what failed, the hint what to do. Key Vault's own message is appended (first line,
// control characters removed, at most 300 characters) as `Key Vault says: "…"`. Correlation: x-ms-request-id
// (and x-ms-keyvault-network-info for firewall denials: the client address Key Vault saw).
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "net/http.hpp"

namespace fkv::vault {

// What a request was about.
struct Target {
  Stage stage = Stage::vault_get;  // vault_list or vault_get
  std::string vault_name;
  std::string secret;  // validated "name" or "name/version"; empty for the list
};

Error error_from_response(const Target& target, const net::Response& response);
// `reached`: the vault answered earlier in this run (so a host that stops resolving is a DNS failure
// during the run, not a vault that does not exist).
Error error_from_transport(const Target& target, const net::TransportError& error, std::string_view host,
                           bool reached = false);

// The run stopped: cancelled by `signal_name` (e.g. "SIGTERM").
Error cancelled_error(const Target& target, std::string_view signal_name);
// The run's deadline (TimeoutSeconds = `budget_seconds`) passed while `error` was the request's outcome:
// names the host and the phase that stalled.
Error deadline_error(const Target& target, const net::TransportError& error, std::string_view host,
                     long long budget_seconds);

}  // namespace fkv::vault
