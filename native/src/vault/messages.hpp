// Key Vault failures -> Errors users can act on (issue 3 "Messages users can act on"). Pure.
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
Error error_from_transport(const Target& target, const net::TransportError& error, std::string_view host);

}  // namespace fkv::vault
