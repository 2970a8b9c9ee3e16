#include "cli.hpp"

#include <stdexcept>

namespace fake {

const char* const kUsage =
    "usage: fake-azure --scenario FILE [--port 443] [--bind 127.0.0.1] --ca-out FILE [--hosts-out FILE]\n"
    "                  [--log FILE] [--ready-file FILE] [--dns-port N] [--threads N] [--imds-bind ADDR]\n";

Options parse_cli(const std::vector<std::string>& args) {
  Options o;
  auto number = [](const std::string& flag, const std::string& v, int lo, int hi) {
    std::size_t used = 0;
    int n = -1;
    try {
      n = std::stoi(v, &used);
    } catch (...) {
      used = 0;
    }
    if (used != v.size() || n < lo || n > hi)
      throw std::invalid_argument(flag + " needs a number in " + std::to_string(lo) + ".." + std::to_string(hi) +
                                  ", got '" + v + "'");
    return n;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") throw std::invalid_argument("help");
    if (i + 1 >= args.size()) throw std::invalid_argument("missing value after " + a);
    const std::string& v = args[++i];
    if (a == "--scenario") o.scenario = v;
    else if (a == "--port") o.port = number(a, v, 0, 65535);
    else if (a == "--bind") o.bind = v;
    else if (a == "--ca-out") o.ca_out = v;
    else if (a == "--hosts-out") o.hosts_out = v;
    else if (a == "--log") o.log = v;
    else if (a == "--ready-file") o.ready_file = v;
    else if (a == "--dns-port") o.dns_port = number(a, v, 1, 65535);
    else if (a == "--imds-bind") o.imds_bind = v;
    else if (a == "--threads") o.threads = number(a, v, 1, 64);
    else throw std::invalid_argument("unknown option " + a);
  }
  if (o.scenario.empty()) throw std::invalid_argument("--scenario FILE is required");
  if (o.ca_out.empty()) throw std::invalid_argument("--ca-out FILE is required");
  return o;
}

std::string hosts_file(const std::vector<std::string>& names) {
  std::string out = "127.0.0.1 localhost\n";
  for (const auto& n : names) out += "127.0.0.1 " + n + "\n";
  return out;
}

}  // namespace fake
