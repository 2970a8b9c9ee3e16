#include "cli.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace fake;

TEST_CASE("cli: the ns-run command line parses") {
  Options o = parse_cli({"--scenario", "s.json", "--port", "443", "--dns-port", "53", "--ca-out", "ca.pem", "--hosts-out",
                         "hosts", "--log", "r.jsonl", "--ready-file", "ready"});
  CHECK(o.scenario == "s.json");
  CHECK(o.port == 443);
  CHECK(o.dns_port == 53);
  CHECK(o.ca_out == "ca.pem");
  CHECK(o.hosts_out == "hosts");
  CHECK(o.log == "r.jsonl");
  CHECK(o.ready_file == "ready");
  CHECK(o.bind == "127.0.0.1");
}

TEST_CASE("cli: missing required options and bad numbers are named") {
  CHECK_THROWS_WITH_AS(parse_cli({"--ca-out", "x"}), "--scenario FILE is required", std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_cli({"--scenario", "x"}), "--ca-out FILE is required", std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_cli({"--scenario", "x", "--ca-out", "c", "--port", "44x"}),
                       "--port needs a number in 0..65535, got '44x'", std::invalid_argument);
  CHECK_THROWS_AS(parse_cli({"--scenario", "x", "--ca-out", "c", "--bogus", "1"}), std::invalid_argument);
  CHECK_THROWS_AS(parse_cli({"--scenario"}), std::invalid_argument);
}

TEST_CASE("cli: hosts file maps localhost and every served name to loopback") {
  CHECK(hosts_file({"dev.azure.com", "a.vault.azure.net"}) ==
        "127.0.0.1 localhost\n127.0.0.1 dev.azure.com\n127.0.0.1 a.vault.azure.net\n");
}
