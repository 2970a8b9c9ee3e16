// fake-azure: a local stand-in for dev.azure.com (OIDC), login.microsoftonline.com (Entra token
// endpoint) and <vault>.vault.azure.net (Key Vault secrets), driven by a scenario file. Test-only.
#include "app.hpp"
#include "cli.hpp"
#include "crypto.hpp"
#include "request_log.hpp"
#include "scenario.hpp"
#include "server.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>

#include <fstream>
#include <iostream>
#include <memory>

namespace {
void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}
}  // namespace

int main(int argc, char** argv) {
  // Never outlive the caller: if ns-run is killed (e.g. by a CTest timeout), its child dies and we get SIGTERM.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  fake::Options options;
  try {
    options = fake::parse_cli(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()) != "help") std::cerr << "fake-azure: " << e.what() << "\n";
    std::cerr << fake::kUsage;
    return 2;
  }
  try {
    fake::App app(fake::load_scenario(options.scenario));
    const auto& sc = app.scenario();
    std::vector<std::string> names = sc.served_names();
    std::vector<std::string> san = names;
    san.push_back("localhost");
    fake::TlsMaterial tls = fake::make_tls_material(san, {"127.0.0.1"});
    write_file(options.ca_out, tls.ca_cert_pem);
    if (!options.hosts_out.empty()) write_file(options.hosts_out, fake::hosts_file(sc.hosts_file_names()));
    std::unique_ptr<fake::RequestLog> log;
    if (!options.log.empty()) log = std::make_unique<fake::RequestLog>(options.log);

    std::cout << "fake-azure: scenario " << options.scenario << "\n";
    for (const auto& c : sc.connections)
      std::cout << "  connection " << c.id << " (" << c.name << "): iss=" << fake::connection_issuer(sc, c)
                << " sub=" << fake::connection_subject(sc, c) << " aud=" << fake::connection_audience(c) << "\n";
    for (const auto& v : sc.vaults) std::cout << "  vault " << v.host() << ": " << v.secrets.size() << " secrets\n";

    fake::ServerOptions server{options.bind, options.port, options.dns_port, options.threads, options.imds_bind};
    return fake::run_server(server, app, tls, log.get(), [&] {
      std::cout << "fake-azure: listening on " << options.bind << ":" << options.port
                << (options.dns_port ? ", DNS on udp " + std::to_string(options.dns_port) : std::string())
                << (options.imds_bind.empty() ? std::string() : ", IMDS on http://" + options.imds_bind + ":80")
                << std::endl;
      if (!options.ready_file.empty()) write_file(options.ready_file, std::to_string(getpid()) + "\n");
    });
  } catch (const std::exception& e) {
    std::cerr << "fake-azure: " << e.what() << "\n";
    return 1;
  }
}
