// HTTP dates (net/retry.hpp: parse_http_date). Property: a date that parses formats back to the same
// IMF-fixdate text (the weekday is not checked by the parser, and second 60 rolls over, so both are
// compared loosely).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_support.hpp"
#include "net/retry.hpp"

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "06 Nov 1994 08:49:37 GMT" (the IMF-fixdate without its weekday).
std::string format_without_weekday(std::chrono::system_clock::time_point when) {
  static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = std::chrono::floor<std::chrono::days>(when);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss time{std::chrono::floor<std::chrono::seconds>(when - day)};
  char text[40];
  std::snprintf(text, sizeof text, "%02u %s %04d %02d:%02d:%02d GMT", static_cast<unsigned>(date.day()),
                months[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fkv::fuzz::as_text(data, size);
  const auto when = fkv::net::parse_http_date(text);
  if (!when) return 0;
  const std::string_view input = trim(text);
  FKV_FUZZ_CHECK(input.size() == 29);
  if (input.substr(23, 2) != "60") FKV_FUZZ_CHECK(format_without_weekday(*when) == input.substr(5));
  return 0;
}
