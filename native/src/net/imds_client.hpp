// ImdsClient: the plain-HTTP HttpClient for the Azure Instance Metadata Service, and nothing else.
// This header includes no Beast or Asio; the implementation (imds_client.cpp) is a Beast TU of fkv_https.
//
// Behaviour (on top of the HttpClient contract in net/http.hpp, except that it speaks HTTP, not TLS):
// - Sends only to 169.254.169.254 port 80: a request for any other host or port, with a bearer token or a
//   body, or with a header it may not set, is refused (TransportError::Kind::refused) and nothing is sent.
// - Never uses a proxy (IMDS is link-local; no proxy setting of the agent or the environment applies).
// - One fresh connection per request (Connection: close); no pool, no redirects.
// - Timeouts: TCP connect at most `connect_timeout`, the whole exchange at most Request::timeout;
//   cancellation through `stop` (polled every 50 ms) fails the request with Kind::cancelled.
// - Failures: connect (Phase::connect, Kind::connect or timeout), reset, timeout, protocol (a response
//   above 64 KiB or not HTTP/1.x); TransportError::detail names 169.254.169.254:80 and the step.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "net/http.hpp"

namespace fkv::net {

struct ImdsOptions {
  std::chrono::milliseconds connect_timeout{2'000};
  std::string user_agent = "federated-keyvault/" FKV_VERSION;
  std::shared_ptr<const std::atomic<bool>> stop;
};

class ImdsClient : public HttpClient {
 public:
  explicit ImdsClient(ImdsOptions options = {});
  Outcome send(const Request& request) override;

 private:
  ImdsOptions options_;
};

}  // namespace fkv::net
