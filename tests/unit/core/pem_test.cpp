// core/pem.hpp: PEM blocks out of text, as OpenSSL reads them (labels, old-style headers, CR LF, text around
// blocks), and the texts that cannot be read.
#include <doctest/doctest.h>

#include "core/pem.hpp"

using fkv::hex_upper;
using fkv::read_pem_blocks;

TEST_CASE("read_pem_blocks: blocks in order with their labels and DER") {
  const auto blocks = read_pem_blocks(
      "Bag Attributes: ignored\n-----BEGIN CERTIFICATE-----\nAAEC\nAw==\n-----END CERTIFICATE-----\r\n"
      "between\r\n-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-128-CBC,00\r\n\r\n"
      "  BAUG  \r\n-----END RSA PRIVATE KEY-----\r\n");
  REQUIRE(blocks);
  REQUIRE(blocks->size() == 2);
  CHECK((*blocks)[0].label == "CERTIFICATE");
  CHECK((*blocks)[0].der == std::string("\x00\x01\x02\x03", 4));
  CHECK_FALSE((*blocks)[0].encrypted);
  CHECK((*blocks)[1].label == "RSA PRIVATE KEY");
  CHECK((*blocks)[1].der == "\x04\x05\x06");
  CHECK((*blocks)[1].encrypted);
}

TEST_CASE("read_pem_blocks: no block is an empty list; damaged or cut-off blocks are unreadable") {
  CHECK(read_pem_blocks("")->empty());
  CHECK(read_pem_blocks("just text\n-----BEGIN \n")->empty());
  const char* unreadable[] = {
      "-----BEGIN CERTIFICATE-----\nAAEC\n",                               // no END
      "-----BEGIN CERTIFICATE-----\nAAEC\n-----END PRIVATE KEY-----\n",    // another label
      "-----BEGIN CERTIFICATE-----\nAA*C\n-----END CERTIFICATE-----\n",    // not base64
      "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n",       // a lone 6-bit group
      "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE----- x\n",  // END line with a tail
  };
  for (const char* text : unreadable) {
    CAPTURE(text);
    CHECK_FALSE(read_pem_blocks(text));
  }
}

TEST_CASE("hex_upper") {
  CHECK(hex_upper("") == "");
  CHECK(hex_upper(std::string("\x00\x9f\xff", 3)) == "009FFF");
}
