#include "vault/access_wait.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace std::chrono_literals;
using namespace fkv::vault;
using Clock = AccessWaitState::Clock;

namespace {

fkv::net::Response kv_error(int status, const std::string& code, const std::string& inner) {
  fkv::net::Response r;
  r.status = status;
  r.body = R"({"error":{"code":")" + code + R"(","message":"text","innererror":{"code":")" + inner + R"("}}})";
  return r;
}

}  // namespace

TEST_CASE("access_denial: 403 ForbiddenByRbac and AccessDenied only") {
  struct Row {
    int status;
    const char* code;
    const char* inner;
    bool denied;
  };
  for (const Row row :
       {Row{403, "Forbidden", "ForbiddenByRbac", true}, Row{403, "Forbidden", "AccessDenied", true},
        Row{403, "Forbidden", "ForbiddenByFirewall", false}, Row{403, "Forbidden", "ForbiddenByConnection", false},
        Row{403, "Forbidden", "ForbiddenByPolicy", false}, Row{403, "Forbidden", "SecretDisabled", false},
        Row{403, "Forbidden", "", false}, Row{401, "Unauthorized", "ForbiddenByRbac", false},
        Row{404, "SecretNotFound", "", false}, Row{429, "Throttled", "", false},
        Row{200, "", "ForbiddenByRbac", false}}) {
    CAPTURE(row.status);
    CAPTURE(row.inner);
    const auto denial = access_denial(kv_error(row.status, row.code, row.inner));
    CHECK(denial.has_value() == row.denied);
    if (denial) CHECK(*denial == row.inner);
  }
  fkv::net::Response not_json;
  not_json.status = 403;
  not_json.body = "ForbiddenByRbac";
  CHECK_FALSE(access_denial(not_json));
}

TEST_CASE("on_denied: growing pauses within the window from the run's first 403, announced once") {
  AccessWaitSettings settings;  // 1, 2, 4, 8, 8 ... s; margin 2 s
  settings.wait = 60s;
  const Clock::time_point t0{std::chrono::hours{1}};
  AccessWaitState state;
  struct Row {
    std::chrono::milliseconds at;  // since t0
    unsigned retries;
    std::optional<std::chrono::milliseconds> pause;
    bool announce;
  };
  // One request's retries, then another request's first denial later in the same window.
  for (const Row row :
       {Row{0ms, 0, 1s, true}, Row{1s, 1, 2s, false}, Row{3s, 2, 4s, false}, Row{7s, 3, 8s, false},
        Row{15s, 4, 8s, false}, Row{23s, 30, 8s, false}, Row{30s, 0, 1s, false},
        Row{55s, 5, 5s, false},  // the window's end comes first
        Row{59'500ms, 0, 500ms, false}, Row{60s, 0, std::nullopt, false}, Row{90s, 0, std::nullopt, false}}) {
    CAPTURE(row.at.count());
    const auto d = on_denied(state, t0 + row.at, row.retries, std::nullopt, settings);
    CHECK(d.pause == row.pause);
    CHECK(d.announce == row.announce);
  }
  CHECK(state.first_denied == t0);
}

TEST_CASE("on_denied: off at 0, and never into the run's last 2 s (TimeoutSeconds)") {
  const Clock::time_point t0{std::chrono::hours{1}};
  AccessWaitSettings off;
  AccessWaitState s0;
  CHECK_FALSE(on_denied(s0, t0, 0, std::nullopt, off).pause);
  CHECK_FALSE(s0.announced);

  AccessWaitSettings settings;
  settings.wait = 60s;
  struct Row {
    std::chrono::milliseconds remaining;
    std::optional<std::chrono::milliseconds> pause;
  };
  for (const Row row : {Row{60s, 8s}, Row{10s, 8s}, Row{9s, 7s}, Row{2500ms, 500ms}, Row{2s, std::nullopt},
                        Row{1s, std::nullopt}, Row{0ms, std::nullopt}}) {
    CAPTURE(row.remaining.count());
    AccessWaitState s;
    s.first_denied = t0;
    const auto d = on_denied(s, t0 + 1s, 3, row.remaining, settings);
    CHECK(d.pause == row.pause);
    CHECK(d.announce == row.pause.has_value());
  }
}

TEST_CASE("AccessWait: one window for every thread of the run") {
  AccessWaitSettings settings;
  settings.wait = 10s;
  AccessWait wait(settings);
  CHECK(wait.enabled());
  const Clock::time_point t0{std::chrono::hours{2}};
  CHECK(wait.denied(t0, 0, std::nullopt).announce);
  CHECK_FALSE(wait.denied(t0 + 1s, 0, std::nullopt).announce);
  CHECK(wait.denied(t0 + 9s, 0, std::nullopt).pause == 1s);
  CHECK_FALSE(wait.denied(t0 + 10s, 0, std::nullopt).pause);
  CHECK_FALSE(AccessWait(AccessWaitSettings{}).enabled());
}
