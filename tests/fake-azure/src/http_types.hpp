// The fake's view of one HTTP exchange, free of Beast so that all service logic is unit-testable.
#pragma once
#include "stall.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fake {

struct HttpRequest {
  std::string method;
  std::string host;                                          // lower-case, port removed
  std::string target;                                        // path + query as sent
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::uint64_t connection_id = 0;
  bool plain = false;  // arrived on the plain-HTTP (IMDS) listener, not over TLS

  // First value of a header (name lower-case), empty when absent.
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
  bool has_header(std::string_view name) const {
    for (const auto& h : headers)
      if (h.first == name) return true;
    return false;
  }
};

// What the request log records besides method/host/target/status/times.
struct LogInfo {
  std::string token = "none";        // which credential the Authorization header carried (never the token)
  std::string assertion;             // token endpoint: class of client_assertion ("oidc", "unknown", ...)
  std::string issued;                // token endpoint: "access:<id>" of the token handed out
  std::string fault;                 // "faults[i]" when an injected fault decided the answer
  std::string stall;                 // the stall kind when the answer is stalled ("headers", ...)
  bool plain = false;                // the plain-HTTP (IMDS) listener took the request
  std::string user_agent;            // the request's User-Agent
  std::string ms_client_request_id;  // x-ms-client-request-id (Key Vault's request id header)
  std::string client_request_id;     // client-request-id (Entra's)
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int delay_ms = 0;          // wait this long before answering
  bool reset = false;        // send nothing; close the connection with a TCP RST
  std::vector<int> interim;  // 1xx responses to send before this one
  StallSpec stall;           // how to (not) deliver this response
  LogInfo log;

  std::string header(std::string_view name) const;  // case-insensitive
  void set(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

}  // namespace fake
