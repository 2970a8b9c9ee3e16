// Azure DevOps: the job's OIDC token endpoint
//   POST /{org}/{projectId}/_apis/distributedtask/hubs/{hub}/plans/{planId}/jobs/{jobId}/oidctoken
//        ?api-version=7.1[-preview.1]&serviceConnectionId={id}
#include "jwt.hpp"
#include "services.hpp"
#include "util.hpp"

#include <regex>

namespace fake {
namespace {

constexpr const char* kUnauthorizedType =
    "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server";

void add_devops_headers(HttpResponse& r) {
  r.set("x-vss-e2eid", random_guid());
  r.set("ActivityId", random_guid());
  r.set("x-msedge-ref", "Ref A: " + random_hex(16) + " Ref B: AMS231000000000 Ref C: " + entra_timestamp(unix_now()));
  r.set("X-Content-Type-Options", "nosniff");
}

bool job_token_ok(const Scenario& sc, const HttpRequest& req) {
  std::string auth = req.header("authorization");
  if (!starts_with_icase(auth, "Bearer ")) return false;
  return auth.substr(7) == sc.job_token;
}

bool api_version_ok(const std::string& v) {
  static const std::regex re(R"(^[5-9]\.[0-9](-preview(\.[0-9]+)?)?$)");
  return std::regex_match(v, re);
}

}  // namespace

HttpResponse devops_error(int status, const std::string& type_key, const std::string& type_name,
                          const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.set("Content-Type", "application/json; charset=utf-8");
  r.body = "{\"$id\":\"1\",\"innerException\":null,\"message\":\"" + json_escape(message) + "\",\"typeName\":\"" +
           json_escape(type_name) + "\",\"typeKey\":\"" + json_escape(type_key) +
           "\",\"errorCode\":0,\"eventId\":3000}";
  add_devops_headers(r);
  return r;
}

std::string issue_oidc_token(Services& s, const Connection* c) {
  const Scenario& sc = s.scenario;
  const std::int64_t iat = s.now();
  const int lifetime = c ? c->oidc_lifetime_seconds : 300;
  std::string claims = "{\"jti\":\"" + random_guid() + "\"";
  if (c) {
    claims += ",\"sub\":\"" + json_escape(connection_subject(sc, *c)) + "\",\"aud\":\"" +
              json_escape(connection_audience(*c)) + "\",\"iss\":\"" + json_escape(connection_issuer(sc, *c)) + "\"";
    if (c->issuer_format == IssuerFormat::Entra)
      claims += ",\"azp\":\"" + std::string(kAzureDevOpsAppId) + "\",\"azpacr\":\"2\",\"idtyp\":\"app\",\"oid\":\"" +
                random_guid() + "\",\"tid\":\"" + c->tenant + "\",\"ver\":\"2.0\"";
  } else {
    claims += ",\"sub\":\"p://" + json_escape(sc.org_name) + "/" + json_escape(sc.project_name) + "/" +
              json_escape(sc.pipeline_name) + "\",\"aud\":\"" + std::string(kTokenExchangeAudience) +
              "\",\"iss\":\"https://vstoken.dev.azure.com/" + sc.org_id + "\",\"org_id\":\"" + sc.org_id +
              "\",\"prj_id\":\"" + sc.project_id + "\"";
  }
  claims += ",\"nbf\":" + std::to_string(iat - 600) + ",\"exp\":" + std::to_string(iat + lifetime) +
            ",\"iat\":" + std::to_string(iat) + "}";
  std::string token = make_jwt(s.key, claims);
  s.tokens.add_oidc(token);
  return token;
}

HttpResponse handle_devops(Services& s, const HttpRequest& req) {
  const Scenario& sc = s.scenario;
  Target t = split_target(req.target);
  auto seg = split_path(t.path);
  const bool oidc_route = seg.size() == 11 && seg[2] == "_apis" && iequals(seg[3], "distributedtask") &&
                          seg[4] == "hubs" && seg[6] == "plans" && seg[8] == "jobs" && iequals(seg[10], "oidctoken");
  if (!oidc_route)
    return devops_error(404, "RouteNotFoundException",
                        "Microsoft.TeamFoundation.Framework.Server.RouteNotFoundException",
                        "The requested resource does not exist (the fake serves only the oidctoken route).");

  if (!job_token_ok(sc, req)) {
    if (!iequals(req.header("x-tfs-fedauthredirect"), "Suppress")) {
      HttpResponse r;
      r.status = 302;
      std::string reply = url_encode("https://dev.azure.com" + req.target);
      r.set("Location", "https://spsprodweu5.vssps.visualstudio.com/_signin?realm=dev.azure.com&reply_to=" + reply +
                            "&redirect=1&hid=" + random_guid());
      r.set("Content-Type", "text/html; charset=utf-8");
      r.body =
          "<html><head><title>Object moved</title></head><body>\r\n<h2>Object moved to <a href=\"https://spsprodweu5."
          "vssps.visualstudio.com/_signin\">here</a>.</h2>\r\n</body></html>\r\n";
      add_devops_headers(r);
      return r;
    }
    auto r = devops_error(401, "UnauthorizedRequestException", kUnauthorizedType,
                          "TF400813: The user '' is not authorized to access this resource.");
    r.set("WWW-Authenticate", "Bearer authorization_uri=https://login.microsoftonline.com/" +
                                  (sc.tenants.empty() ? std::string("common") : sc.tenants.front().id));
    return r;
  }

  if (!iequals(seg[0], sc.org_name))
    return devops_error(404, "AccountNotFoundException",
                        "Microsoft.VisualStudio.Services.Account.AccountNotFoundException",
                        "TF400813: The organization '" + seg[0] + "' does not exist.");
  if (!iequals(seg[1], sc.project_id) && !iequals(url_decode(seg[1]), sc.project_name))
    return devops_error(
        404, "ProjectDoesNotExistWithNameException",
        "Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistWithNameException, Microsoft.TeamFoundation.Core.WebApi",
        "VS800075: The project with id 'vstfs:///Classification/TeamProject/" + url_decode(seg[1]) +
            "' does not exist, or you do not have permission to access it.");
  if (req.method != "POST")
    return devops_error(405, "HttpMethodNotAllowedException", "System.Web.Http.HttpResponseException",
                        "The requested resource does not support http method '" + req.method + "'.");

  auto q = parse_query(t.query);
  auto api = q.find("api-version");
  if (api == q.end() || api->second.empty())
    return devops_error(
        400, "VssVersionNotSpecifiedException",
        "Microsoft.VisualStudio.Services.WebApi.VssVersionNotSpecifiedException, Microsoft.VisualStudio.Services.WebApi",
        "No api-version was supplied for the \"POST\" request. The version must be supplied either as part of the "
        "Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. \"?api-version=1.0\").");
  if (!api_version_ok(api->second))
    return devops_error(
        400, "VssInvalidPreviewVersionException",
        "Microsoft.VisualStudio.Services.WebApi.VssInvalidPreviewVersionException, Microsoft.VisualStudio.Services.WebApi",
        "The requested version \"" + api->second + "\" of the resource is under preview or is not supported.");

  const Connection* connection = nullptr;
  auto scid = q.find("serviceConnectionId");
  if (scid != q.end()) {
    connection = sc.find_connection(scid->second);
    if (!connection)
      return devops_error(404, "ServiceEndpointNotFoundException",
                          "Microsoft.VisualStudio.Services.ServiceEndpoints.WebApi.ServiceEndpointNotFoundException, "
                          "Microsoft.VisualStudio.Services.ServiceEndpoints.WebApi",
                          "No service connection found with identifier " + scid->second + ".");
  }
  HttpResponse r;
  r.set("Content-Type", "application/json; charset=utf-8; api-version=" + api->second);
  r.body = "{\"oidcToken\":\"" + issue_oidc_token(s, connection) + "\"}";
  add_devops_headers(r);
  return r;
}

}  // namespace fake
