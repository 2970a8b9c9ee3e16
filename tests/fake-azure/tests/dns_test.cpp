#include "dns.hpp"

#include <doctest/doctest.h>

using namespace fake;

namespace {
int rcode(const std::string& r) { return (unsigned char)r[3] & 0xF; }
int ancount(const std::string& r) { return (unsigned char)r[6] << 8 | (unsigned char)r[7]; }
}  // namespace

TEST_CASE("dns: served names resolve to 127.0.0.1, case-insensitively") {
  auto r = dns_answer(dns_query(0x1234, "FKV-Basic.vault.azure.net", 1), {"fkv-basic.vault.azure.net"});
  REQUIRE(r);
  CHECK((unsigned char)(*r)[0] == 0x12);
  CHECK((unsigned char)(*r)[1] == 0x34);
  CHECK(((unsigned char)(*r)[2] & 0x80) != 0);  // a response
  CHECK(rcode(*r) == 0);
  CHECK(ancount(*r) == 1);
  CHECK(r->substr(r->size() - 4) == std::string("\x7F\0\0\1", 4));
}

TEST_CASE("dns: unknown names get NXDOMAIN; other types of served names get an empty answer") {
  auto nx = dns_answer(dns_query(1, "typo.vault.azure.net", 1), {"fkv-basic.vault.azure.net"});
  REQUIRE(nx);
  CHECK(rcode(*nx) == 3);
  CHECK(ancount(*nx) == 0);
  auto aaaa = dns_answer(dns_query(2, "dev.azure.com", 28), {"dev.azure.com"});
  REQUIRE(aaaa);
  CHECK(rcode(*aaaa) == 0);
  CHECK(ancount(*aaaa) == 0);
}

TEST_CASE("dns: malformed packets are dropped") {
  CHECK_FALSE(dns_answer("short", {}).has_value());
  std::string q = dns_query(3, "dev.azure.com", 1);
  CHECK_FALSE(dns_answer(q.substr(0, q.size() - 3), {"dev.azure.com"}).has_value());
  std::string response = q;
  response[2] = char(response[2] | 0x80);
  CHECK_FALSE(dns_answer(response, {"dev.azure.com"}).has_value());
}

TEST_CASE("dns: a name with a budget gets that many A answers, then NXDOMAIN for every type") {
  DnsTable table({"dev.azure.com", "fkv-dns.vault.azure.net"}, {{"fkv-dns.vault.azure.net", 2}});
  auto ask = [&](const std::string& name, std::uint16_t type) {
    auto r = table.answer(dns_query(7, name, type));
    REQUIRE(r);
    return std::pair{rcode(*r), ancount(*r)};
  };
  CHECK(ask("fkv-dns.vault.azure.net", 28) == std::pair{0, 0});  // AAAA: empty, not counted
  CHECK(ask("fkv-dns.vault.azure.net", 1) == std::pair{0, 1});
  CHECK(ask("FKV-DNS.vault.azure.net", 28) == std::pair{0, 0});
  CHECK(ask("fkv-dns.vault.azure.net", 1) == std::pair{0, 1});
  CHECK(ask("fkv-dns.vault.azure.net", 1) == std::pair{3, 0});   // budget spent
  CHECK(ask("fkv-dns.vault.azure.net", 28) == std::pair{3, 0});
  CHECK(ask("dev.azure.com", 1) == std::pair{0, 1});             // other names unaffected
  CHECK(ask("typo.vault.azure.net", 1) == std::pair{3, 0});
}

TEST_CASE("dns: a budget of 0 makes the name fail from the start") {
  DnsTable table({"fkv-dns.vault.azure.net"}, {{"fkv-dns.vault.azure.net", 0}});
  auto r = table.answer(dns_query(8, "fkv-dns.vault.azure.net", 1));
  REQUIRE(r);
  CHECK(rcode(*r) == 3);
}
