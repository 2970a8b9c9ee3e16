// The request id decorator (issue 19): every request that passes it gets a fresh id in the header the service
// logs, so a run's requests can be found in the service's own logs (Key Vault's AZKVAuditLogs, Entra's sign-in
// logs). Pure but for the id source, which is injected.
// - Entra (the configured login host): `client-request-id`; every other host: `x-ms-client-request-id`.
// - A request that already carries either header keeps its own.
// - The id is a random GUID-shaped text: it says nothing about the request.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "net/http.hpp"

namespace fkv::net {

// The header that names a request's id at `host`.
std::string_view request_id_header(std::string_view host, std::string_view entra_host);

// "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx" from 32 random hex digits.
std::string guid_from_hex(std::string_view hex32);

class RequestIdClient : public HttpClient {
 public:
  RequestIdClient(HttpClient& inner, std::string entra_host, std::function<std::string()> new_id)
      : inner_(inner), entra_host_(std::move(entra_host)), new_id_(std::move(new_id)) {}
  Outcome send(const Request& request) override;

 private:
  HttpClient& inner_;
  std::string entra_host_;
  std::function<std::string()> new_id_;
};

}  // namespace fkv::net
