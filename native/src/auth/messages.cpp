#include "auth/messages.hpp"

#include <cctype>
#include <string_view>

namespace fkv::auth {
namespace {

const char* const kJobTokenHint =
    "Make sure the task receives this job's access token (System.AccessToken), and check that the organization's "
    "and project's \"Limit job authorization scope\" settings and the pipeline's permissions allow this job to "
    "request tokens for the service connection.";

// "TF400813" when the text contains "TF" followed by digits, else "".
std::string tf_code(std::string_view text) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] == 'T' && text[i + 1] == 'F' && std::isdigit(static_cast<unsigned char>(text[i + 2])) &&
        (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
      std::size_t end = i + 2;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
      return std::string(text.substr(i, end - i));
    }
  }
  return {};
}

std::string says(const std::string& service_message) {
  return service_message.empty() ? std::string() : " Azure DevOps says: " + service_message;
}

std::string quoted_or(const std::string& value, const char* fallback) {
  return value.empty() ? std::string(fallback) : "'" + value + "'";
}

bool is_federated_credential_mismatch(const std::string& code) {
  return code == "AADSTS700213" || code == "AADSTS700211" || code == "AADSTS700212" || code == "AADSTS7002138" ||
         code == "AADSTS70021" || code == "AADSTS70025";
}

std::string federated_credential_hint(const ExchangeContext& context) {
  const std::string app = "app '" + context.client_id + "'";
  if (context.claims && !context.claims->iss.empty() && !context.claims->sub.empty()) {
    return "The federated credential on " + app + " must have issuer '" + context.claims->iss + "', subject '" +
           context.claims->sub + "' and audience '" + kTokenExchangeAudience +
           "' (exact, case-sensitive). Azure DevOps shows the issuer and subject in the service connection's "
           "details. For a managed identity, add the credential under its Federated credentials.";
  }
  return "The federated credential on " + app +
         " must have the issuer and subject shown in the service connection's details in Azure DevOps (exact, "
         "case-sensitive) and audience '" +
         std::string(kTokenExchangeAudience) + "'.";
}

std::string federated_credential_message(const std::string& code, const std::string& client_id) {
  const std::string app = "app '" + client_id + "'";
  if (code == "AADSTS700213") {
    return "Microsoft Entra ID found no federated credential on " + app +
           " whose subject matches the pipeline's OIDC token (AADSTS700213).";
  }
  if (code == "AADSTS700211") {
    return "Microsoft Entra ID found no federated credential on " + app +
           " whose issuer matches the pipeline's OIDC token (AADSTS700211).";
  }
  if (code == "AADSTS700212") {
    return "Microsoft Entra ID found no federated credential on " + app +
           " whose audience matches the pipeline's OIDC token (AADSTS700212).";
  }
  if (code == "AADSTS7002138") {
    return "The subject of the federated credential on " + app +
           " matches the pipeline's OIDC token only when letter case is ignored, and matching is case-sensitive "
           "(AADSTS7002138).";
  }
  if (code == "AADSTS70025") {
    return "The " + app + " has no federated credentials (AADSTS70025).";
  }
  return "Microsoft Entra ID found no federated credential on " + app + " matching the pipeline's OIDC token (" + code +
         ").";
}

const char* const kConversionGuide = "https://aka.ms/azdo-rm-workload-identity-conversion";

// "open the service connection (<url>)" or "open the service connection in Project settings > Service connections".
std::string open_connection(const std::string& settings_url) {
  return settings_url.empty() ? std::string("open the service connection in Project settings > Service connections")
                              : "open the service connection (" + settings_url + ")";
}

std::string convert_advice(const std::string& settings_url) {
  return "To stop managing secrets, " + open_connection(settings_url) +
         " and choose Convert to move it to workload identity federation (" + kConversionGuide + ").";
}

}  // namespace

std::string stored_credential_warning(ExchangeContext::Credential credential, const std::string& connection_id,
                                      const std::string& settings_url) {
  const std::string what = credential == ExchangeContext::Credential::certificate ? "a certificate with its private key"
                                                                                  : "a client secret";
  return "The service connection " + connection_id + " authenticates with " + what +
         " stored in Azure DevOps, which must be rotated before it expires and can leak. Workload identity "
         "federation needs no stored secret and this task supports it unchanged: " +
         open_connection(settings_url) + " and choose Convert (" + kConversionGuide + ").";
}

Error oidc_failure_error(const OidcFailureInfo& info) {
  Error error;
  error.stage = Stage::oidc;
  error.http_status = info.status;
  error.service_code = tf_code(info.service_message);
  const std::string status = std::to_string(info.status);
  switch (info.kind) {
    case OidcFailure::redirected:
      error.message = "Azure DevOps rejected the job access token: the OIDC token request to " + info.host +
                      " was answered with HTTP " + status + ", a redirect to a sign-in page, instead of a token.";
      error.hint = kJobTokenHint;
      break;
    case OidcFailure::not_json:
      error.message = "Azure DevOps rejected the job access token: the OIDC token request to " + info.host +
                      " was answered with HTTP " + status + " and a web page instead of a token.";
      error.hint = kJobTokenHint;
      break;
    case OidcFailure::malformed_json:
      error.message = "Azure DevOps answered the OIDC token request to " + info.host + " with HTTP " + status +
                      " but the answer is not valid JSON (it may have been cut off or altered on the way).";
      error.hint = "Run the job again. If this persists, check for a proxy or TLS-inspecting device between "
                   "the agent and Azure DevOps.";
      break;
    case OidcFailure::unauthorized:
      error.message = "Azure DevOps refused the job access token (HTTP 401) when asked for an OIDC token: the "
                      "token is invalid or has expired." +
                      says(info.service_message);
      error.hint = kJobTokenHint;
      break;
    case OidcFailure::forbidden:
      error.message = "Azure DevOps denied the OIDC token request for service connection " +
                      quoted_or(info.connection_id, "(unknown)") + " (HTTP 403)." + says(info.service_message);
      error.hint = "Check that the pipeline is authorised to use the service connection (Project settings > "
                   "Service connections > the connection > Security > Pipeline permissions) and that the job's "
                   "access token may request tokens (\"Limit job authorization scope\" settings).";
      break;
    case OidcFailure::connection_not_found:
      error.message = "Azure DevOps found no service connection " + quoted_or(info.connection_id, "(unknown)") +
                      " that this job may use (HTTP " + status + ")." + says(info.service_message);
      error.hint = "Check that the service connection ID is right and that the pipeline is authorised to use the "
                   "connection (Project settings > Service connections > the connection > Security > Pipeline "
                   "permissions). The connection must be the one selected in this task's azureSubscription input.";
      break;
    case OidcFailure::other_status:
      error.message = "Azure DevOps answered the OIDC token request with HTTP " + status + "." +
                      says(info.service_message);
      error.hint = "Run the job again; if this persists, report it to Azure DevOps support with the correlation ids in "
                   "parentheses at the end of this message.";
      break;
    case OidcFailure::no_token_in_response:
      error.message = "Azure DevOps answered the OIDC token request with HTTP " + status +
                      " but the answer holds no OIDC token.";
      error.hint =
          "Remove any pipeline variable that overrides System.OidcRequestUri (SYSTEM_OIDCREQUESTURI): the agent sets it "
          "to the job's oidctoken endpoint. If none does, run the job again; if this persists, report it to Azure "
          "DevOps support with the correlation ids in parentheses at the end of this message.";
      break;
  }
  return error;
}

Error entra_failure_error(const EntraFailureInfo& info, const ExchangeContext& context) {
  Error error;
  error.stage = Stage::entra;
  error.http_status = info.status;
  error.service_code = info.code.empty() ? info.error : info.code;
  const std::string& code = info.code;
  if (is_federated_credential_mismatch(code)) {
    error.message = federated_credential_message(code, context.client_id);
    error.hint = federated_credential_hint(context);
  } else if (code == "AADSTS7000215") {
    error.message = "Microsoft Entra ID rejected the client secret of app '" + context.client_id +
                    "' (AADSTS7000215): it is not a current secret of this app.";
    error.hint = "Update the service connection with the secret's Value (not its Secret ID) from the app "
                 "registration's Certificates & secrets page. " +
                 convert_advice(context.settings_url);
  } else if (code == "AADSTS7000222") {
    error.message = "The client secret of app '" + context.client_id + "' has expired (AADSTS7000222).";
    error.hint = "Create a new client secret under the app registration's Certificates & secrets and enter its "
                 "Value in the service connection. " +
                 convert_advice(context.settings_url);
  } else if (code == "AADSTS700027" && context.credential == ExchangeContext::Credential::certificate) {
    error.message = "Microsoft Entra ID does not accept the service connection's certificate for app '" +
                    context.client_id + "' (AADSTS700027): no certificate with thumbprint " +
                    context.certificate_thumbprint + " is registered on the app.";
    error.hint = "Upload the certificate (its public part, thumbprint " + context.certificate_thumbprint +
                 ") under the app registration's Certificates & secrets, or put the certificate that is registered "
                 "there into the service connection. " +
                 convert_advice(context.settings_url);
  } else if (code == "AADSTS700016") {
    error.message = "Microsoft Entra ID has no application with client ID '" + context.client_id + "' in tenant '" +
                    context.tenant_id + "' (AADSTS700016).";
    error.hint = "Use the Application (client) ID of the app registration, or the Client ID of the user-assigned "
                 "managed identity (not an object or principal ID), from the tenant of the service connection.";
  } else if (code == "AADSTS90002") {
    error.message = "Microsoft Entra ID at " + context.authority_host + " does not know tenant '" + context.tenant_id +
                    "' (AADSTS90002).";
    error.hint = "Check the service connection's tenant ID, and that its Azure environment matches the tenant's "
                 "cloud: US Government and China tenants are not found at login.microsoftonline.com.";
  } else if (code == "AADSTS900023") {
    error.message = "Microsoft Entra ID says '" + context.tenant_id +
                    "' is not a valid tenant identifier (AADSTS900023).";
    error.hint = "Use the Directory (tenant) ID of the tenant in the service connection.";
  } else if (code == "AADSTS700024") {
    error.message = std::string("The pipeline's OIDC token was outside its valid time range when Microsoft Entra "
                                "ID checked it (AADSTS700024)") +
                    (context.retried_with_fresh_token ? ", also after a retry with a fresh token." : ".");
    error.hint = "Check the clock of the agent machine (NTP): a skewed clock on a self-hosted agent causes this.";
  } else if (code == "AADSTS500011") {
    error.message = "Microsoft Entra ID does not know the resource of scope '" + context.scope + "' in tenant '" +
                    context.tenant_id + "' (AADSTS500011).";
    error.hint = "Check the service connection's Azure environment: the Key Vault resource must belong to the "
                 "same cloud as the tenant.";
  } else if (!code.empty() || !info.error.empty()) {
    const std::string what = code.empty() ? info.error : code;
    std::string description = info.description;
    while (!description.empty() && description.back() == '.') description.pop_back();
    error.message = "Microsoft Entra ID refused the token request for app '" + context.client_id + "' (HTTP " +
                    std::to_string(info.status) + ", " + what +
                    (description.empty() ? std::string() : ": " + description) + ").";
    error.hint = std::string("Check the service connection's tenant ID, client ID and the app's ") +
                 (context.credential == ExchangeContext::Credential::federated       ? "federated credential"
                  : context.credential == ExchangeContext::Credential::client_secret ? "client secret"
                                                                                     : "certificate");
    if (!code.empty() && code.size() > 6) {
      error.hint += ". " + code + " is explained at https://login.microsoftonline.com/error?code=" + code.substr(6);
    }
    error.hint += ".";
  } else {
    error.message = "Microsoft Entra ID answered the token request with HTTP " + std::to_string(info.status) +
                    " and no error details.";
    error.hint = "If this persists, check the service connection's Azure environment (authority " +
                 context.authority_host +
                 ") and report the correlation ids in parentheses at the end of this message to Azure support.";
  }
  return error;
}

Error entra_malformed_success_error(int status) {
  Error error;
  error.stage = Stage::entra;
  error.http_status = status;
  error.message = "Microsoft Entra ID answered the token request with HTTP " + std::to_string(status) +
                  " but without a usable access token.";
  error.hint =
      "Run the job again; if this persists, report it to Azure support with the correlation ids in parentheses at "
      "the end of this message.";
  return error;
}

}  // namespace fkv::auth
