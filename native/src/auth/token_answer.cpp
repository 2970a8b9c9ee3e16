#include "auth/token_answer.hpp"

#include <utility>
#include <variant>

#include "core/redaction.hpp"

namespace fkv::auth {

Expected<AccessToken> token_from_answer(EntraResult answer, const ExchangeContext& context,
                                        std::initializer_list<std::string_view> sent,
                                        const SecretSink& register_secret) {
  if (auto* token = std::get_if<EntraToken>(&answer)) {
    register_secret(token->access_token);
    return AccessToken{std::move(token->access_token), token->expires_in};
  }
  if (auto* error = std::get_if<Error>(&answer)) return redact_error(std::move(*error), sent);
  auto& rejection = std::get<EntraRejection>(answer);
  Error error = entra_failure_error(rejection.info, context);
  error.correlation = std::move(rejection.correlation);
  return redact_error(std::move(error), sent);
}

}  // namespace fkv::auth
