#include "core/base64.hpp"

#include <doctest/doctest.h>

using fkv::base64_decode;

TEST_CASE("base64: RFC 4648 vectors, wrapped text, optional padding, every byte value") {
  struct Case {
    const char* text;
    std::string bytes;
  };
  const Case cases[] = {
      {"", ""},           {"Zg==", "f"},        {"Zm8=", "fo"},      {"Zm9v", "foo"},      {"Zm9vYg==", "foob"},
      {"Zm9vYmE=", "fooba"}, {"Zm9vYmFy", "foobar"}, {"Zm9vYg", "foob"}, {"Zm9v\r\nYmFy\n", "foobar"},
      {"AP8A/w==", std::string("\0\xff\0\xff", 4)}, {"+/+/", "\xfb\xff\xbf"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto decoded = base64_decode(c.text);
    REQUIRE(decoded);
    CHECK(*decoded == c.bytes);
  }
  for (const char* bad : {"Zm9v!", "Zg==Zg", "Z", "Zm9vY", "-_-_"}) {
    CAPTURE(bad);
    CHECK_FALSE(base64_decode(bad));
  }
}
