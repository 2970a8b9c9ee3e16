// Workload identity federation: the job's access token and the OIDC request URL.
#include <rapidjson/document.h>

#include "agent/config_parts.hpp"
#include "auth/oidc.hpp"

namespace fkv::agent::config {
namespace {

std::optional<std::string> access_token_from_auth_json(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.c_str(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  const rapidjson::Value& root = doc;  // const iterators: unambiguous comparisons in C++20 (clang)
  auto params = root.FindMember("parameters");
  if (params == root.MemberEnd() || !params->value.IsObject()) return std::nullopt;
  for (auto it = params->value.MemberBegin(); it != params->value.MemberEnd(); ++it) {
    if (iequals(std::string_view(it->name.GetString(), it->name.GetStringLength()), "AccessToken") &&
        it->value.IsString() && it->value.GetStringLength() > 0) {
      return std::string(it->value.GetString(), it->value.GetStringLength());
    }
  }
  return std::nullopt;
}

bool is_path_segment(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

Expected<net::Url> oidc_request_url(const Env& env, const std::string& connection_id) {
  if (auto uri = env.get("SYSTEM_OIDCREQUESTURI")) {
    auto url = net::parse_https_url(*uri);
    if (!url) {
      return config_error("SYSTEM_OIDCREQUESTURI", "SYSTEM_OIDCREQUESTURI is not an https URL: '" + *uri + "'.",
                          "This variable is set by Azure DevOps; run the task in an Azure Pipelines job.");
    }
    return auth::oidc_request_url(*url, connection_id);
  }
  auto collection = env.get("SYSTEM_COLLECTIONURI");
  if (!collection) collection = env.get("SYSTEM_TEAMFOUNDATIONCOLLECTIONURI");
  const auto project = env.get("SYSTEM_TEAMPROJECTID");
  const auto hub = env.get("SYSTEM_HOSTTYPE");
  const auto plan = env.get("SYSTEM_PLANID");
  const auto job = env.get("SYSTEM_JOBID");
  if (!collection || !project || !hub || !plan || !job) {
    return config_error("SYSTEM_OIDCREQUESTURI",
                        "Cannot build the OIDC token request: SYSTEM_OIDCREQUESTURI is not set, and the fallback needs "
                        "SYSTEM_COLLECTIONURI, SYSTEM_TEAMPROJECTID, SYSTEM_HOSTTYPE, SYSTEM_PLANID and SYSTEM_JOBID.",
                        "These variables are set by Azure DevOps; run the task in an Azure Pipelines job.");
  }
  for (const auto* part : {&*project, &*hub, &*plan, &*job}) {
    if (!is_path_segment(*part)) {
      return config_error("SYSTEM_OIDCREQUESTURI",
                          "Cannot build the OIDC token request: a SYSTEM_TEAMPROJECTID/HOSTTYPE/PLANID/JOBID value "
                          "is not a plain path segment.",
                          "These variables are set by Azure DevOps; run the task in an Azure Pipelines job.");
    }
  }
  const std::string text = with_trailing_slash(*collection) + *project + "/_apis/distributedtask/hubs/" + *hub +
                           "/plans/" + *plan + "/jobs/" + *job + "/oidctoken";
  auto url = net::parse_https_url(text);
  if (!url) {
    return config_error("SYSTEM_COLLECTIONURI", "SYSTEM_COLLECTIONURI is not an https URL: '" + *collection + "'.",
                        "Workload identity federation needs an https Azure DevOps URL.");
  }
  return auth::oidc_request_url(*url, connection_id, "7.1-preview.1");
}

}  // namespace

std::optional<Error> read_federation(const Env& env, TaskConfig& config) {
  const ServiceConnection& c = config.connection;
  // Job access token (secret: never in an Error).
  std::optional<std::string> token = env.get("ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN");
  if (!token) {
    if (auto json = env.get("ENDPOINT_AUTH_SYSTEMVSSCONNECTION")) token = access_token_from_auth_json(*json);
  }
  if (!token) token = env.get("SYSTEM_ACCESSTOKEN");
  if (!token) {
    return config_error("System.AccessToken",
                        "The job access token is missing: ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN and "
                        "SYSTEM_ACCESSTOKEN are unset, and ENDPOINT_AUTH_SYSTEMVSSCONNECTION is unset or holds no "
                        "AccessToken.",
                        "Run the task through its launcher in an Azure Pipelines job, or map the token: "
                        "env: SYSTEM_ACCESSTOKEN: $(System.AccessToken).");
  }
  config.job_token = std::move(*token);

  auto oidc = oidc_request_url(env, c.id);
  if (!oidc) return oidc.error();
  config.oidc_request_url = std::move(*oidc);
  return std::nullopt;
}

}  // namespace fkv::agent::config
