#include "auth/federated_credential.hpp"

#include <initializer_list>

#include "auth/entra.hpp"
#include "auth/jwt_claims.hpp"
#include "auth/messages.hpp"
#include "auth/oidc.hpp"
#include "auth/token_answer.hpp"
#include "core/redaction.hpp"

namespace fkv::auth {
namespace {

Error redacted(Error error, std::initializer_list<std::string_view> secrets) {
  return redact_error(std::move(error), secrets);
}

}  // namespace

Expected<AccessToken> acquire_access_token(net::HttpClient& http, const FederatedCredential& params,
                                           const std::string& scope, const SecretSink& register_secret) {
  auto token_url = entra_token_url(params.authority, params.tenant_id);
  if (!token_url) return token_url.error();

  ExchangeContext context;
  context.client_id = params.client_id;
  context.tenant_id = params.tenant_id;
  context.authority_host = params.authority.host;
  context.scope = scope;

  // Attempt 2 happens only after AADSTS700024 (assertion outside its time range), with a fresh token.
  for (int attempt = 1;; ++attempt) {
    const auto oidc_outcome = http.send(oidc_request(params.oidc_request_url, params.job_token));
    auto oidc_token = read_oidc_response(params.oidc_request_url, oidc_outcome);
    if (!oidc_token) return redacted(oidc_token.error(), {params.job_token});
    register_secret(*oidc_token);

    context.claims = decode_jwt_claims(*oidc_token);
    context.retried_with_fresh_token = attempt > 1;
    const auto entra_outcome = http.send(entra_request(*token_url, params.client_id, scope, *oidc_token));
    auto answer = read_entra_response(*token_url, entra_outcome);
    const auto* rejection = std::get_if<EntraRejection>(&answer);
    if (rejection && rejection->info.code == "AADSTS700024" && attempt == 1) continue;
    return token_from_answer(std::move(answer), context, {params.job_token, *oidc_token}, register_secret);
  }
}

}  // namespace fkv::auth
