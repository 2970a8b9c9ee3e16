#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/redaction.hpp"
#include "core/service_text.hpp"

using fkv::service_text;

TEST_CASE("service_text replaces credential-looking runs before cutting") {
  struct Row {
    std::string in;
    std::string out;
  };
  const std::string jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzYzovL28vcC9jIn0.c2lnbmF0dXJl";
  const Row rows[] = {
      {"Invalid header Authorization: Bearer abc.DEF-123_x=0123456789", "Invalid header Authorization: Bearer ***"},
      {"bearer   tok0123456789abcdef", "bearer ***"},
      {"Request is missing a Bearer or PoP token.", "Request is missing a Bearer or PoP token."},
      {"assertion " + jwt + " rejected", "assertion *** rejected"},
      {"body: grant_type=client_credentials&client_assertion=" + jwt + "&client_id=x",
       "body: grant_type=client_credentials&client_assertion=***&client_id=x"},
      {R"({"access_token":"fkvat.secret-value","token_type":"Bearer"})",
       R"({"access_token":"***","token_type":"Bearer"})"},
      {"client_secret = ", "client_secret ="},     // nothing to hide
      {"my_access_token=x", "my_access_token=x"},  // not the key itself
      {"eyJ not a token", "eyJ not a token"},
      {"TF400813: The user is not authorized.", "TF400813: The user is not authorized."},
  };
  for (const auto& row : rows) {
    CAPTURE(row.in);
    CHECK(service_text(row.in, 400) == row.out);
  }
}

TEST_CASE("service_text never shows a prefix of a long echoed token") {
  const std::string token(1016, 'A');
  const std::string echoed = "Bad request: Authorization: Bearer " + token;
  const std::string out = service_text(echoed, 400);
  CHECK(out == "Bad request: Authorization: Bearer ***");
  const std::string jwt = "eyJ" + std::string(2000, 'x') + "." + std::string(10, 'y');
  CHECK(service_text("client_assertion=" + jwt, 300) == "client_assertion=***");
  CHECK(service_text("see " + jwt, 50) == "see ***");
}

TEST_CASE("service_text flattens control characters and cuts at a UTF-8 boundary") {
  CHECK(service_text("line1\r\n\tline2  ", 100) == "line1 line2");
  CHECK(service_text("abcdefgh", 3) == "abc...");
  CHECK(service_text("abcdef", 6) == "abcdef");
  CHECK(service_text("ab\xC3\xA9xyz", 3) == "ab...");  // é is two bytes: not cut in half
  CHECK(fkv::service_first_line("first line\r\nsecond", 100) == "first line");
}

TEST_CASE("service_text redacts every secret the process holds, wherever the server echoes it") {
  fkv::forget_held_secrets();
  fkv::hold_secret("opaque-job-token-1234");
  fkv::hold_secret("short");  // under 8 bytes: not held (would redact ordinary words)
  fkv::hold_secret("p@ss-word-99");
  CHECK(fkv::service_text("denied for opaque-job-token-1234 (again: opaque-job-token-1234)", 300) ==
        "denied for *** (again: ***)");
  CHECK(fkv::service_text("x-opaque-job-token-1234-y p@ss-word-99 short", 300) == "x-***-y *** short");
  // Redaction comes before cutting, so no prefix of a held secret survives the cut either.
  CHECK(fkv::service_text("0123456789 opaque-job-token-1234", 15) == "0123456789 ***");
  fkv::forget_held_secrets();
  CHECK(fkv::service_text("opaque-job-token-1234", 300) == "opaque-job-token-1234");
}

TEST_CASE("service_text strips terminal escapes: C0, DEL, C1 controls; invalid UTF-8 becomes '?'") {
  struct Row {
    std::string in;
    std::string out;
  };
  for (const Row& row : std::vector<Row>{
           {"\x1b[31mred\x1b[0m", "[31mred [0m"},
           {"\x1b]8;;http://evil\x07link\x1b]8;;\x07", "]8;;http://evil link ]8;;"},
           {"a\x7f"
            "b",
            "a b"},
           {"csi\xc2\x9b"
            "31m",
            "csi 31m"},                           // U+009B, the 8-bit CSI
           {"nbsp\xc2\xa0ok", "nbsp\xc2\xa0ok"},  // U+00A0 is printable
           {"bad\xff\xfe!", "bad?"
                            "?!"},
           {"over\xc0\xaflong", "over??long"},
           {"\xe2\x82\xac euro", "\xe2\x82\xac euro"},
           {"cut\xe2\x82", "cut??"},
       }) {
    CAPTURE(row.in);
    CHECK(fkv::service_text(row.in, 300) == row.out);
  }
}

// Found by tests/fuzz/service_text_fuzz.cpp: a control character right before a credential hid it from
// the redaction, and then printed as a space in front of the bare value.
TEST_CASE("service_text: a control character cannot hide a credential") {
  struct Row {
    std::string in;
    std::string out;
  };
  const Row rows[] = {
      {std::string("access_token=\x01"
                   "fkvat.secret-value"),
       "access_token= ***"},
      {std::string("{\"access_token\": \"\0secret\"}", 27), "{\"access_token\": \" ***\"}"},
      {"Authorization: Bearer\t0123456789abcdefXYZ", "Authorization: Bearer ***"},
      {"client_assertion=\r\neyJhbGciOiJSUzI1NiJ9.e30.c2ln", "client_assertion= ***"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.in);
    const std::string out = service_text(row.in, 400);
    CHECK(out == row.out);
    CHECK(service_text(out, 400) == out);  // nothing credential-like survives one pass
  }
}
