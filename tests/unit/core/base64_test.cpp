#include "core/base64.hpp"

#include <doctest/doctest.h>

#include <optional>

using fkv::base64_decode;

TEST_CASE("base64: RFC 4648 vectors, wrapped text, optional padding, every byte value") {
  struct Case {
    const char* text;
    std::string bytes;
  };
  const Case cases[] = {
      {"", ""},
      {"Zg==", "f"},
      {"Zm8=", "fo"},
      {"Zm9v", "foo"},
      {"Zm9vYg==", "foob"},
      {"Zm9vYmE=", "fooba"},
      {"Zm9vYmFy", "foobar"},
      {"Zm9vYg", "foob"},
      {"Zm9v\r\nYmFy\n", "foobar"},
      {"AP8A/w==", std::string("\0\xff\0\xff", 4)},
      {"+/+/", "\xfb\xff\xbf"},
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

TEST_CASE("base64_encode: both alphabets, with and without padding (RFC 4648 §10 vectors)") {
  using fkv::Base64Alphabet;
  using fkv::Base64Padding;
  struct Row {
    std::string bytes;
    Base64Alphabet alphabet;
    Base64Padding padding;
    const char* text;
  };
  const Row rows[] = {
      {"", Base64Alphabet::standard, Base64Padding::with, ""},
      {"f", Base64Alphabet::standard, Base64Padding::with, "Zg=="},
      {"fo", Base64Alphabet::standard, Base64Padding::with, "Zm8="},
      {"foo", Base64Alphabet::standard, Base64Padding::with, "Zm9v"},
      {"foob", Base64Alphabet::standard, Base64Padding::with, "Zm9vYg=="},
      {"fooba", Base64Alphabet::standard, Base64Padding::with, "Zm9vYmE="},
      {"foobar", Base64Alphabet::standard, Base64Padding::with, "Zm9vYmFy"},
      {"f", Base64Alphabet::standard, Base64Padding::without, "Zg"},
      {"\xfb\xff\xbf", Base64Alphabet::standard, Base64Padding::with, "+/+/"},
      {"\xfb\xff\xbf", Base64Alphabet::url, Base64Padding::with, "-_-_"},
      {"\xfb\xff", Base64Alphabet::url, Base64Padding::without, "-_8"},
      {"\xfb\xff", Base64Alphabet::url, Base64Padding::with, "-_8="},
      {std::string("\0\xff\0\xff", 4), Base64Alphabet::standard, Base64Padding::with, "AP8A/w=="},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    CHECK(fkv::base64_encode(row.bytes, row.alphabet, row.padding) == row.text);
  }
  CHECK(fkv::base64_encode("fo") == "Zm8=");          // default: standard, padded (Basic credentials)
  CHECK(fkv::base64url_encode("\xfb\xff") == "-_8");  // JWTs: url, unpadded
}

TEST_CASE("base64 decoding: each alphabet takes only its own digits; base64url takes no white space") {
  using fkv::Base64Alphabet;
  using fkv::Base64Space;
  struct Row {
    const char* text;
    Base64Alphabet alphabet;
    Base64Space space;
    std::optional<std::string> bytes;
  };
  const Row rows[] = {
      {"-_-_", Base64Alphabet::url, Base64Space::reject, "\xfb\xff\xbf"},
      {"+/+/", Base64Alphabet::url, Base64Space::reject, std::nullopt},
      {"-_-_", Base64Alphabet::standard, Base64Space::skip, std::nullopt},
      {"YWI=", Base64Alphabet::url, Base64Space::reject, "ab"},
      {"YWI", Base64Alphabet::url, Base64Space::reject, "ab"},
      {"YW I", Base64Alphabet::url, Base64Space::reject, std::nullopt},
      {"YW I", Base64Alphabet::url, Base64Space::skip, "ab"},
      {"YW=I", Base64Alphabet::url, Base64Space::reject, std::nullopt},
      {"YWJjZ", Base64Alphabet::url, Base64Space::reject, std::nullopt},
      {"Zm9v\nYmFy", Base64Alphabet::standard, Base64Space::reject, std::nullopt},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    CHECK(fkv::base64_decode(row.text, row.alphabet, row.space) == row.bytes);
  }
}

TEST_CASE("base64: decoding inverts encoding for every length and alphabet") {
  std::string bytes;
  for (int i = 0; i < 64; ++i) bytes.push_back(static_cast<char>(i * 37 + 11));
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    CAPTURE(n);
    const std::string part = bytes.substr(0, n);
    CHECK(fkv::base64_decode(fkv::base64_encode(part)) == part);
    CHECK(fkv::base64url_decode(fkv::base64url_encode(part)) == part);
  }
}
