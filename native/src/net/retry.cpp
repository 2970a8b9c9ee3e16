#include "net/retry.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>

#include "core/numbers.hpp"

namespace fkv::net {
namespace {

using std::chrono::milliseconds;

bool retryable_status(int status) {
  switch (status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504: return true;
    default: return false;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A non-negative decimal integer of at most 12 digits (no sign, no fraction), spaces and tabs around it.
std::optional<std::int64_t> parse_count(std::string_view s) {
  auto value = parse_digits(trim(s), {12});
  if (!value) return std::nullopt;
  return static_cast<std::int64_t>(*value);
}

// A field of an HTTP date (2 or 4 digits).
std::optional<int> parse_fixed_digits(std::string_view s) {
  auto value = parse_digits(s, {4});
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

}  // namespace

bool is_retryable(const Outcome& outcome) { return is_retryable(RetryPolicy{}, outcome); }

bool is_retryable(const RetryPolicy& policy, const Outcome& outcome) {
  if (const auto* response = std::get_if<Response>(&outcome)) {
    const int status = response->status;
    return retryable_status(status) || (policy.retry_every_5xx && status >= 500 && status <= 599) ||
           std::find(policy.also_retry_statuses.begin(), policy.also_retry_statuses.end(), status) !=
               policy.also_retry_statuses.end();
  }
  const TransportError& failure = std::get<TransportError>(outcome);
  const bool unconnected = failure.kind == TransportError::Kind::connect ||
                           failure.kind == TransportError::Kind::resolve_failed ||
                           (failure.kind == TransportError::Kind::timeout &&
                            failure.phase == TransportError::Phase::connect);
  if (unconnected && !policy.retry_unconnected) return false;
  switch (failure.kind) {
    case TransportError::Kind::connect:
    case TransportError::Kind::reset:
    case TransportError::Kind::timeout:
    case TransportError::Kind::resolve_failed: return true;
    case TransportError::Kind::resolve_not_found:
    case TransportError::Kind::tls:
    case TransportError::Kind::protocol:
    case TransportError::Kind::refused:
    case TransportError::Kind::cancelled: return false;
  }
  return false;
}

RetryPolicy imds_retry_policy() {
  RetryPolicy policy;
  policy.max_attempts = 5;
  policy.base_delay = std::chrono::milliseconds{500};
  policy.max_backoff = std::chrono::milliseconds{4'000};
  policy.max_server_delay = std::chrono::milliseconds{10'000};
  policy.also_retry_statuses = {404, 410};
  policy.retry_every_5xx = true;
  policy.retry_unconnected = false;
  return policy;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  text = trim(text);
  if (text.size() != 29 || text[3] != ',' || text[4] != ' ' || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
      text[19] != ':' || text[22] != ':' || text[25] != ' ' || text.substr(26) != "GMT") {
    return std::nullopt;
  }
  static constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto month_it = std::find(months.begin(), months.end(), text.substr(8, 3));
  const auto day = parse_fixed_digits(text.substr(5, 2));
  const auto year = parse_fixed_digits(text.substr(12, 4));
  const auto hour = parse_fixed_digits(text.substr(17, 2));
  const auto minute = parse_fixed_digits(text.substr(20, 2));
  const auto second = parse_fixed_digits(text.substr(23, 2));
  if (month_it == months.end() || !day || !year || !hour || !minute || !second) return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  // system_clock counts nanoseconds in 64 bits (years 1677-2262): converting a date outside that
  // overflows (undefined behaviour). No server means a year outside 1900-2200.
  if (*year < 1900 || *year > 2200) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(month_it - months.begin() + 1)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days{date} + std::chrono::hours{*hour} + std::chrono::minutes{*minute} +
         std::chrono::seconds{*second};
}

std::optional<milliseconds> server_retry_delay(const Response& response, std::chrono::system_clock::time_point now) {
  // Zero, or a date that is not in the future, says nothing about when to come back: no delay given
  // (taken at its word, every worker would send again at once, a hot loop to the end of the run).
  for (const char* name : {"retry-after-ms", "x-ms-retry-after-ms"}) {
    if (auto value = response.header(name)) {
      if (auto ms = parse_count(*value); ms && *ms > 0) return milliseconds{*ms};
    }
  }
  if (auto value = response.header("Retry-After")) {
    if (auto seconds = parse_count(*value)) {
      if (*seconds > 0) return milliseconds{*seconds * 1000};
    } else if (auto when = parse_http_date(*value)) {
      const auto delta = std::chrono::duration_cast<milliseconds>(*when - now);
      if (delta > milliseconds{0}) return delta;
    }
  }
  return std::nullopt;
}

bool is_throttled(const Response& response, std::chrono::system_clock::time_point now) {
  return response.status == 429 || (response.status == 503 && server_retry_delay(response, now).has_value());
}

std::optional<milliseconds> retry_delay(const RetryPolicy& policy, int attempt, const Outcome& outcome,
                                        std::chrono::system_clock::time_point now, double jitter) {
  if (attempt < 1 || attempt >= policy.max_attempts || !is_retryable(policy, outcome)) return std::nullopt;
  if (const auto* response = std::get_if<Response>(&outcome)) {
    if (!policy.retry_throttled && is_throttled(*response, now)) return std::nullopt;
    if (auto requested = server_retry_delay(*response, now)) return std::min(*requested, policy.max_server_delay);
  }
  jitter = std::clamp(jitter, 0.0, 1.0);
  const double factor = 0.8 + 0.5 * jitter;  // [0.8, 1.3)
  const double exponent = std::min(attempt - 1, 30);
  const double delay = static_cast<double>(policy.base_delay.count()) * std::pow(2.0, exponent) * factor;
  const double capped = std::min(delay, static_cast<double>(policy.max_backoff.count()));
  return milliseconds{static_cast<std::int64_t>(std::llround(capped))};
}

}  // namespace fkv::net
