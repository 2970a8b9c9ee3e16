#include "client_hello.hpp"

#include <doctest/doctest.h>
#include <openssl/ssl.h>

#include <string>

using namespace fake;

namespace {
// The first flight of a real OpenSSL client (TLS 1.2..1.3), with or without SNI.
std::string real_client_hello(const char* sni) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);  // ssl owns both now
  if (sni) SSL_set_tlsext_host_name(ssl, sni);
  SSL_set_connect_state(ssl);
  SSL_do_handshake(ssl);  // wants to read the ServerHello; the ClientHello is in `out`
  char* data = nullptr;
  long n = BIO_get_mem_data(out, &data);
  std::string hello(data, std::size_t(n));
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return hello;
}
}  // namespace

TEST_CASE("client hello: the SNI of a real ClientHello, lower-cased") {
  const std::string hello = real_client_hello("FKV-Basic.vault.azure.net");
  REQUIRE(hello.size() > 5);
  auto scan = scan_client_hello(hello);
  CHECK(scan.state == ClientHelloScan::State::done);
  CHECK(scan.sni == "fkv-basic.vault.azure.net");
}

TEST_CASE("client hello: without SNI the record is done but names no host") {
  auto scan = scan_client_hello(real_client_hello(nullptr));
  CHECK(scan.state == ClientHelloScan::State::done);
  CHECK_FALSE(scan.sni.has_value());
}

TEST_CASE("client hello: a partial record asks for more; other bytes are not TLS") {
  const std::string hello = real_client_hello("dev.azure.com");
  for (std::size_t n : {std::size_t(0), std::size_t(3), std::size_t(5), hello.size() - 1}) {
    CAPTURE(n);
    CHECK(scan_client_hello(hello.substr(0, n)).state == ClientHelloScan::State::need_more);
  }
  CHECK(scan_client_hello("GET / HTTP/1.1\r\n").state == ClientHelloScan::State::not_tls);
}

TEST_CASE("client hello: a record with garbage inside is done without a name, never read out of bounds") {
  std::string hello = real_client_hello("dev.azure.com");
  for (std::size_t cut = 6; cut < hello.size(); cut += 7) {
    std::string broken = hello.substr(0, cut);
    const std::size_t len = cut - 5;
    broken[3] = char(len >> 8);
    broken[4] = char(len & 0xFF);
    auto scan = scan_client_hello(broken);
    CHECK(scan.state == ClientHelloScan::State::done);
    if (scan.sni) CHECK(*scan.sni == "dev.azure.com");  // cut after the name: still found
  }
}
