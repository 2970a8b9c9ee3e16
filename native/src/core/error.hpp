// Errors are values. Every failure the task can meet is described by one Error: which stage
// failed, what the service said (HTTP status, its own error code, correlation ids), and what the
// user can do about it. Only main() turns an Error into output.
//
// Contract: no field of an Error ever holds a secret, a token or a vault-controlled value other
// than a secret *name* that passed validation. Builders of Errors are responsible for that.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace fkv {

enum class Stage {
  config,      // task inputs, service connection, job variables
  oidc,        // Azure DevOps OIDC token request
  entra,       // Microsoft Entra ID token exchange
  imds,        // Azure Instance Metadata Service (managed identity token)
  vault_list,  // Key Vault: list secrets (paged)
  vault_get,   // Key Vault: get one secret
  emit,        // turning a secret into a pipeline variable
};

const char* to_string(Stage stage);

struct Error;
// An Error of Stage::config about `subject` (the input or setting that is wrong).
Error config_error(std::string subject, std::string message, std::string hint);

struct Error {
  Stage stage = Stage::config;
  int http_status = 0;       // 0 when no HTTP response was received
  std::string service_code;  // e.g. "AADSTS700213", "ForbiddenByRbac", "TF400813"; empty if none
  std::string message;       // what went wrong, one or more sentences, safe to print
  std::string hint;          // what the user should do; may be empty
  std::string subject;       // the input or secret name the error is about; may be empty
  // Correlation ids for support: x-vss-e2eid, x-msedge-ref, x-ms-request-id, trace_id, ...
  std::vector<std::pair<std::string, std::string>> correlation;
};

}  // namespace fkv
