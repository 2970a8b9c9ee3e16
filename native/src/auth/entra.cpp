#include "auth/entra.hpp"

#include <rapidjson/document.h>

#include <cctype>
#include <limits>

#include "auth/oidc.hpp"
#include "core/numbers.hpp"
#include "core/text.hpp"
#include "net/transport_error.hpp"
#include "net/url.hpp"

namespace fkv::auth {
namespace {

std::string string_member(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// expires_in as a JSON number or a numeric string (the v1 endpoint sends strings); 1..2^31-1.
std::optional<std::chrono::seconds> expires_in(const rapidjson::Value& object) {
  auto it = object.FindMember("expires_in");
  if (it == object.MemberEnd()) return std::nullopt;
  long long value = -1;
  if (it->value.IsInt64()) {
    value = it->value.GetInt64();
  } else if (it->value.IsDouble()) {
    const double d = it->value.GetDouble();
    if (d >= 0 && d < 4e9) value = static_cast<long long>(d);
  } else if (it->value.IsString()) {
    const auto digits = parse_digits(std::string_view(it->value.GetString(), it->value.GetStringLength()), {10});
    if (!digits) return std::nullopt;
    value = static_cast<long long>(*digits);
  }
  if (value <= 0 || value > std::numeric_limits<std::int32_t>::max()) return std::nullopt;
  return std::chrono::seconds{value};
}

}  // namespace

Expected<net::Url> entra_token_url(const net::Url& authority, std::string_view tenant_id) {
  if (!is_tenant_id(tenant_id)) {
    Error error;
    error.stage = Stage::config;
    error.message = "The tenant ID '" + sanitize_service_text(tenant_id, 100) +
                    "' is not valid: only letters, digits, '.' and '-' are allowed.";
    error.hint = "Use the Directory (tenant) ID of the service connection's tenant.";
    error.subject = "tenantId";
    return error;
  }
  net::Url url = authority;
  std::string path = url.target.substr(0, url.target.find('?'));
  if (path.empty() || path.back() != '/') path += '/';
  url.target = path + std::string(tenant_id) + "/oauth2/v2.0/token";
  return url;
}

net::Request entra_request(const net::Url& token_url, std::string_view client_id, std::string_view scope,
                           std::string_view assertion) {
  net::Request request;
  request.method = "POST";
  request.url = token_url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body = "grant_type=client_credentials"
                 "&client_assertion_type=" +
                 net::url_encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                 "&client_id=" + net::url_encode(client_id) + "&scope=" + net::url_encode(scope) +
                 "&client_assertion=" + net::url_encode(assertion);
  request.timeout = kEntraTimeout;
  return request;
}

std::string aadsts_code(std::string_view description, const std::vector<long long>& error_codes) {
  for (auto pos = description.find("AADSTS"); pos != std::string_view::npos;
       pos = description.find("AADSTS", pos + 1)) {
    std::size_t end = pos + 6;
    while (end < description.size() && std::isdigit(static_cast<unsigned char>(description[end]))) ++end;
    if (end > pos + 6) return std::string(description.substr(pos, end - pos));
  }
  if (!error_codes.empty() && error_codes.front() > 0) return "AADSTS" + std::to_string(error_codes.front());
  return {};
}

std::string first_sentence(std::string_view description) {
  // Drop a leading "AADSTS<digits>:".
  if (description.rfind("AADSTS", 0) == 0) {
    std::size_t end = 6;
    while (end < description.size() && std::isdigit(static_cast<unsigned char>(description[end]))) ++end;
    if (end < description.size() && description[end] == ':') description.remove_prefix(end + 1);
  }
  for (std::string_view stop : {std::string_view("\r"), std::string_view("\n"), std::string_view("Trace ID:"),
                                std::string_view("Correlation ID:"), std::string_view("Timestamp:")}) {
    description = description.substr(0, description.find(stop));
  }
  const auto period = description.find(". ");
  if (period != std::string_view::npos) description = description.substr(0, period + 1);
  return sanitize_service_text(description, 300);
}

std::optional<EntraToken> read_token_body(std::string_view body) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject()) return std::nullopt;
  std::string token = string_member(document, "access_token");
  const auto lifetime = expires_in(document);
  if (token.empty() || !lifetime) return std::nullopt;
  return EntraToken{std::move(token), *lifetime};
}

EntraResult read_entra_response(const net::Url& token_url, const net::Outcome& outcome) {
  if (const auto* failure = std::get_if<net::TransportError>(&outcome)) {
    return net::transport_error(Stage::entra, "The token request to Microsoft Entra ID (" + token_url.host + ")",
                                token_url, *failure);
  }
  const auto& response = std::get<net::Response>(outcome);
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
  const bool is_object = !document.HasParseError() && document.IsObject();

  if (response.status == 200) {
    // Never show or keep any part of a 200 body: it holds the token.
    if (auto token = read_token_body(response.body)) return std::move(*token);
    return entra_malformed_success_error(response.status);
  }

  EntraRejection rejection;
  rejection.info.status = response.status;
  if (is_object) {
    std::vector<long long> codes;
    const rapidjson::Value& root = document;  // const iterators: unambiguous comparisons in C++20
    if (auto it = root.FindMember("error_codes"); it != root.MemberEnd() && it->value.IsArray()) {
      for (const auto& code : it->value.GetArray()) {
        if (code.IsInt64()) codes.push_back(code.GetInt64());
      }
    }
    // An error answer that carries an access token anyway keeps only its numeric codes: its texts
    // might quote the token.
    const bool carries_token = !string_member(document, "access_token").empty();
    const std::string description = carries_token ? std::string() : string_member(document, "error_description");
    rejection.info.error = carries_token ? std::string() : sanitize_service_text(string_member(document, "error"), 100);
    rejection.info.code = aadsts_code(description, codes);
    rejection.info.description = first_sentence(description);
    for (const char* name : {"trace_id", "correlation_id", "timestamp"}) {
      const std::string value = carries_token ? std::string() : string_member(document, name);
      if (!value.empty()) rejection.correlation.emplace_back(name, sanitize_service_text(value, 100));
    }
  }
  return rejection;
}

}  // namespace fkv::auth
