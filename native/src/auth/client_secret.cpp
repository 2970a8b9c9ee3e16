#include "auth/client_secret.hpp"

#include "auth/entra.hpp"
#include "core/redaction.hpp"
#include "net/url.hpp"

namespace fkv::auth {

net::Request client_secret_request(const net::Url& token_url, std::string_view client_id, std::string_view scope,
                                   std::string_view client_secret) {
  net::Request request;
  request.method = "POST";
  request.url = token_url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body = "grant_type=client_credentials"
                 "&client_id=" + net::url_encode(client_id) +
                 "&client_secret=" + net::url_encode(client_secret) +
                 "&scope=" + net::url_encode(scope);
  request.timeout = kEntraTimeout;
  return request;
}

Expected<AccessToken> acquire_with_client_secret(net::HttpClient& http, const ClientSecretParams& params,
                                                 const SecretSink& register_secret) {
  auto token_url = entra_token_url(params.authority, params.tenant_id);
  if (!token_url) return token_url.error();
  const auto outcome = http.send(client_secret_request(*token_url, params.client_id, params.scope, params.client_secret));
  auto result = read_entra_response(*token_url, outcome);
  if (auto* token = std::get_if<EntraToken>(&result)) {
    register_secret(token->access_token);
    return AccessToken{std::move(token->access_token), token->expires_in};
  }
  if (auto* error = std::get_if<Error>(&result)) return redact_error(std::move(*error), {params.client_secret});

  auto& rejection = std::get<EntraRejection>(result);
  ExchangeContext context;
  context.client_id = params.client_id;
  context.tenant_id = params.tenant_id;
  context.authority_host = params.authority.host;
  context.scope = params.scope;
  context.credential = ExchangeContext::Credential::client_secret;
  context.settings_url = params.settings_url;
  Error error = entra_failure_error(rejection.info, context);
  error.correlation = std::move(rejection.correlation);
  return redact_error(std::move(error), {params.client_secret});
}

}  // namespace fkv::auth
