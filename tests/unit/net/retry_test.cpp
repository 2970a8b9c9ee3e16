#include <doctest/doctest.h>

#include "net/retry.hpp"

using namespace std::chrono_literals;
using fkv::net::Outcome;
using fkv::net::Response;
using fkv::net::RetryPolicy;
using fkv::net::TransportError;
using Kind = fkv::net::TransportError::Kind;
using Clock = std::chrono::system_clock;

namespace {

// 1994-11-06 08:49:37 UTC, the RFC 9110 example date.
const Clock::time_point kExampleDate = Clock::time_point{std::chrono::seconds{784111777}};

Outcome status(int code, std::vector<fkv::net::Header> headers = {}) { return Response{code, std::move(headers), ""}; }
Outcome transport(Kind kind) { return TransportError{kind, "x"}; }

}  // namespace

TEST_CASE("is_retryable: transient transport errors and 408/429/5xx only") {
  struct Row {
    Outcome outcome;
    bool retryable;
  };
  const Row rows[] = {
      {status(200), false},
      {status(301), false},
      {status(400), false},
      {status(401), false},
      {status(403), false},
      {status(404), false},
      {status(409), false},
      {status(501), false},
      {status(505), false},
      {status(408), true},
      {status(429), true},
      {status(500), true},
      {status(502), true},
      {status(503), true},
      {status(504), true},
      {transport(Kind::connect), true},
      {transport(Kind::reset), true},
      {transport(Kind::timeout), true},
      {transport(Kind::resolve_failed), true},
      {transport(Kind::resolve_not_found), false},
      {transport(Kind::tls), false},
      {transport(Kind::protocol), false},
      {transport(Kind::refused), false},
      {transport(Kind::cancelled), false},
  };
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    CAPTURE(i);
    CHECK(fkv::net::is_retryable(rows[i].outcome) == rows[i].retryable);
  }
}

TEST_CASE("parse_http_date reads IMF-fixdate and rejects everything else") {
  CHECK(fkv::net::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == kExampleDate);
  CHECK(fkv::net::parse_http_date(" Sun, 06 Nov 1994 08:49:37 GMT ") == kExampleDate);
  CHECK(fkv::net::parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT") == Clock::time_point{});
  CHECK(fkv::net::parse_http_date("Mon, 01 Jan 1900 00:00:00 GMT") ==
        Clock::time_point{std::chrono::seconds{-2208988800}});
  CHECK(fkv::net::parse_http_date("Wed, 31 Dec 2200 23:59:59 GMT") ==
        Clock::time_point{std::chrono::seconds{7289654399}});
  const char* bad[] = {"", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                       "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Feb 1994 08:49:37 GMT",
                       "Sun, 06 Xyz 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                       "Sun, 0x Nov 1994 08:49:37 GMT", "120",
                       // found by tests/fuzz/http_date_fuzz.cpp: years the clock cannot hold overflowed
                       // (signed overflow converting to nanoseconds)
                       "Sat, 01 Jan 0000 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
                       "Mon, 01 Jan 2201 00:00:00 GMT", "Sun, 31 Dec 1899 23:59:59 GMT"};
  for (const char* text : bad) {
    CAPTURE(text);
    CHECK_FALSE(fkv::net::parse_http_date(text));
  }
}

TEST_CASE("retry_delay: exponential backoff with jitter when the server gives no delay") {
  const RetryPolicy policy;  // 4 attempts, 800 ms base, 10 s cap
  struct Row {
    int attempt;
    Outcome outcome;
    double jitter;
    std::optional<std::chrono::milliseconds> delay;
  };
  const Row rows[] = {
      {1, status(503), 0.0, 640ms},         // 800 * 0.8
      {1, status(503), 0.5, 840ms},         // 800 * 1.05
      {2, status(500), 0.0, 1280ms},        // 1600 * 0.8
      {3, status(429), 0.99, 4144ms},       // 3200 * 1.295
      {4, status(503), 0.0, std::nullopt},  // 4 attempts made: give up
      {1, transport(Kind::timeout), 0.0, 640ms},
      {2, transport(Kind::resolve_failed), 0.5, 1680ms},
      {1, transport(Kind::tls), 0.0, std::nullopt},
      {1, transport(Kind::resolve_not_found), 0.0, std::nullopt},
      {1, transport(Kind::refused), 0.0, std::nullopt},
      {1, transport(Kind::cancelled), 0.0, std::nullopt},
      {1, status(404), 0.0, std::nullopt},
      {1, status(200), 0.0, std::nullopt},
      {0, status(503), 0.0, std::nullopt},  // nonsense attempt number
      {1, status(503), 7.0, 1040ms},        // out-of-range jitter is clamped to 1: 800 * 1.3
  };
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    CAPTURE(i);
    CHECK(fkv::net::retry_delay(policy, rows[i].attempt, rows[i].outcome, kExampleDate, rows[i].jitter) ==
          rows[i].delay);
  }
}

TEST_CASE("retry_delay: the computed wait is capped") {
  RetryPolicy policy;
  policy.max_attempts = 20;
  CHECK(fkv::net::retry_delay(policy, 5, status(503), kExampleDate, 0.5) == 10000ms);  // 12800*1.05 > 10 s
  CHECK(fkv::net::retry_delay(policy, 19, status(503), kExampleDate, 0.0) == 10000ms);
  policy.max_backoff = 2000ms;
  CHECK(fkv::net::retry_delay(policy, 3, status(503), kExampleDate, 0.0) == 2000ms);
}

TEST_CASE("retry_delay: the server's delay wins, capped at max_server_delay") {
  const RetryPolicy policy;
  struct Row {
    std::vector<fkv::net::Header> headers;
    std::optional<std::chrono::milliseconds> delay;
  };
  const Row rows[] = {
      {{{"retry-after-ms", "1500"}}, 1500ms},
      {{{"x-ms-retry-after-ms", "250"}}, 250ms},
      {{{"Retry-After", "7"}}, 7000ms},
      {{{"retry-after", " 2 "}}, 2000ms},
      {{{"Retry-After", "0"}}, 640ms},      // zero: like no delay given (it would make a hot loop)
      {{{"Retry-After", "120"}}, 60000ms},  // capped
      {{{"Retry-After", "Sun, 06 Nov 1994 08:49:42 GMT"}}, 5000ms},  // now + 5 s
      {{{"Retry-After", "Sun, 06 Nov 1994 08:40:00 GMT"}}, 640ms},   // in the past: no delay given
      {{{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}}, 640ms},   // now: no delay given
      {{{"retry-after-ms", "0"}, {"Retry-After", "3"}}, 3000ms},     // a zero header is skipped
      {{{"retry-after-ms", "0"}}, 640ms},
      {{{"Retry-After", "soon"}}, 640ms},  // unparseable: backoff
      {{{"Retry-After", "-3"}}, 640ms},
      {{{"Retry-After", "1.5"}}, 640ms},
      {{{"Retry-After", "9"}, {"retry-after-ms", "100"}}, 100ms},  // ms headers first
      {{{"Retry-After", "9"}, {"x-ms-retry-after-ms", "300"}}, 300ms},
      {{{"retry-after-ms", "x"}, {"x-ms-retry-after-ms", "300"}}, 300ms},  // unparseable one skipped
  };
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    CAPTURE(i);
    CHECK(fkv::net::retry_delay(policy, 1, status(429, rows[i].headers), kExampleDate, 0.0) == rows[i].delay);
  }
}

TEST_CASE("server_retry_delay and is_throttled: a zero or past delay is no delay") {
  const auto answer = [](int code, const char* value) {
    return std::get<fkv::net::Response>(status(code, {{"Retry-After", value}}));
  };
  for (const char* value : {"0", "00", "Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:00:00 GMT"}) {
    CAPTURE(std::string(value));
    CHECK_FALSE(fkv::net::server_retry_delay(answer(429, value), kExampleDate));
    CHECK(fkv::net::is_throttled(answer(429, value), kExampleDate));
    CHECK_FALSE(fkv::net::is_throttled(answer(503, value), kExampleDate));  // a plain 503
  }
  CHECK(fkv::net::server_retry_delay(answer(429, "1"), kExampleDate) == 1000ms);
}

TEST_CASE("retry_delay: a Retry-After on a status that is not retried changes nothing") {
  const RetryPolicy policy;
  for (int code : {400, 401, 403, 404, 409}) {
    CAPTURE(code);
    CHECK_FALSE(fkv::net::retry_delay(policy, 1, status(code, {{"Retry-After", "1"}}), kExampleDate, 0.0));
  }
  CHECK_FALSE(fkv::net::retry_delay(policy, 4, status(429, {{"Retry-After", "1"}}), kExampleDate, 0.0));
}
