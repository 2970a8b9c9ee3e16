// Azure DevOps OIDC token responses (auth/oidc.hpp: read_oidc_response), input in the
// fuzz_response.hpp format. Properties: a token only from a 200; an Error of Stage::oidc otherwise,
// whose texts are printable and which, for a 2xx, holds no part of the body (it may hold the token).
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>

#include "auth/oidc.hpp"
#include "fuzz_response.hpp"
#include "fuzz_support.hpp"

namespace {

std::string oidc_token_of(const std::string& body) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject()) return {};
  const rapidjson::Value& root = document;
  auto it = root.FindMember("oidcToken");
  if (it == root.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fkv::net::Response response = fkv::fuzz::parse_response(fkv::fuzz::as_text(data, size));
  const fkv::net::Url url{"dev.azure.com", 443,
                          "/org/_apis/distributedtask/oidctoken?api-version=7.1&serviceConnectionId="
                          "11111111-2222-3333-4444-555555555555"};
  const auto result = fkv::auth::read_oidc_response(url, response);
  if (result) {
    FKV_FUZZ_CHECK(response.status == 200);
    FKV_FUZZ_CHECK(!result->empty());
    return 0;
  }
  const fkv::Error& error = result.error();
  FKV_FUZZ_CHECK(error.stage == fkv::Stage::oidc);
  FKV_FUZZ_CHECK(error.http_status == response.status);
  FKV_FUZZ_CHECK(fkv::fuzz::printable(error.message));
  FKV_FUZZ_CHECK(fkv::fuzz::printable(error.hint));
  FKV_FUZZ_CHECK(fkv::fuzz::printable(error.service_code));
  for (const auto& [name, value] : error.correlation) FKV_FUZZ_CHECK(fkv::fuzz::printable(value));
  if (response.status >= 200 && response.status < 300) {
    // What the Error may say whatever the body (so a body that happens to be a word of our own text
    // is not a finding): the texts for the three failing 2xx kinds.
    std::string fixed;
    for (const char* body : {"", "{}", "<html>"}) {
      fkv::net::Response other = response;
      other.body = body;
      fixed += fkv::fuzz::error_text(fkv::auth::read_oidc_response(url, other).error());
    }
    const std::string text = fkv::fuzz::error_text(error);
    for (const std::string& secret : {oidc_token_of(response.body), response.body}) {
      if (secret.size() >= 8 && fixed.find(secret) == std::string::npos) {
        FKV_FUZZ_CHECK(text.find(secret) == std::string::npos);
      }
    }
  }
  return 0;
}
