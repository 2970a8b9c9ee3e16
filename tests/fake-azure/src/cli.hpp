// Command line of fake-azure (tests/e2e/ns-run depends on it):
//   fake-azure --scenario FILE [--port 443] [--bind 127.0.0.1] --ca-out FILE [--hosts-out FILE]
//              [--log FILE] [--ready-file FILE] [--dns-port N] [--threads N] [--imds-bind ADDR]
#pragma once
#include <string>
#include <vector>

namespace fake {

struct Options {
  std::string scenario, bind = "127.0.0.1", ca_out, hosts_out, log, ready_file;
  int port = 443;
  int dns_port = 0;  // 0: no DNS
  int threads = 4;
  std::string imds_bind;  // --imds-bind ADDR: serve IMDS over plain HTTP on ADDR:80 (169.254.169.254)
};

// Throws std::invalid_argument with a message naming the bad argument.
Options parse_cli(const std::vector<std::string>& args);
extern const char* const kUsage;

// The hosts file: "127.0.0.1 localhost" and one line per served name.
std::string hosts_file(const std::vector<std::string>& names);

}  // namespace fake
