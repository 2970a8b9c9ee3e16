#include "vault/access_wait.hpp"

#include <algorithm>

#include "vault/kv_json.hpp"

namespace fkv::vault {

using std::chrono::milliseconds;

std::optional<std::string_view> access_denial(const net::Response& response) {
  if (response.status != 403) return std::nullopt;
  const auto error = parse_kv_error(response.body);
  if (!error) return std::nullopt;
  for (std::string_view code : {"ForbiddenByRbac", "AccessDenied"}) {
    if (error->inner_code == code) return code;
  }
  return std::nullopt;
}

AccessWaitDecision on_denied(AccessWaitState& state, AccessWaitState::Clock::time_point now, unsigned retries,
                             std::optional<milliseconds> remaining, const AccessWaitSettings& settings) {
  AccessWaitDecision decision;
  if (settings.wait.count() <= 0) return decision;
  if (!state.first_denied) state.first_denied = now;
  const auto window_end = *state.first_denied + settings.wait;
  if (now >= window_end) return decision;
  milliseconds pause = std::min(settings.first_pause * (1u << std::min(retries, 10u)), settings.max_pause);
  pause = std::min(pause, std::chrono::duration_cast<milliseconds>(window_end - now));
  if (remaining) pause = std::min(pause, *remaining - settings.deadline_margin);
  if (pause <= milliseconds{0}) return decision;
  decision.pause = pause;
  decision.announce = !state.announced;
  state.announced = true;
  return decision;
}

}  // namespace fkv::vault
