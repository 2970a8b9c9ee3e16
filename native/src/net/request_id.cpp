#include "net/request_id.hpp"

#include "core/text.hpp"

namespace fkv::net {

std::string_view request_id_header(std::string_view host, std::string_view entra_host) {
  return iequals(host, entra_host) ? "client-request-id" : "x-ms-client-request-id";
}

std::string guid_from_hex(std::string_view hex) {
  std::string h(hex.substr(0, 32));
  h.resize(32, '0');
  h[12] = '4';  // version 4
  h[16] = "89ab"[static_cast<unsigned char>(h[16]) % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

Outcome RequestIdClient::send(const Request& request) {
  for (const auto& header : request.headers) {
    if (iequals(header.name, "client-request-id") || iequals(header.name, "x-ms-client-request-id")) {
      return inner_.send(request);
    }
  }
  Request with_id = request;
  with_id.headers.push_back({std::string(request_id_header(request.url.host, entra_host_)), new_id_()});
  return inner_.send(with_id);
}

}  // namespace fkv::net
