#include "auth/oidc.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>

#include "auth/messages.hpp"
#include "core/service_text.hpp"
#include "core/text.hpp"
#include "net/transport_error.hpp"
#include "net/url.hpp"

namespace fkv::auth {
namespace {

// The Azure DevOps error body's "message" (non-2xx responses only), sanitised; "" if none.
std::string service_message(const net::Response& response) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
  if (document.HasParseError() || !document.IsObject()) return {};
  const rapidjson::Value& root = document;  // const iterators: unambiguous comparisons in C++20
  auto it = root.FindMember("message");
  if (it == root.MemberEnd() || !it->value.IsString()) return {};
  return sanitize_service_text(std::string_view(it->value.GetString(), it->value.GetStringLength()));
}

bool looks_like_html(const net::Response& response) {
  if (auto type = response.header("Content-Type"); type && contains_ignore_case(*type, "html")) return true;
  const auto first = response.body.find_first_not_of(" \t\r\n");
  return first != std::string::npos && response.body[first] == '<';
}

void add_correlation(Error& error, const net::Response& response) {
  for (const char* name : {"x-vss-e2eid", "x-msedge-ref"}) {
    if (auto value = response.header(name)) error.correlation.emplace_back(name, sanitize_service_text(*value, 200));
  }
}

}  // namespace

std::string sanitize_service_text(std::string_view text, std::size_t max_chars) {
  return service_text(text, max_chars);
}

std::string service_connection_id(const net::Url& oidc_request_url) {
  return net::query_parameter(oidc_request_url.target, "serviceConnectionId").value_or(std::string());
}

net::Url oidc_request_url(const net::Url& base, std::string_view service_connection_id, std::string_view api_version) {
  net::Url url = base;
  url.target += url.target.find('?') == std::string::npos ? '?' : '&';
  url.target += "api-version=" + net::url_encode(api_version) +
                "&serviceConnectionId=" + net::url_encode(service_connection_id);
  return url;
}

net::Request oidc_request(const net::Url& oidc_request_url, std::string_view job_token) {
  net::Request request;
  request.method = "POST";
  request.url = oidc_request_url;
  request.headers = {{"Content-Type", "application/json"},
                     {"Accept", "application/json"},
                     {"X-TFS-FedAuthRedirect", "Suppress"}};
  request.bearer = net::Bearer{std::string(job_token), oidc_request_url.host};
  request.timeout = kOidcTimeout;
  return request;
}

Expected<std::string> read_oidc_response(const net::Url& url, const net::Outcome& outcome) {
  if (const auto* failure = std::get_if<net::TransportError>(&outcome)) {
    return net::transport_error(Stage::oidc, "The OIDC token request to Azure DevOps (" + url.host + ")", url,
                                *failure);
  }
  const auto& response = std::get<net::Response>(outcome);
  OidcFailureInfo info;
  info.status = response.status;
  info.host = url.host;
  info.connection_id = service_connection_id(url);

  if (response.status >= 200 && response.status < 300) {
    // Never show or keep any part of a 2xx body: it may hold the token.
    rapidjson::Document document;
    const bool html = looks_like_html(response);
    if (!html) document.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
    if (html) {
      info.kind = OidcFailure::not_json;
    } else if (document.HasParseError() || !document.IsObject()) {
      info.kind = OidcFailure::malformed_json;
    } else if (auto it = static_cast<const rapidjson::Value&>(document).FindMember("oidcToken");
               response.status == 200 && it != static_cast<const rapidjson::Value&>(document).MemberEnd() &&
               it->value.IsString() && it->value.GetStringLength() > 0) {
      return std::string(it->value.GetString(), it->value.GetStringLength());
    } else {
      info.kind = OidcFailure::no_token_in_response;
    }
  } else if (response.status >= 300 && response.status < 400) {
    info.kind = OidcFailure::redirected;
  } else {
    info.service_message = service_message(response);
    if (response.status == 401) {
      info.kind = OidcFailure::unauthorized;
    } else if (response.status == 403) {
      info.kind = OidcFailure::forbidden;
    } else if (response.status == 404 ||
               (response.status == 400 && contains_ignore_case(info.service_message, "No service connection found"))) {
      info.kind = OidcFailure::connection_not_found;
    } else {
      info.kind = OidcFailure::other_status;
    }
  }
  Error error = oidc_failure_error(info);
  add_correlation(error, response);
  return error;
}

}  // namespace fkv::auth
