#include <doctest/doctest.h>

#include "auth/messages.hpp"

using fkv::auth::EntraFailureInfo;
using fkv::auth::ExchangeContext;
using fkv::auth::OidcFailure;
using fkv::auth::OidcFailureInfo;

namespace {

const char* const kJobTokenHint =
    "Make sure the task receives this job's access token (System.AccessToken), and check that the organization's "
    "and project's \"Limit job authorization scope\" settings and the pipeline's permissions allow this job to "
    "request tokens for the service connection.";

ExchangeContext context_with_claims() {
  ExchangeContext context;
  context.client_id = "11111111-2222-3333-4444-555555555555";
  context.tenant_id = "contoso.onmicrosoft.com";
  context.authority_host = "login.microsoftonline.com";
  context.scope = "https://vault.azure.net/.default";
  fkv::auth::JwtClaims claims;
  claims.iss = "https://vstoken.dev.azure.com/org-guid";
  claims.sub = "sc://contoso/web/prod";
  claims.aud = {"api://AzureADTokenExchange"};
  context.claims = claims;
  return context;
}

}  // namespace

TEST_CASE("oidc_failure_error: cause and fix for every classified failure") {
  struct Row {
    OidcFailure kind;
    int status;
    const char* service_message;
    const char* message;
    const char* hint;
    const char* code;
  };
  const Row rows[] = {
      {OidcFailure::redirected, 302, "",
       "Azure DevOps rejected the job access token: the OIDC token request to dev.azure.com was answered with HTTP "
       "302, a redirect to a sign-in page, instead of a token.",
       kJobTokenHint, ""},
      {OidcFailure::not_json, 203, "",
       "Azure DevOps rejected the job access token: the OIDC token request to dev.azure.com was answered with HTTP "
       "203 and a web page instead of a token.",
       kJobTokenHint, ""},
      {OidcFailure::malformed_json, 200, "",
       "Azure DevOps answered the OIDC token request to dev.azure.com with HTTP 200 but the answer is not valid JSON "
       "(it may have been cut off or altered on the way).",
       "Run the job again. If this persists, check for a proxy or TLS-inspecting device between the agent and Azure "
       "DevOps.",
       ""},
      {OidcFailure::unauthorized, 401, "TF400813: The user '' is not authorized to access this resource.",
       "Azure DevOps refused the job access token (HTTP 401) when asked for an OIDC token: the token is invalid or "
       "has expired. Azure DevOps says: TF400813: The user '' is not authorized to access this resource.",
       kJobTokenHint, "TF400813"},
      {OidcFailure::unauthorized, 401, "",
       "Azure DevOps refused the job access token (HTTP 401) when asked for an OIDC token: the token is invalid or "
       "has expired.",
       kJobTokenHint, ""},
      {OidcFailure::forbidden, 403, "",
       "Azure DevOps denied the OIDC token request for service connection "
       "'9f2b7c1e-0000-4000-8000-000000000001' (HTTP 403).",
       "Check that the pipeline is authorised to use the service connection (Project settings > Service "
       "connections > the connection > Security > Pipeline permissions) and that the job's access token may "
       "request tokens (\"Limit job authorization scope\" settings).",
       ""},
      {OidcFailure::connection_not_found, 404,
       "No service connection found with identifier 9f2b7c1e-0000-4000-8000-000000000001.",
       "Azure DevOps found no service connection '9f2b7c1e-0000-4000-8000-000000000001' that this job may use "
       "(HTTP 404). Azure DevOps says: No service connection found with identifier "
       "9f2b7c1e-0000-4000-8000-000000000001.",
       "Check that the service connection ID is right and that the pipeline is authorised to use the connection "
       "(Project settings > Service connections > the connection > Security > Pipeline permissions). The "
       "connection must be the one selected in this task's azureSubscription input.",
       ""},
      {OidcFailure::other_status, 500, "", "Azure DevOps answered the OIDC token request with HTTP 500.",
       "Run the job again; if this persists, report it to Azure DevOps support with the correlation ids in "
       "parentheses at the end of this message.",
       ""},
      {OidcFailure::no_token_in_response, 200, "",
       "Azure DevOps answered the OIDC token request with HTTP 200 but the answer holds no OIDC token.",
       "Remove any pipeline variable that overrides System.OidcRequestUri (SYSTEM_OIDCREQUESTURI): the agent sets it "
       "to the job's oidctoken endpoint. If none does, run the job again; if this persists, report it to Azure DevOps "
       "support with the correlation ids in parentheses at the end of this message.",
       ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.message);
    OidcFailureInfo info{row.kind, row.status, "dev.azure.com", "9f2b7c1e-0000-4000-8000-000000000001",
                         row.service_message};
    const auto error = fkv::auth::oidc_failure_error(info);
    CHECK(error.stage == fkv::Stage::oidc);
    CHECK(error.http_status == row.status);
    CHECK(error.message == row.message);
    CHECK(error.hint == row.hint);
    CHECK(error.service_code == row.code);
    CHECK(error.correlation.empty());
  }
}

TEST_CASE("oidc_failure_error: an unknown connection id is said so") {
  OidcFailureInfo info{OidcFailure::connection_not_found, 404, "dev.azure.com", "", ""};
  CHECK(fkv::auth::oidc_failure_error(info).message ==
        "Azure DevOps found no service connection (unknown) that this job may use (HTTP 404).");
}

TEST_CASE("entra_failure_error: federated credential mismatches name issuer, subject and audience") {
  const char* const hint =
      "The federated credential on app '11111111-2222-3333-4444-555555555555' must have issuer "
      "'https://vstoken.dev.azure.com/org-guid', subject 'sc://contoso/web/prod' and audience "
      "'api://AzureADTokenExchange' (exact, case-sensitive). Azure DevOps shows the issuer and subject in the "
      "service connection's details. For a managed identity, add the credential under its Federated credentials.";
  struct Row {
    const char* code;
    const char* message;
  };
  const Row rows[] = {
      {"AADSTS700213",
       "Microsoft Entra ID found no federated credential on app '11111111-2222-3333-4444-555555555555' whose "
       "subject matches the pipeline's OIDC token (AADSTS700213)."},
      {"AADSTS700211",
       "Microsoft Entra ID found no federated credential on app '11111111-2222-3333-4444-555555555555' whose "
       "issuer matches the pipeline's OIDC token (AADSTS700211)."},
      {"AADSTS700212",
       "Microsoft Entra ID found no federated credential on app '11111111-2222-3333-4444-555555555555' whose "
       "audience matches the pipeline's OIDC token (AADSTS700212)."},
      {"AADSTS7002138",
       "The subject of the federated credential on app '11111111-2222-3333-4444-555555555555' matches the "
       "pipeline's OIDC token only when letter case is ignored, and matching is case-sensitive (AADSTS7002138)."},
      {"AADSTS70021",
       "Microsoft Entra ID found no federated credential on app '11111111-2222-3333-4444-555555555555' matching "
       "the pipeline's OIDC token (AADSTS70021)."},
      {"AADSTS70025", "The app '11111111-2222-3333-4444-555555555555' has no federated credentials (AADSTS70025)."},
  };
  for (const auto& row : rows) {
    CAPTURE(row.code);
    const auto error = fkv::auth::entra_failure_error(EntraFailureInfo{401, "invalid_client", row.code, "x"},
                                                      context_with_claims());
    CHECK(error.stage == fkv::Stage::entra);
    CHECK(error.http_status == 401);
    CHECK(error.service_code == row.code);
    CHECK(error.message == row.message);
    CHECK(error.hint == hint);
  }
}

TEST_CASE("entra_failure_error: without decodable claims the hint points at the service connection") {
  auto context = context_with_claims();
  context.claims.reset();
  const auto error = fkv::auth::entra_failure_error(EntraFailureInfo{401, "invalid_client", "AADSTS700213", ""},
                                                    context);
  CHECK(error.hint ==
        "The federated credential on app '11111111-2222-3333-4444-555555555555' must have the issuer and subject "
        "shown in the service connection's details in Azure DevOps (exact, case-sensitive) and audience "
        "'api://AzureADTokenExchange'.");
}

TEST_CASE("entra_failure_error: other known codes") {
  struct Row {
    EntraFailureInfo info;
    bool retried;
    const char* message;
    const char* hint;
    const char* code;
  };
  const Row rows[] = {
      {{400, "unauthorized_client", "AADSTS700016", "Application with identifier 'x' was not found."},
       false,
       "Microsoft Entra ID has no application with client ID '11111111-2222-3333-4444-555555555555' in tenant "
       "'contoso.onmicrosoft.com' (AADSTS700016).",
       "Use the Application (client) ID of the app registration, or the Client ID of the user-assigned managed "
       "identity (not an object or principal ID), from the tenant of the service connection.",
       "AADSTS700016"},
      {{400, "invalid_tenant", "AADSTS90002", "Tenant 'x' not found."},
       false,
       "Microsoft Entra ID at login.microsoftonline.com does not know tenant 'contoso.onmicrosoft.com' "
       "(AADSTS90002).",
       "Check the service connection's tenant ID, and that its Azure environment matches the tenant's cloud: US "
       "Government and China tenants are not found at login.microsoftonline.com.",
       "AADSTS90002"},
      {{400, "invalid_request", "AADSTS900023", ""},
       false,
       "Microsoft Entra ID says 'contoso.onmicrosoft.com' is not a valid tenant identifier (AADSTS900023).",
       "Use the Directory (tenant) ID of the tenant in the service connection.",
       "AADSTS900023"},
      {{401, "invalid_client", "AADSTS700024", "Client assertion is not within its valid time range."},
       true,
       "The pipeline's OIDC token was outside its valid time range when Microsoft Entra ID checked it "
       "(AADSTS700024), also after a retry with a fresh token.",
       "Check the clock of the agent machine (NTP): a skewed clock on a self-hosted agent causes this.",
       "AADSTS700024"},
      {{401, "invalid_client", "AADSTS700024", ""},
       false,
       "The pipeline's OIDC token was outside its valid time range when Microsoft Entra ID checked it "
       "(AADSTS700024).",
       "Check the clock of the agent machine (NTP): a skewed clock on a self-hosted agent causes this.",
       "AADSTS700024"},
      {{400, "invalid_resource", "AADSTS500011", ""},
       false,
       "Microsoft Entra ID does not know the resource of scope 'https://vault.azure.net/.default' in tenant "
       "'contoso.onmicrosoft.com' (AADSTS500011).",
       "Check the service connection's Azure environment: the Key Vault resource must belong to the same cloud as "
       "the tenant.",
       "AADSTS500011"},
      {{400, "invalid_request", "AADSTS700223", "Workload identity federation is constrained."},
       false,
       "Microsoft Entra ID refused the token request for app '11111111-2222-3333-4444-555555555555' (HTTP 400, "
       "AADSTS700223: Workload identity federation is constrained).",
       "Check the service connection's tenant ID, client ID and the app's federated credential. AADSTS700223 is "
       "explained at https://login.microsoftonline.com/error?code=700223.",
       "AADSTS700223"},
      {{400, "invalid_grant", "", ""},
       false,
       "Microsoft Entra ID refused the token request for app '11111111-2222-3333-4444-555555555555' (HTTP 400, "
       "invalid_grant).",
       "Check the service connection's tenant ID, client ID and the app's federated credential.",
       "invalid_grant"},
      {{502, "", "", ""},
       false,
       "Microsoft Entra ID answered the token request with HTTP 502 and no error details.",
       "If this persists, check the service connection's Azure environment (authority login.microsoftonline.com) "
       "and report the correlation ids in parentheses at the end of this message to Azure support.",
       ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.message);
    auto context = context_with_claims();
    context.retried_with_fresh_token = row.retried;
    const auto error = fkv::auth::entra_failure_error(row.info, context);
    CHECK(error.stage == fkv::Stage::entra);
    CHECK(error.http_status == row.info.status);
    CHECK(error.message == row.message);
    CHECK(error.hint == row.hint);
    CHECK(error.service_code == row.code);
  }
}

TEST_CASE("entra_malformed_success_error") {
  const auto error = fkv::auth::entra_malformed_success_error(200);
  CHECK(error.stage == fkv::Stage::entra);
  CHECK(error.message ==
        "Microsoft Entra ID answered the token request with HTTP 200 but without a usable access token.");
  CHECK(error.hint ==
        "Run the job again; if this persists, report it to Azure support with the correlation ids in parentheses at "
        "the end of this message.");
}
