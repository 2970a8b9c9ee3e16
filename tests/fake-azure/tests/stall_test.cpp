#include "stall.hpp"

#include <doctest/doctest.h>

using namespace fake;

namespace {
const std::string kHead = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n";
const std::string kBody = "abcdef";

std::string written(const StallPlan& p) {
  std::string out;
  for (const auto& s : p.steps) out += s.bytes;
  return out;
}
int total_wait(const StallPlan& p) {
  int ms = 0;
  for (const auto& s : p.steps) ms += s.wait_ms;
  return ms;
}
StallSpec spec(StallKind kind, int interval = 0, std::optional<int> total = std::nullopt) {
  StallSpec s;
  s.kind = kind;
  s.interval_ms = interval;
  s.total_ms = total;
  return s;
}
}  // namespace

TEST_CASE("stall: names round-trip and unknown names are refused") {
  for (auto kind : {StallKind::accept, StallKind::headers, StallKind::slowloris, StallKind::body, StallKind::truncate})
    CHECK(stall_kind_from_name(stall_name(kind)) == kind);
  CHECK_FALSE(stall_kind_from_name("Headers").has_value());
  CHECK_FALSE(stall_kind_from_name("").has_value());
}

TEST_CASE("stall: what each kind writes, how long it waits and how the connection ends") {
  struct Row {
    const char* what;
    StallSpec spec;
    std::string bytes;
    std::size_t steps;
    int wait_ms;
    StallEnd end;
  };
  const std::string head_but_crlf = kHead.substr(0, kHead.size() - 2);
  const Row rows[] = {
      {"no stall: everything at once", spec(StallKind::none), kHead + kBody, 1, 0, StallEnd::finish},
      {"headers: nothing, held", spec(StallKind::headers), "", 0, 0, StallEnd::hold},
      {"accept: nothing, held", spec(StallKind::accept), "", 0, 0, StallEnd::hold},
      {"slowloris: the head but its last CRLF, 2 s a byte", spec(StallKind::slowloris), head_but_crlf, head_but_crlf.size(),
       int(head_but_crlf.size()) * 2000, StallEnd::hold},
      {"slowloris with interval", spec(StallKind::slowloris, 10), head_but_crlf, head_but_crlf.size(),
       int(head_but_crlf.size()) * 10, StallEnd::hold},
      {"slowloris finishing at totalMs", spec(StallKind::slowloris, 100, 350), kHead + kBody, 4, 350, StallEnd::finish},
      {"slowloris with totalMs 0: at once", spec(StallKind::slowloris, 100, 0), kHead + kBody, 1, 0, StallEnd::finish},
      {"body: the head and half the body, held", spec(StallKind::body), kHead + "abc", 1, 0, StallEnd::hold},
      {"body dribbled: never the last byte", spec(StallKind::body, 50), kHead + "abcde", 3, 100, StallEnd::hold},
      {"truncate: the head and half the body, closed", spec(StallKind::truncate), kHead + "abc", 1, 0, StallEnd::close},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    const StallPlan plan = plan_stall(row.spec, kHead, kBody);
    CHECK(written(plan) == row.bytes);
    CHECK(plan.steps.size() == row.steps);
    CHECK(total_wait(plan) == row.wait_ms);
    CHECK(plan.end == row.end);
  }
}

TEST_CASE("stall: slowloris writes one byte per step until totalMs, then the rest in one go") {
  const StallPlan plan = plan_stall(spec(StallKind::slowloris, 100, 350), kHead, kBody);
  REQUIRE(plan.steps.size() == 4);
  for (int i = 0; i < 3; ++i) {
    CHECK(plan.steps[i].wait_ms == 100);
    CHECK(plan.steps[i].bytes == kHead.substr(i, 1));
  }
  CHECK(plan.steps[3].wait_ms == 50);
  CHECK(plan.steps[3].bytes == kHead.substr(3) + kBody);
}

TEST_CASE("stall: an empty body is cut at nothing") {
  CHECK(written(plan_stall(spec(StallKind::truncate), kHead, "")) == kHead);
  CHECK(plan_stall(spec(StallKind::body, 10), kHead, "").steps.size() == 1);
}
