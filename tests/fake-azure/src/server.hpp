// The network shell of the fake (the only translation unit that includes Beast/Asio): HTTPS/1.1
// with keep-alive on one port, plain HTTP for IMDS (optional), DNS over UDP, signal handling. All decisions are App's.
#pragma once
#include "app.hpp"
#include "crypto.hpp"
#include "request_log.hpp"

#include <functional>
#include <string>

namespace fake {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 443;
  int dns_port = 0;  // 0: no DNS
  int threads = 4;
  std::string imds_bind;  // non-empty: also serve IMDS over plain HTTP on this address, port 80
};

// Binds everything, calls on_ready, serves until SIGTERM/SIGINT. Returns the exit code.
// Throws std::exception if binding fails.
int run_server(const ServerOptions& options, App& app, const TlsMaterial& tls, RequestLog* log,
               const std::function<void()>& on_ready);

}  // namespace fake
