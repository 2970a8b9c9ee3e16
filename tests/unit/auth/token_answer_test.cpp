#include "auth/token_answer.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using fkv::auth::EntraRejection;
using fkv::auth::EntraToken;
using fkv::auth::ExchangeContext;
using fkv::auth::token_from_answer;

namespace {

ExchangeContext context() {
  ExchangeContext c;
  c.client_id = "11111111-2222-3333-4444-555555555555";
  c.tenant_id = "contoso.onmicrosoft.com";
  c.authority_host = "login.microsoftonline.com";
  c.scope = "https://vault.azure.net/.default";
  c.credential = ExchangeContext::Credential::client_secret;
  return c;
}

std::string text_of(const fkv::Error& e) { return e.message + "\n" + e.hint + "\n" + e.service_code; }

}  // namespace

TEST_CASE("token_from_answer: a token is registered before it is returned") {
  std::vector<std::string> registered;
  auto token = token_from_answer(EntraToken{"access-token-0123456789", std::chrono::seconds{3599}}, context(),
                                 {"sent-secret-value"}, [&](std::string_view s) { registered.emplace_back(s); });
  REQUIRE(token);
  CHECK(token->token == "access-token-0123456789");
  CHECK(token->expires_in == std::chrono::seconds{3599});
  CHECK(registered == std::vector<std::string>{"access-token-0123456789"});
}

TEST_CASE("token_from_answer: a rejection is explained for the credential, with correlation ids; nothing sent shows") {
  EntraRejection rejection;
  rejection.info.status = 401;
  rejection.info.error = "invalid_client";
  rejection.info.code = "AADSTS7000215";
  rejection.info.description = "Invalid client secret provided: sent-secret-value.";
  rejection.correlation = {{"trace_id", "0f7b"}, {"correlation_id", "6c1e"}};
  int registered = 0;
  auto token = token_from_answer(rejection, context(), {"sent-secret-value"}, [&](std::string_view) { ++registered; });
  REQUIRE_FALSE(token);
  CHECK(registered == 0);
  const fkv::Error& e = token.error();
  CHECK(e.stage == fkv::Stage::entra);
  CHECK(e.http_status == 401);
  CHECK(e.service_code == "AADSTS7000215");
  CHECK(e.message.find("rejected the client secret of app") != std::string::npos);
  CHECK(e.correlation == rejection.correlation);
  CHECK(text_of(e).find("sent-secret-value") == std::string::npos);
  // The same rejection explained directly: the helper adds nothing but redaction and correlation.
  fkv::Error direct = fkv::auth::entra_failure_error(rejection.info, context());
  CHECK(e.hint == direct.hint);
}

TEST_CASE("token_from_answer: a transport or malformed-answer Error is kept, with what was sent redacted") {
  fkv::Error transport;
  transport.stage = fkv::Stage::entra;
  transport.message = "The token request failed while sending assertion-abcdefgh-0123 to login.microsoftonline.com.";
  auto token = token_from_answer(transport, context(), {"assertion-abcdefgh-0123", ""}, [](std::string_view) {});
  REQUIRE_FALSE(token);
  CHECK(token.error().message == "The token request failed while sending *** to login.microsoftonline.com.");
}
