#include "auth/client_secret.hpp"

#include "auth/entra.hpp"
#include "auth/token_answer.hpp"
#include "net/url.hpp"

namespace fkv::auth {

net::Request client_secret_request(const net::Url& token_url, std::string_view client_id, std::string_view scope,
                                   std::string_view client_secret) {
  net::Request request;
  request.method = "POST";
  request.url = token_url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body = "grant_type=client_credentials"
                 "&client_id=" +
                 net::url_encode(client_id) + "&client_secret=" + net::url_encode(client_secret) +
                 "&scope=" + net::url_encode(scope);
  request.timeout = kEntraTimeout;
  return request;
}

Expected<AccessToken> acquire_with_client_secret(net::HttpClient& http, const ClientSecretCredential& params,
                                                 const std::string& scope, const SecretSink& register_secret) {
  auto token_url = entra_token_url(params.authority, params.tenant_id);
  if (!token_url) return token_url.error();
  const auto outcome = http.send(client_secret_request(*token_url, params.client_id, scope, params.client_secret));
  ExchangeContext context;
  context.client_id = params.client_id;
  context.tenant_id = params.tenant_id;
  context.authority_host = params.authority.host;
  context.scope = scope;
  context.credential = ExchangeContext::Credential::client_secret;
  context.settings_url = params.settings_url;
  return token_from_answer(read_entra_response(*token_url, outcome), context, {params.client_secret}, register_secret);
}

}  // namespace fkv::auth
