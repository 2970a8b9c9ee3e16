// Entra ID token responses (auth/entra.hpp: read_entra_response, then auth/messages.hpp:
// entra_failure_error for a rejection), input in the fuzz_response.hpp format. Properties:
// - a 200 either gives a token with a lifetime of 1 s .. 2^31-1 s, or an Error that holds no part of
//   the body (never the access_token);
// - any other status is a rejection whose Error texts are printable (sanitised service text) and, when
//   the body carries an access_token, never quote it.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <limits>

#include "auth/entra.hpp"
#include "fuzz_response.hpp"
#include "fuzz_support.hpp"

namespace {

// The body's access_token string, when the body is a JSON object that has one.
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
  const fkv::net::Url url{"login.microsoftonline.com", 443, "/tenant/oauth2/v2.0/token"};
  const fkv::auth::EntraResult result = fkv::auth::read_entra_response(url, response);

  if (const auto* token = std::get_if<fkv::auth::EntraToken>(&result)) {
    FKV_FUZZ_CHECK(response.status == 200);
    FKV_FUZZ_CHECK(!token->access_token.empty());
    FKV_FUZZ_CHECK(token->expires_in.count() >= 1 &&
                   token->expires_in.count() <= std::numeric_limits<std::int32_t>::max());
  } else if (const auto* error = std::get_if<fkv::Error>(&result)) {
    FKV_FUZZ_CHECK(response.status == 200);
    // What the Error says whatever the body, so that a body that is a word of our own text is no finding.
    fkv::net::Response empty = response;
    empty.body.clear();
    const std::string fixed = fkv::fuzz::error_text(std::get<fkv::Error>(fkv::auth::read_entra_response(url, empty)));
    const std::string text = fkv::fuzz::error_text(*error);
    for (const std::string& secret : {access_token_of(response.body), response.body}) {
      if (secret.size() >= 8 && fixed.find(secret) == std::string::npos) {
        FKV_FUZZ_CHECK(text.find(secret) == std::string::npos);
      }
    }
  } else {
    const auto& rejection = std::get<fkv::auth::EntraRejection>(result);
    FKV_FUZZ_CHECK(response.status != 200);
    FKV_FUZZ_CHECK(rejection.info.status == response.status);
    fkv::auth::ExchangeContext context;
    context.client_id = "11111111-2222-3333-4444-555555555555";
    context.tenant_id = "contoso.onmicrosoft.com";
    context.authority_host = url.host;
    context.scope = "https://vault.azure.net/.default";
    fkv::Error failure = fkv::auth::entra_failure_error(rejection.info, context);
    failure.correlation = rejection.correlation;
    FKV_FUZZ_CHECK(failure.stage == fkv::Stage::entra);
    FKV_FUZZ_CHECK(fkv::fuzz::printable(failure.message));
    FKV_FUZZ_CHECK(fkv::fuzz::printable(failure.hint));
    FKV_FUZZ_CHECK(fkv::fuzz::printable(failure.service_code));
    for (const auto& [name, value] : failure.correlation) FKV_FUZZ_CHECK(fkv::fuzz::printable(value));
    // A rejection that carries an access token never quotes it (only its numeric codes are kept).
    // Our own words for this status and code, so that a token that is a run of them is no finding.
    fkv::auth::EntraFailureInfo own = rejection.info;
    own.error.clear();
    own.description.clear();
    const fkv::Error fixed = fkv::auth::entra_failure_error(own, context);
    const std::string token = access_token_of(response.body);
    std::string text = fkv::fuzz::error_text(failure);
    for (const auto& [name, value] : failure.correlation) text += " " + value;
    if (token.size() >= 8 && fkv::fuzz::error_text(fixed).find(token) == std::string::npos) {
      FKV_FUZZ_CHECK(text.find(token) == std::string::npos);
    }
  }
  return 0;
}
