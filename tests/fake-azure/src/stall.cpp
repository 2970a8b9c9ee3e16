#include "stall.hpp"

#include <algorithm>

namespace fake {

namespace {
constexpr std::pair<StallKind, std::string_view> kNames[] = {{StallKind::accept, "accept"},
                                                             {StallKind::headers, "headers"},
                                                             {StallKind::slowloris, "slowloris"},
                                                             {StallKind::body, "body"},
                                                             {StallKind::truncate, "truncate"}};
}  // namespace

std::optional<StallKind> stall_kind_from_name(std::string_view name) {
  for (const auto& [kind, n] : kNames)
    if (n == name) return kind;
  return std::nullopt;
}

std::string_view stall_name(StallKind kind) {
  for (const auto& [k, n] : kNames)
    if (k == kind) return n;
  return {};
}

StallPlan plan_stall(const StallSpec& spec, std::string_view head, std::string_view body) {
  StallPlan plan;
  const std::size_t half = body.size() / 2;
  switch (spec.kind) {
    case StallKind::none:
      plan.steps.push_back({0, std::string(head) + std::string(body)});
      plan.end = StallEnd::finish;
      break;
    case StallKind::accept:
    case StallKind::headers: plan.end = StallEnd::hold; break;
    case StallKind::slowloris: {
      const int interval = spec.interval_ms > 0 ? spec.interval_ms : kDefaultSlowlorisIntervalMs;
      std::size_t dribble = head.size() >= 2 ? head.size() - 2 : 0;  // the final CRLF is never dribbled
      if (spec.total_ms) dribble = std::min<std::size_t>(dribble, std::size_t(*spec.total_ms / interval));
      for (std::size_t i = 0; i < dribble; ++i) plan.steps.push_back({interval, std::string(1, head[i])});
      if (spec.total_ms) {
        plan.steps.push_back({*spec.total_ms - int(dribble) * interval,
                              std::string(head.substr(dribble)) + std::string(body)});
        plan.end = StallEnd::finish;
      } else {
        plan.end = StallEnd::hold;
      }
      break;
    }
    case StallKind::body:
      plan.steps.push_back({0, std::string(head) + std::string(body.substr(0, half))});
      if (spec.interval_ms > 0)
        for (std::size_t i = half; i + 1 < body.size(); ++i)
          plan.steps.push_back({spec.interval_ms, std::string(1, body[i])});
      plan.end = StallEnd::hold;
      break;
    case StallKind::truncate:
      plan.steps.push_back({0, std::string(head) + std::string(body.substr(0, half))});
      plan.end = StallEnd::close;
      break;
  }
  return plan;
}

}  // namespace fake
