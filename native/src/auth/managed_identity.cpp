#include "auth/managed_identity.hpp"

#include <rapidjson/document.h>

#include <algorithm>

#include "auth/entra.hpp"
#include "auth/oidc.hpp"
#include "core/text.hpp"
#include "net/url.hpp"

namespace fkv::auth {
namespace {

bool retryable_status(int status) { return status == 404 || status == 410 || status == 429 || status >= 500; }

// The TCP connection never came up: there is nothing at 169.254.169.254 (not an Azure VM).
bool unreachable(const net::TransportError& error) {
  using Kind = net::TransportError::Kind;
  return error.kind == Kind::connect || error.kind == Kind::resolve_failed || error.kind == Kind::resolve_not_found ||
         (error.kind == Kind::timeout && error.phase == net::TransportError::Phase::connect);
}

std::string string_member(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

const char* const kNoImdsHint =
    "A ManagedServiceIdentity service connection works only on a self-hosted agent that runs on an Azure VM or "
    "virtual machine scale set with a managed identity. Run the job on such an agent, or use a service connection "
    "with workload identity federation (recommended) or a service principal.";

Error imds_error(int status, std::string message, std::string hint) {
  Error error;
  error.stage = Stage::imds;
  error.http_status = status;
  error.message = std::move(message);
  error.hint = std::move(hint);
  return error;
}

std::string identity_words(std::string_view msi_client_id) {
  return msi_client_id.empty() ? std::string("system-assigned managed identity")
                               : "user-assigned managed identity with client id '" + std::string(msi_client_id) + "'";
}

}  // namespace

std::string imds_resource(std::string_view scope) {
  constexpr std::string_view suffix = "/.default";
  if (scope.size() >= suffix.size() && scope.substr(scope.size() - suffix.size()) == suffix) {
    scope.remove_suffix(suffix.size());
  }
  return std::string(scope);
}

net::Request imds_token_request(std::string_view resource, std::string_view msi_client_id) {
  net::Request request;
  request.method = "GET";
  request.url.host = std::string(kImdsAddress);
  request.url.port = kImdsPort;
  request.url.target = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + net::url_encode(resource);
  if (!msi_client_id.empty()) request.url.target += "&client_id=" + net::url_encode(msi_client_id);
  request.headers = {{"Metadata", "true"}, {"Accept", "application/json"}};
  request.timeout = kImdsRequestTimeout;
  return request;
}

Expected<AccessToken> read_imds_response(const net::Outcome& outcome, std::string_view msi_client_id) {
  if (const auto* failure = std::get_if<net::TransportError>(&outcome)) {
    if (failure->kind == net::TransportError::Kind::cancelled) {
      return imds_error(0, "The managed identity token request was cancelled.", "");
    }
    if (unreachable(*failure)) {
      return imds_error(0,
                        "The Azure Instance Metadata Service (" + std::string(kImdsAddress) +
                            ") cannot be reached, so the agent has no managed identity: " + failure->detail + ".",
                        kNoImdsHint);
    }
    return imds_error(0,
                      "The Azure Instance Metadata Service (" + std::string(kImdsAddress) +
                          ") did not answer the managed identity token request: " + failure->detail + ".",
                      "If this persists, check the agent VM's network configuration (IMDS must be reachable "
                      "directly, never through a proxy).");
  }
  const auto& response = std::get<net::Response>(outcome);
  if (response.status == 200) {
    // Never show or keep any part of a 200 body: it holds the token.
    if (auto token = read_token_body(response.body))
      return AccessToken{std::move(token->access_token), token->expires_in};
    return imds_error(200, "The Azure Instance Metadata Service answered HTTP 200 without a usable access token.",
                      "If this persists, restart the agent VM's guest agent or report it to Azure support.");
  }

  std::string code, description;
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
  // An error answer that carries an access token anyway is not echoed at all: its texts might quote it.
  if (!document.HasParseError() && document.IsObject() && string_member(document, "access_token").empty()) {
    code = sanitize_service_text(string_member(document, "error"), 100);
    description = sanitize_service_text(string_member(document, "error_description"), 300);
  }
  const std::string said = std::string("HTTP ") + std::to_string(response.status) +
                           (description.empty() ? std::string() : ": " + description);
  if (response.status == 400 && contains_ignore_case(description, "identity not found")) {
    Error error = imds_error(
        400,
        "The Azure Instance Metadata Service found no " + identity_words(msi_client_id) + " on this agent's VM (" +
            said + ").",
        msi_client_id.empty()
            ? "Turn on the system-assigned identity of the agent's VM or scale set (Identity > System assigned in "
              "the Azure portal), or set the service connection's msiclientId to the client id of a user-assigned "
              "identity assigned to it."
            : "Assign the user-assigned identity with this client id to the agent's VM or scale set (Identity > "
              "User assigned in the Azure portal), or fix the service connection's msiclientId: it must be the "
              "Client ID of an identity assigned to the VM.");
    error.service_code = code;
    return error;
  }
  Error error = imds_error(
      response.status,
      "The Azure Instance Metadata Service refused the token request for the " + identity_words(msi_client_id) + " (" +
          said + ").",
      retryable_status(response.status)
          ? std::string("IMDS still answered so when the task stopped retrying (after its attempts or at the run's "
                        "time limit): if the identity was assigned just now, run the job again in a minute.")
          : std::string("Check the managed identity of the agent's VM and the service connection's msiclientId."));
  error.service_code = code;
  return error;
}

Expected<AccessToken> acquire_with_managed_identity(net::HttpClient* imds, const ManagedIdentityCredential& credential,
                                                    std::string_view scope, const SecretSink& register_secret) {
  if (!imds) {
    return config_error("ConnectedServiceName",
                        "This build of the task cannot reach the Azure Instance Metadata Service.",
                        "Use a service connection with workload identity federation.");
  }
  auto token = read_imds_response(imds->send(imds_token_request(imds_resource(scope), credential.msi_client_id)),
                                  credential.msi_client_id);
  if (token) register_secret(token->token);
  return token;
}

}  // namespace fkv::auth
