// Microsoft Entra ID: the v2 token endpoint (client credentials with a federated client assertion)
// and the discovery documents MSAL reads before it.
#include "jwt.hpp"
#include "services.hpp"
#include "util.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace fake {
namespace {

// How far an assertion's nbf may lie ahead of the fake's clock: clockSkewSeconds (as for exp), but at least
// a minute for nbf (a client that rounds "now" up, as MSAL does, must not fail by a second; Entra is lenient
// there too).
std::int64_t nbf_tolerance(const Scenario& sc) { return std::max<std::int64_t>(sc.clock_skew_seconds, 60); }

const std::string kLogin = "https://login.microsoftonline.com";

HttpResponse json_ok(std::string body) {
  HttpResponse r;
  r.set("Content-Type", "application/json; charset=utf-8");
  r.set("Cache-Control", "max-age=86400, private");
  r.set("Access-Control-Allow-Origin", "*");
  r.set("x-ms-ests-server", "2.1.19200.4 - WEULR1 ProdSlices");
  r.body = std::move(body);
  return r;
}

std::string openid_configuration(const std::string& tenant) {
  const std::string base = kLogin + "/" + tenant;
  return "{\"token_endpoint\":\"" + base +
         "/oauth2/v2.0/token\","
         "\"token_endpoint_auth_methods_supported\":[\"client_secret_post\",\"private_key_jwt\",\"client_secret_basic\"],"
         "\"jwks_uri\":\"" +
         base +
         "/discovery/v2.0/keys\","
         "\"response_modes_supported\":[\"query\",\"fragment\",\"form_post\"],"
         "\"subject_types_supported\":[\"pairwise\"],\"id_token_signing_alg_values_supported\":[\"RS256\"],"
         "\"response_types_supported\":[\"code\",\"id_token\",\"code id_token\",\"id_token token\"],"
         "\"scopes_supported\":[\"openid\",\"profile\",\"email\",\"offline_access\"],"
         "\"issuer\":\"" +
         base +
         "/v2.0\",\"request_uri_parameter_supported\":false,"
         "\"userinfo_endpoint\":\"https://graph.microsoft.com/oidc/userinfo\","
         "\"authorization_endpoint\":\"" +
         base +
         "/oauth2/v2.0/authorize\","
         "\"device_authorization_endpoint\":\"" +
         base +
         "/oauth2/v2.0/devicecode\","
         "\"http_logout_supported\":true,\"frontchannel_logout_supported\":true,"
         "\"end_session_endpoint\":\"" +
         base +
         "/oauth2/v2.0/logout\","
         "\"claims_supported\":[\"sub\",\"iss\",\"cloud_instance_name\",\"cloud_instance_host_name\",\"cloud_graph_host_name\","
         "\"msgraph_host\",\"aud\",\"exp\",\"iat\",\"auth_time\",\"acr\",\"nonce\",\"preferred_username\",\"name\",\"tid\",\"ver\","
         "\"at_hash\",\"c_hash\",\"email\"],"
         "\"kerberos_endpoint\":\"" +
         base +
         "/kerberos\",\"tenant_region_scope\":\"EU\","
         "\"cloud_instance_name\":\"microsoftonline.com\",\"cloud_graph_host_name\":\"graph.windows.net\","
         "\"msgraph_host\":\"graph.microsoft.com\",\"rbac_url\":\"https://pas.windows.net\"}";
}

std::string instance_discovery(const std::string& authorization_endpoint) {
  // tenant_discovery_endpoint follows the tenant named in authorization_endpoint, as the real service does.
  std::string tenant = "common";
  const std::string prefix = kLogin + "/";
  if (starts_with_icase(authorization_endpoint, prefix)) {
    auto rest = authorization_endpoint.substr(prefix.size());
    tenant = rest.substr(0, rest.find('/'));
  }
  return "{\"tenant_discovery_endpoint\":\"" + kLogin + "/" + json_escape(tenant) +
         "/v2.0/.well-known/openid-configuration\",\"api-version\":\"1.1\",\"metadata\":["
         "{\"preferred_network\":\"login.microsoftonline.com\",\"preferred_cache\":\"login.windows.net\","
         "\"aliases\":[\"login.microsoftonline.com\",\"login.windows.net\",\"login.microsoft.com\",\"sts.windows.net\"]},"
         "{\"preferred_network\":\"login.partner.microsoftonline.cn\",\"preferred_cache\":\"login.partner.microsoftonline.cn\","
         "\"aliases\":[\"login.partner.microsoftonline.cn\",\"login.chinacloudapi.cn\"]},"
         "{\"preferred_network\":\"login.microsoftonline.us\",\"preferred_cache\":\"login.microsoftonline.us\","
         "\"aliases\":[\"login.microsoftonline.us\",\"login.usgovcloudapi.net\"]}]}";
}

// Entra's error answer; describe(trace, correlation, timestamp) makes error_description.
template <class Describe>
HttpResponse entra_error_with(Services& s, int status, const std::string& error, int code, Describe&& describe) {
  const std::string trace = random_guid(), correlation = random_guid(), ts = entra_timestamp(s.now());
  HttpResponse r;
  r.status = status;
  r.set("Content-Type", "application/json; charset=utf-8");
  r.set("Cache-Control", "no-store, no-cache");
  r.set("x-ms-request-id", trace);
  r.set("x-ms-ests-server", "2.1.19200.4 - WEULR1 ProdSlices");
  const std::string code_s = std::to_string(code);
  r.body = "{\"error\":\"" + json_escape(error) + "\",\"error_description\":\"" +
           json_escape(describe(trace, correlation, ts)) + "\",\"error_codes\":[" + code_s + "],\"timestamp\":\"" + ts +
           "\",\"trace_id\":\"" + trace + "\",\"correlation_id\":\"" + correlation +
           "\",\"error_uri\":\"https://login.microsoftonline.com/error?code=" + code_s + "\"}";
  return r;
}

bool tenant_syntax_ok(const std::string& t) {
  return !t.empty() &&
         std::all_of(t.begin(), t.end(), [](char c) { return std::isalnum((unsigned char)c) || c == '.' || c == '-'; });
}

std::string assertion_class(Services& s, const std::string& assertion) {
  if (assertion.empty()) return "none";
  if (s.tokens.is_oidc(assertion)) return "oidc";
  if (assertion == s.scenario.job_token) return "job";
  return "unknown";
}

HttpResponse token_endpoint(Services& s, const std::string& tenant_in_path, const HttpRequest& req) {
  const Scenario& sc = s.scenario;
  auto form = parse_query(req.body, /*form=*/true);
  auto field = [&](const char* k) {
    auto it = form.find(k);
    return it == form.end() ? std::string() : it->second;
  };
  const std::string assertion = field("client_assertion");
  const std::string assertion_class_name = assertion_class(s, assertion);
  auto with_class = [&](HttpResponse r) {
    r.log.assertion = assertion_class_name;
    return r;
  };

  const Tenant* tenant = sc.find_tenant(tenant_in_path);
  if (!tenant)
    return with_class(entra_error(
        s, 400, "invalid_tenant", 90002,
        "Tenant '" + tenant_in_path +
            "' not found. Check to make sure you have the correct tenant ID and "
            "are signing into the correct cloud. Check with your subscription administrator, this may happen "
            "if there are no active subscriptions for the tenant."));
  for (const char* required : {"grant_type", "client_id"})
    if (field(required).empty())
      return with_class(
          entra_error(s, 400, "invalid_request", 900144,
                      std::string("The request body must contain the following parameter: '") + required + "'."));
  if (field("grant_type") != "client_credentials")
    return with_class(entra_error(s, 400, "unsupported_grant_type", 70003,
                                  "The app requested an unsupported grant type '" + field("grant_type") + "'."));
  const std::string client_id = to_lower(field("client_id"));
  const AppRegistration* app = sc.find_app(tenant->id, client_id);
  if (!app)
    return with_class(entra_error(
        s, 400, "unauthorized_client", 700016,
        "Application with identifier '" + field("client_id") + "' was not found in the directory '" + tenant->id +
            "'. This can happen if the application has not been installed by the "
            "administrator of the tenant or consented to by any user in the tenant. You may have sent "
            "your authentication request to the wrong tenant."));
  // The scope: <resource>/.default for a resource the tenant knows.
  auto scope_error = [&]() -> std::optional<HttpResponse> {
    const std::string scope = field("scope");
    if (scope.empty())
      return std::optional<HttpResponse>(with_class(
          entra_error(s, 400, "invalid_request", 90014,
                      "The required field 'scope' is missing from the credential. Ensure that you have all the "
                      "necessary parameters for the login request.")));
    const std::string suffix = "/.default";
    if (scope.find(' ') != std::string::npos || scope.size() <= suffix.size() ||
        scope.compare(scope.size() - suffix.size(), suffix.size(), suffix) != 0)
      return std::optional<HttpResponse>(with_class(
          entra_error(s, 400, "invalid_scope", 1002012,
                      "The provided value for scope " + scope +
                          " is not valid. Client credential flows must have a "
                          "scope value with /.default suffixed to the resource identifier (application ID URI).")));
    std::string resource = scope.substr(0, scope.size() - suffix.size());
    while (!resource.empty() && resource.back() == '/') resource.pop_back();
    if (!iequals(resource, kVaultResource))
      return std::optional<HttpResponse>(with_class(
          entra_error(s, 400, "invalid_resource", 500011,
                      "The resource principal named " + resource + " was not found in the tenant named " + tenant->id +
                          ". This can happen if the application has not been installed by the administrator of the "
                          "tenant or consented to by any user in the tenant. You might have sent your authentication "
                          "request to the wrong tenant.")));
    return std::nullopt;
  };
  auto issue = [&]() -> HttpResponse {
    const std::int64_t issued_at = s.now();
    std::string short_id;
    std::string token = s.tokens.issue_access(tenant->id, client_id, std::string(kVaultResource), issued_at + 3599,
                                              &short_id);
    HttpResponse r;
    r.set("Content-Type", "application/json; charset=utf-8");
    r.set("Cache-Control", "no-store, no-cache");
    r.set("Pragma", "no-cache");
    r.set("x-ms-request-id", random_guid());
    r.set("x-ms-ests-server", "2.1.19200.4 - WEULR1 ProdSlices");
    r.set("x-ms-clitelem", "1,0,0,,");
    if (req.has_header("client-request-id")) r.set("client-request-id", req.header("client-request-id"));
    r.body = "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\"" + token +
             "\"}";
    r.log.assertion = assertion_class_name;
    r.log.issued = "access:" + short_id;
    return r;
  };
  // A client secret (ServicePrincipal + spnKey): one of the app's configured secrets, not expired.
  if (const std::string secret = field("client_secret"); !secret.empty()) {
    auto match = std::find_if(app->client_secrets.begin(), app->client_secrets.end(),
                              [&](const ClientSecret& c) { return c.value == secret; });
    if (match == app->client_secrets.end())
      return with_class(
          entra_error(s, 401, "invalid_client", 7000215,
                      "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                      "secret value, not the client secret ID, for a secret added to app '" +
                          client_id + "'."));
    if (match->expired)
      return with_class(
          entra_error(s, 401, "invalid_client", 7000222,
                      "The provided client secret keys for app '" + client_id +
                          "' are expired. Visit the Azure "
                          "portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using "
                          "certificate credentials for added security: https://aka.ms/certCreds."));
    if (auto bad_scope = scope_error()) return *bad_scope;
    auto r = issue();
    r.log.assertion = "secret";
    return r;
  }
  if (assertion.empty() || field("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    return with_class(
        entra_error(s, 401, "invalid_client", 7000218,
                    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."));
  if (auto bad_scope = scope_error()) return *bad_scope;
  auto jwt = parse_jwt(assertion);
  if (!jwt) return with_class(entra_error(s, 400, "invalid_request", 50027, "JWT token is invalid or malformed."));
  const JwtClaims& claims = jwt->claims;
  // A client assertion the app signed itself (certificate credential): iss = the client id, x5t (SHA-1,
  // with RS256) or x5t#S256 alone (SHA-256, with RS256 or PS256, as MSAL sends it) names the certificate,
  // verified with that registered certificate's public key.
  if ((!jwt->x5t.empty() || !jwt->x5t_s256.empty()) && iequals(claims.iss, client_id)) {
    const RegisteredCertificate* registered = nullptr;
    std::vector<RegisteredCertificate> certificates;
    for (const auto& pem : app->certificates) certificates.push_back(load_registered_certificate(pem));
    for (const auto& c : certificates)
      if (jwt->x5t.empty() ? c.x5t_s256 == jwt->x5t_s256 : c.x5t == jwt->x5t) registered = &c;
    if (!registered) {
      const auto sha1 = base64_decode(jwt->x5t.empty() ? jwt->x5t_s256 : jwt->x5t);
      std::string hex;
      for (unsigned char c : sha1.value_or(std::string())) {
        hex += "0123456789ABCDEF"[c >> 4];
        hex += "0123456789ABCDEF"[c & 15];
      }
      return with_class(
          entra_error(s, 401, "invalid_client", 700027,
                      "Client assertion contains an invalid signature. [Reason - The key was not found., "
                      "Thumbprint of key used by client: '" +
                          hex +
                          "', Please visit the Azure Portal, Graph "
                          "Explorer or directly use MS Graph to see configured keys for app Id '" +
                          client_id +
                          "'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployment to "
                          "determine the corresponding service endpoint.]"));
    }
    const bool signed_ok = (jwt->alg == "RS256" &&
                            rs256_verify(registered->public_key_pem, jwt->signing_input, jwt->signature)) ||
                           (jwt->alg == "PS256" && jwt->x5t.empty() &&
                            ps256_verify(registered->public_key_pem, jwt->signing_input, jwt->signature));
    if (!signed_ok || (!jwt->x5t_s256.empty() && jwt->x5t_s256 != registered->x5t_s256))
      return with_class(
          entra_error(s, 401, "invalid_client", 700027,
                      "Client assertion contains an invalid signature. [Reason - The provided signature value "
                      "did not match the expected signature value., Thumbprint of key used by client: '" +
                          registered->thumbprint_hex +
                          "', Found key 'Start=01/01/2026 00:00:00, End=01/01/2028 "
                          "00:00:00']"));
    if (!iequals(claims.sub, client_id))
      return with_class(entra_error(
          s, 401, "invalid_client", 700021,
          "Client assertion application identifier doesn't match 'client_id' parameter. Review the "
          "documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."));
    const std::string endpoint = kLogin + "/" + tenant_in_path + "/oauth2/v2.0/token";
    if (claims.aud.size() != 1 || !iequals(claims.aud.front(), endpoint))
      return with_class(
          entra_error(s, 401, "invalid_client", 700212,
                      "Client assertion audience claim does not match Realm issuer. Review the documentation at "
                      "https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."));
    const std::int64_t at = s.now();
    if (!claims.exp || at >= *claims.exp + sc.clock_skew_seconds ||
        (claims.nbf && at < *claims.nbf - nbf_tolerance(sc)))
      return with_class(
          entra_error(s, 401, "invalid_client", 700024,
                      "Client assertion is not within its valid time range. Current time: " + entra_timestamp(at) +
                          ", assertion valid from " + entra_timestamp(claims.nbf.value_or(0)) +
                          ", expiry time of assertion " + entra_timestamp(claims.exp.value_or(0)) + "."));
    auto r = issue();
    r.log.assertion = "certificate";
    return r;
  }
  if (app->federated_credentials.empty())
    return with_class(
        entra_error(s, 400, "invalid_client", 70025,
                    "The client '" + client_id + "'(fkv-app) has no configured federated identity credentials."));
  std::vector<const FederatedCredential*> by_issuer;
  for (const auto& f : app->federated_credentials)
    if (f.issuer == claims.iss) by_issuer.push_back(&f);
  if (by_issuer.empty())
    return with_class(entra_error(
        s, 401, "invalid_client", 700211,
        "No matching federated identity record found for presented assertion issuer '" + claims.iss +
            "'. Please check your federated identity credential Subject, Audience and Issuer against "
            "the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"));
  if (jwt->alg != "RS256" || !s.key.verify(jwt->signing_input, jwt->signature))
    return with_class(entra_error(s, 401, "invalid_client", 700027, "Client assertion failed signature validation."));
  const std::int64_t now = s.now();
  const std::int64_t skew = sc.clock_skew_seconds;
  if (!claims.exp || now >= *claims.exp + skew || (claims.nbf && now < *claims.nbf - nbf_tolerance(sc))) {
    return with_class(entra_error(
        s, 401, "invalid_client", 700024,
        "Client assertion is not within its valid time range. Current time: " + entra_timestamp(now) +
            ", assertion valid from " + entra_timestamp(claims.nbf.value_or(claims.iat.value_or(0))) +
            ", expiry time of assertion " + entra_timestamp(claims.exp.value_or(0)) +
            ". Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."));
  }
  std::vector<const FederatedCredential*> by_subject;
  bool case_only = false;
  for (auto* f : by_issuer) {
    if (f->subject == claims.sub) by_subject.push_back(f);
    else if (iequals(f->subject, claims.sub)) case_only = true;
  }
  if (by_subject.empty() && case_only)
    return with_class(entra_error(
        s, 401, "invalid_client", 7002138,
        "No matching federated identity record found for presented assertion subject '" + claims.sub +
            "'. The subject matches with case-insensitive comparison, but not with case-sensitive "
            "comparison. Check your federated identity credential Subject, Audience and Issuer against "
            "the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"));
  if (by_subject.empty())
    return with_class(entra_error(
        s, 401, "invalid_client", 700213,
        "No matching federated identity record found for presented assertion subject '" + claims.sub +
            "'. Check your federated identity credential Subject, Audience and Issuer against the "
            "presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"));
  // Entra-issued Azure DevOps tokens carry aud = the token-exchange app id; a credential configured with
  // api://AzureADTokenExchange (the only audience the portal offers) accepts them.
  auto audience_matches = [&](const FederatedCredential& f) {
    for (const auto& a : claims.aud) {
      if (a == f.audience) return true;
      if (f.audience == kTokenExchangeAudience && iequals(a, kTokenExchangeAppId)) return true;
    }
    return false;
  };
  if (std::none_of(by_subject.begin(), by_subject.end(), [&](auto* f) { return audience_matches(*f); }))
    return with_class(entra_error(
        s, 401, "invalid_client", 700212,
        "No matching federated identity record found for presented assertion audience '" +
            (claims.aud.empty() ? std::string() : claims.aud.front()) +
            "'. Please check your federated identity credential Subject, Audience and Issuer against "
            "the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"));

  return issue();
}

}  // namespace

HttpResponse entra_error(Services& s, int status, const std::string& error, int code, const std::string& text) {
  return entra_error_with(s, status, error, code,
                          [&](const std::string& trace, const std::string& correlation, const std::string& ts) {
    return "AADSTS" + std::to_string(code) + ": " + text + " Trace ID: " + trace + " Correlation ID: " + correlation +
           " Timestamp: " + ts;
  });
}

HttpResponse entra_error_text(Services& s, int status, const std::string& error, int code,
                              const std::string& description) {
  return entra_error_with(s, status, error, code,
                          [&](const std::string&, const std::string&, const std::string&) { return description; });
}

HttpResponse entra_error_by_code(Services& s, int code, int status) {
  switch (code) {
    case 700024:
      return entra_error(
          s, status, "invalid_client", code,
          "Client assertion is not within its valid time range. Current time: " + entra_timestamp(s.now()) +
              ", assertion valid from " + entra_timestamp(s.now() - 900) + ", expiry time of assertion " +
              entra_timestamp(s.now() - 300) +
              ". Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .");
    case 700213:
      return entra_error(
          s, status, "invalid_client", code,
          "No matching federated identity record found for presented assertion subject 'injected'. Check your "
          "federated identity credential Subject, Audience and Issuer against the presented assertion.");
    case 90002: return entra_error(s, status, "invalid_tenant", code, "Tenant 'injected' not found.");
    case 700016:
      return entra_error(s, status, "unauthorized_client", code,
                         "Application with identifier 'injected' was not found in the directory 'injected'.");
    case 50196:
      return entra_error(s, status, "temporarily_unavailable", code,
                         "The server terminated an operation because it encountered a client request loop.");
    default:
      return entra_error(s, status, status >= 500 || status == 429 ? "temporarily_unavailable" : "invalid_request",
                         code, "Injected error.");
  }
}

HttpResponse handle_entra(Services& s, const HttpRequest& req) {
  Target t = split_target(req.target);
  auto seg = split_path(t.path);
  if (req.method == "GET" && seg.size() == 3 && seg[1] == "discovery" && seg[2] == "instance") {
    auto q = parse_query(t.query);
    return json_ok(instance_discovery(q["authorization_endpoint"]));
  }
  if (seg.empty()) return entra_error(s, 404, "invalid_request", 900561, "The endpoint only accepts POST requests.");
  const std::string tenant = url_decode(seg[0]);
  if (!tenant_syntax_ok(tenant))
    return entra_error(s, 400, "invalid_request", 900023,
                       "Specified tenant identifier '" + tenant +
                           "' is neither a valid DNS name, nor a valid external domain.");
  const Tenant* known = s.scenario.find_tenant(tenant);
  auto unknown_tenant = [&] {
    return entra_error(
        s, 400, "invalid_tenant", 90002,
        "Tenant '" + tenant +
            "' not found. Check to make sure you have the correct tenant ID and are signing "
            "into the correct cloud. Check with your subscription administrator, this may happen if there are no "
            "active subscriptions for the tenant.");
  };
  const bool v2_config = seg.size() == 4 && seg[1] == "v2.0" && seg[2] == ".well-known" &&
                         seg[3] == "openid-configuration";
  const bool v1_config = seg.size() == 3 && seg[1] == ".well-known" && seg[2] == "openid-configuration";
  if (req.method == "GET" && (v2_config || v1_config)) {
    if (!known) return unknown_tenant();
    return json_ok(openid_configuration(known->id));
  }
  if (req.method == "GET" && seg.size() == 4 && seg[1] == "discovery" && seg[2] == "v2.0" && seg[3] == "keys") {
    if (!known) return unknown_tenant();
    return json_ok("{\"keys\":[" + s.key.jwk_json() + "]}");
  }
  if (seg.size() == 4 && seg[1] == "oauth2" && seg[2] == "v2.0" && seg[3] == "token") {
    if (req.method != "POST")
      return entra_error(s, 405, "invalid_request", 900561,
                         "The endpoint only accepts POST, OPTIONS requests. Received a " + req.method + " request.");
    return token_endpoint(s, tenant, req);
  }
  HttpResponse r;
  r.status = 404;
  r.set("Content-Type", "text/html; charset=utf-8");
  r.body = "<html><body>Not found</body></html>";
  return r;
}

}  // namespace fake
