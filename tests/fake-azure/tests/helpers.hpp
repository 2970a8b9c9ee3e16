// Shared helpers for the fake's unit tests: build requests, parse JSON bodies, run the full flow.
#pragma once
#include "app.hpp"
#include "scenario.hpp"
#include "util.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>
#include <string>

namespace fake::test {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline Scenario basic_scenario() { return load_scenario(std::string(FAKE_SCENARIO_DIR) + "/basic.json"); }

inline constexpr const char* kTenant = "11111111-2222-4333-8444-555555555555";
inline constexpr const char* kConn = "aaaaaaaa-0000-4000-8000-000000000001";
inline constexpr const char* kConnEntra = "aaaaaaaa-0000-4000-8000-000000000002";
inline constexpr const char* kClient = "cccccccc-0000-4000-8000-000000000001";
inline constexpr const char* kClientEntra = "cccccccc-0000-4000-8000-000000000002";

inline HttpRequest request(std::string method, std::string host, std::string target,
                           std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.host = std::move(host);
  r.target = std::move(target);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

inline rapidjson::Document json(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  REQUIRE_MESSAGE(!d.HasParseError(), "not JSON: " << body);
  return d;
}

inline std::string oidc_target(const Scenario& sc, const std::string& connection, const std::string& api = "7.1") {
  return "/" + sc.org_name + "/" + sc.project_id + "/_apis/distributedtask/hubs/build/plans/p1/jobs/j1/oidctoken?api-version=" +
         api + "&serviceConnectionId=" + connection;
}

inline std::string get_oidc(App& app, const std::string& connection) {
  auto r = app.handle(request("POST", "dev.azure.com", oidc_target(app.scenario(), connection),
                              {{"authorization", "Bearer " + app.scenario().job_token}, {"x-tfs-fedauthredirect", "Suppress"}}));
  REQUIRE(r.status == 200);
  return json(r.body)["oidcToken"].GetString();
}

inline std::string token_form(const std::string& client, const std::string& assertion,
                              const std::string& scope = "https://vault.azure.net/.default") {
  return "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
         "&client_id=" + client + "&scope=" + url_encode(scope) + "&client_assertion=" + assertion;
}

inline HttpResponse exchange(App& app, const std::string& tenant, const std::string& client, const std::string& assertion) {
  return app.handle(request("POST", "login.microsoftonline.com", "/" + tenant + "/oauth2/v2.0/token",
                            {{"content-type", "application/x-www-form-urlencoded"}}, token_form(client, assertion)));
}

inline std::string access_token(App& app, const std::string& connection = kConn, const std::string& client = kClient) {
  auto r = exchange(app, kTenant, client, get_oidc(app, connection));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return json(r.body)["access_token"].GetString();
}

inline HttpResponse vault_get(App& app, const std::string& host, const std::string& target, const std::string& token) {
  std::vector<std::pair<std::string, std::string>> h;
  if (!token.empty()) h.emplace_back("authorization", "Bearer " + token);
  return app.handle(request("GET", host, target, h));
}

}  // namespace fake::test
