// Stalled answers: how a fault makes the fake hang instead of answering properly (accept without a
// TLS handshake, no answer at all, headers sent one byte at a time, a body that stops or is cut off).
// The plan is pure: given the serialized head and body of the answer, it lists what to write and
// when, and how the connection ends. server.cpp carries it out with timers (never blocking a thread).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fake {

enum class StallKind { none, accept, headers, slowloris, body, truncate };

std::optional<StallKind> stall_kind_from_name(std::string_view name);  // "accept", "headers", ...
std::string_view stall_name(StallKind kind);                           // "" for none

inline constexpr int kDefaultSlowlorisIntervalMs = 2000;
inline constexpr int kDefaultHoldMs = 600000;  // a held connection is closed after 10 minutes at most

struct StallSpec {
  StallKind kind = StallKind::none;
  int interval_ms = 0;           // slowloris: per byte (0: 2000); body: dribble after the half (0: none)
  std::optional<int> total_ms;   // slowloris: send the rest of the answer this long after it began
  int hold_ms = kDefaultHoldMs;  // a hold ends after this long (or when the client closes)
};

struct StallStep {
  int wait_ms = 0;    // wait this long, then ...
  std::string bytes;  // ... write these
};

enum class StallEnd {
  finish,  // the answer is complete: the connection carries on (keep-alive)
  hold,    // keep the connection open, reading and discarding, until the client closes or hold_ms
  close,   // close the connection now (TLS close_notify, then TCP FIN)
};

struct StallPlan {
  std::vector<StallStep> steps;
  StallEnd end = StallEnd::finish;
};

// head: status line + header fields + the empty line; body: exactly Content-Length bytes.
//   headers   nothing, hold
//   slowloris the head one byte per interval, except its final CRLF, then hold; with total_ms the rest
//             of the head and the body are sent at total_ms and the answer finishes
//   body      the head and the first half of the body at once; with interval_ms then one more byte per
//             interval, never the last one; hold
//   truncate  the head and the first half of the body, then close
//   accept    (a connection-level stall, handled before TLS) nothing, hold
StallPlan plan_stall(const StallSpec& spec, std::string_view head, std::string_view body);

}  // namespace fake
