// IMDS managed identity token responses (auth/managed_identity.hpp: read_imds_response and
// net::imds_retry_policy through net::retry_delay), input in the fuzz_response.hpp format. Properties:
// - a token only from a 200, with a lifetime of 1 s .. 2^31-1 s;
// - every Error is Stage::imds with printable texts that never quote the body's access_token (whatever
//   the status: an error answer that carries one is not echoed);
// - a retry delay only for 404/410/429/5xx, never above 10 s, and never at the last attempt.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <limits>

#include "auth/managed_identity.hpp"
#include "net/retry.hpp"
#include "fuzz_response.hpp"
#include "fuzz_support.hpp"

namespace {

std::string access_token_of(const std::string& body) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject()) return {};
  const rapidjson::Value& root = document;
  auto it = root.FindMember("access_token");
  if (it == root.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fkv::net::Response response = fkv::fuzz::parse_response(fkv::fuzz::as_text(data, size));
  for (const std::string client_id : {"", "eeeeeeee-0000-4000-8000-000000000022"}) {
    const auto result = fkv::auth::read_imds_response(response, client_id);
    if (result) {
      FKV_FUZZ_CHECK(response.status == 200);
      FKV_FUZZ_CHECK(!result->token.empty());
      FKV_FUZZ_CHECK(result->expires_in.count() >= 1 &&
                     result->expires_in.count() <= std::numeric_limits<std::int32_t>::max());
    } else {
      const fkv::Error& error = result.error();
      FKV_FUZZ_CHECK(error.stage == fkv::Stage::imds);
      FKV_FUZZ_CHECK(error.http_status == response.status);
      const std::string text = fkv::fuzz::error_text(error);
      FKV_FUZZ_CHECK(fkv::fuzz::printable(error.message) && fkv::fuzz::printable(error.hint) &&
                     fkv::fuzz::printable(error.service_code));
      // What the Error says whatever the body, so that a token that is a run of our own words is no finding.
      fkv::net::Response empty = response;
      empty.body.clear();
      const std::string fixed = fkv::fuzz::error_text(fkv::auth::read_imds_response(empty, client_id).error());
      const std::string token = access_token_of(response.body);
      if (token.size() >= 8 && fixed.find(token) == std::string::npos) {
        FKV_FUZZ_CHECK(text.find(token) == std::string::npos);
      }
    }
  }
  const int status = response.status;
  const bool retryable = status == 404 || status == 408 || status == 410 || status == 429 ||
                         (status >= 500 && status <= 599);
  const fkv::net::RetryPolicy policy = fkv::net::imds_retry_policy();
  const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'700'000'000}};
  for (int attempt = 1; attempt <= policy.max_attempts; ++attempt) {
    const auto delay = fkv::net::retry_delay(policy, attempt, response, now, 0.5);
    if (!retryable || attempt == policy.max_attempts) {
      FKV_FUZZ_CHECK(!delay);
    } else {
      FKV_FUZZ_CHECK(delay && delay->count() >= 0 && delay->count() <= 10'000);
    }
  }
  return 0;
}
