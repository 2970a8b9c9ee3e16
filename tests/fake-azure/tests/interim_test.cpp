#include "interim.hpp"

#include <doctest/doctest.h>

using namespace fake;

TEST_CASE("interim: complete 1xx responses, 103 with a Link field") {
  CHECK(interim_response(100) == "HTTP/1.1 100 Continue\r\n\r\n");
  CHECK(interim_response(102) == "HTTP/1.1 102 Processing\r\n\r\n");
  CHECK(interim_response(103) == "HTTP/1.1 103 Early Hints\r\nLink: <https://login.microsoftonline.com/>; rel=preconnect\r\n\r\n");
  CHECK(interim_response(199) == "HTTP/1.1 199 Interim\r\n\r\n");
}

TEST_CASE("interim: only 1xx other than 101") {
  const std::pair<int, bool> rows[] = {{99, false}, {100, true}, {101, false}, {103, true}, {199, true}, {200, false}};
  for (auto [status, ok] : rows) {
    CAPTURE(status);
    CHECK(is_valid_interim_status(status) == ok);
  }
}
