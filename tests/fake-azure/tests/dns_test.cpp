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
