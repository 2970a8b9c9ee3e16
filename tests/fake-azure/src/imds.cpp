// The Azure Instance Metadata Service (http://169.254.169.254), managed identity token endpoint only:
//
//   GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=<resource>[&client_id=<id>]
//   Metadata: true
//
// Answers in IMDS's real shapes: success with every field a string (access_token, client_id, expires_in,
// expires_on, ext_expires_in, not_before, resource, token_type); errors as
// {"error":"invalid_request","error_description":"..."}, e.g. 400 "Identity not found", 400 "Required
// metadata header not specified" (the request lacks `Metadata: true`), 400 for X-Forwarded-For (IMDS
// refuses proxied requests). The warm-up (imds.warmupNotFound) answers the first N token requests with 404.
#include "services.hpp"
#include "util.hpp"

namespace fake {
namespace {

HttpResponse imds_json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.set("Content-Type", "application/json; charset=utf-8");
  r.set("Server", "IMDS/150.870.65.1325");
  r.body = std::move(body);
  return r;
}

HttpResponse imds_error(int status, const std::string& error, const std::string& description) {
  return imds_json(status, "{\"error\":\"" + json_escape(error) + "\",\"error_description\":\"" +
                               json_escape(description) + "\"}");
}

}  // namespace

HttpResponse handle_imds(Services& s, const HttpRequest& req) {
  const Target target = split_target(req.target);
  if (!s.scenario.imds) {
    HttpResponse r;
    r.status = 404;
    r.body = "no IMDS in this scenario\n";
    return r;
  }
  if (target.path != "/metadata/identity/oauth2/token") {
    HttpResponse r;
    r.status = 404;
    r.set("Content-Type", "text/plain; charset=utf-8");
    r.body = "Not Found";
    return r;
  }
  if (req.method != "GET") return imds_error(405, "invalid_request", "Method not allowed");
  if (req.has_header("x-forwarded-for")) return imds_error(400, "invalid_request", "Request was forwarded by a proxy");
  if (req.header("metadata") != "true")
    return imds_error(400, "invalid_request", "Required metadata header not specified");
  const auto query = parse_query(target.query);
  const auto get = [&](const char* name) {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  };
  const std::string version = get("api-version");
  if (version.empty()) return imds_error(400, "invalid_request", "Required query variable 'api-version' is missing");
  if (version != "2018-02-01" && version != "2019-08-01") {
    return imds_error(400, "invalid_request", "Invalid api-version '" + version + "'");
  }
  const std::string resource = get("resource");
  if (resource.empty()) return imds_error(400, "invalid_request", "Required query variable 'resource' is missing");

  if (s.imds_calls.next(0) <= s.scenario.imds->warmup_not_found) {
    return imds_error(404, "not_found", "The managed identity is not yet available on this VM");
  }
  std::optional<ManagedIdentity> identity;
  const std::string client_id = to_lower(get("client_id"));
  if (client_id.empty()) {
    identity = s.scenario.imds->system_assigned;
    // With only one user-assigned identity and no system-assigned one, IMDS uses that one.
    if (!identity && s.scenario.imds->user_assigned.size() == 1) identity = s.scenario.imds->user_assigned.front();
  } else {
    for (const auto& candidate : s.scenario.imds->user_assigned) {
      if (candidate.client_id == client_id) identity = candidate;
    }
    if (s.scenario.imds->system_assigned && s.scenario.imds->system_assigned->client_id == client_id) {
      identity = s.scenario.imds->system_assigned;
    }
  }
  if (!identity) return imds_error(400, "invalid_request", "Identity not found");
  std::string bare = resource;
  while (!bare.empty() && bare.back() == '/') bare.pop_back();
  if (!iequals(bare, kVaultResource)) {
    return imds_error(400, "invalid_resource",
                      "AADSTS500011: The resource principal named " + resource + " was not found in the tenant named " +
                          identity->tenant + ".");
  }
  const std::int64_t now = s.now();
  std::string short_id;
  const std::string token = s.tokens.issue_access(identity->tenant, identity->client_id, std::string(kVaultResource),
                                                  now + 86399, &short_id);
  HttpResponse r = imds_json(200, "{\"access_token\":\"" + token + "\",\"client_id\":\"" + identity->client_id +
                                      "\",\"expires_in\":\"86399\",\"expires_on\":\"" + std::to_string(now + 86399) +
                                      "\",\"ext_expires_in\":\"86399\",\"not_before\":\"" + std::to_string(now) +
                                      "\",\"resource\":\"" + json_escape(resource) + "\",\"token_type\":\"Bearer\"}");
  r.log.issued = "access:" + short_id;
  return r;
}

}  // namespace fake
