// The server's retry delay (net/retry.hpp: server_retry_delay, retry_delay) from any headers
// (fuzz_response.hpp format). Properties: a delay is never negative; retry_delay never exceeds the
// policy's caps.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "fuzz_response.hpp"
#include "fuzz_support.hpp"
#include "net/retry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fkv::net::Response response = fkv::fuzz::parse_response(fkv::fuzz::as_text(data, size));
  // 2026-12-01T00:00:00Z, and the clock's extremes.
  const std::chrono::system_clock::time_point now{std::chrono::seconds{1796083200}};
  for (const auto at : {now, std::chrono::system_clock::time_point{}}) {
    if (const auto delay = fkv::net::server_retry_delay(response, at)) FKV_FUZZ_CHECK(delay->count() >= 0);
  }
  const fkv::net::RetryPolicy policy;
  for (int attempt = 0; attempt <= policy.max_attempts; ++attempt) {
    const auto delay = fkv::net::retry_delay(policy, attempt, response, now, 0.5);
    if (!delay) continue;
    FKV_FUZZ_CHECK(delay->count() >= 0);
    FKV_FUZZ_CHECK(*delay <= std::max(policy.max_server_delay, policy.max_backoff));
  }
  return 0;
}
