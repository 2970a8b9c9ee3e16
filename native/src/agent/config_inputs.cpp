// The task's inputs (INPUT_*), the temp directory that file targets need, and System.Debug.
#include <cctype>
#include <memory>

#include "agent/config_parts.hpp"
#include "agent/secret_plan.hpp"
#include "agent/selection.hpp"
#include "agent/variable_names.hpp"
#include "core/numbers.hpp"
#include "core/service_text.hpp"

namespace fkv::agent::config {
namespace {

// Issue 19: ExpiryWarningDays, VariableNameStyle, AccessWaitSeconds (after TimeoutSeconds: it is its bound) and the
// pipeline's ids for the User-Agent.
std::optional<Error> read_over_time_inputs(const Env& env, TaskConfig& config) {
  if (auto days = env.get("INPUT_EXPIRYWARNINGDAYS")) {
    auto parsed = parse_digits(*days, DigitRule{4, 0, 3650});
    if (!parsed) {
      return config_error("ExpiryWarningDays",
                          "Input ExpiryWarningDays must be a whole number of days from 0 to 3650, got '" +
                              service_first_line(*days, 40) + "'.",
                          "Leave it empty for the default of 30 days, write e.g. 14, or 0 to turn expiry warnings "
                          "off.");
    }
    config.expiry_warning_days = static_cast<unsigned>(*parsed);
  }
  if (auto style = env.get("INPUT_VARIABLENAMESTYLE")) {
    if (iequals(*style, "env")) {
      config.variable_name_style = NameStyle::env;
    } else if (iequals(*style, "dotnet")) {
      config.variable_name_style = NameStyle::dotnet;
    } else if (!iequals(*style, "secret")) {
      return config_error("VariableNameStyle",
                          "Input VariableNameStyle must be 'secret', 'env' or 'dotnet', got '" +
                              service_first_line(*style, 40) + "'.",
                          "Leave it empty for 'secret' (the secret's name as it is); 'env' gives DB_PASSWORD for "
                          "db-password, 'dotnet' gives ConnectionStrings.Default for ConnectionStrings--Default.");
    }
  }
  if (auto wait = env.get("INPUT_ACCESSWAITSECONDS")) {
    const auto limit = static_cast<std::uint64_t>(config.timeout.count());
    auto parsed = parse_digits(*wait, DigitRule{5, 0, limit});
    if (!parsed) {
      return config_error("AccessWaitSeconds",
                          "Input AccessWaitSeconds must be a whole number of seconds from 0 to TimeoutSeconds (" +
                              std::to_string(limit) + "), got '" + service_first_line(*wait, 40) + "'.",
                          "Leave it empty for 0 (an access denial fails at once), or write e.g. 300 to wait up to "
                          "5 minutes for a new role assignment to apply (raise TimeoutSeconds with it).");
    }
    config.access_wait = std::chrono::seconds{static_cast<long long>(*parsed)};
  }
  // Ids only (GUIDs or digits): a value of any other shape is left out, never sent.
  for (const auto& [variable, key] : {std::pair<const char*, const char*>{"SYSTEM_COLLECTIONID", "org"},
                                      {"SYSTEM_TEAMPROJECTID", "project"},
                                      {"SYSTEM_DEFINITIONID", "pipeline"},
                                      {"BUILD_BUILDID", "run"},
                                      {"SYSTEM_JOBID", "job"}}) {
    auto value = env.get(variable);
    if (!value) continue;
    const bool id = is_guid(*value) || parse_digits(*value, DigitRule{18, 0}).has_value();
    if (id) config.pipeline_ids.emplace_back(key, ascii_lower(*value));
  }
  return std::nullopt;
}

}  // namespace

TempDirectory temp_directory(const Env& env) {
  auto temp = env.get("AGENT_TEMPDIRECTORY");
  if (!temp) return {"", "not set."};
  const bool absolute = temp->front() == '/' || temp->front() == '\\' ||
                        (temp->size() > 2 && std::isalpha(static_cast<unsigned char>((*temp)[0])) &&
                         (*temp)[1] == ':' && ((*temp)[2] == '\\' || (*temp)[2] == '/'));
  if (!absolute) return {"", "not an absolute path."};
  return {*temp, ""};
}

std::optional<Error> read_inputs(const Env& env, TaskConfig& config, std::string& raw_id) {
  // Service connection id.
  auto id = env.get("INPUT_CONNECTEDSERVICENAME");
  if (!id) id = env.get("INPUT_AZURESUBSCRIPTION");
  if (!id) {
    return config_error("ConnectedServiceName", "Input required: ConnectedServiceName (azureSubscription).",
                        "Set the task input to an Azure Resource Manager service connection.");
  }
  if (!is_guid(*id)) {
    return config_error("ConnectedServiceName",
                        "Input ConnectedServiceName must be a service connection id (a GUID), got '" + *id + "'.",
                        "Azure DevOps passes the id of the connection named in the pipeline; run the task in an "
                        "Azure Pipelines job.");
  }
  raw_id = *id;
  config.connection.id = ascii_lower(raw_id);

  // Key vault name and filter.
  auto vault = env.get("INPUT_KEYVAULTNAME");
  if (!vault) {
    return config_error("KeyVaultName", "Input required: KeyVaultName.", "Set KeyVaultName to the name of the vault.");
  }
  if (!is_vault_name(*vault)) {
    return config_error("KeyVaultName",
                        "Input KeyVaultName '" + *vault +
                            "' is not a key vault name: 3-24 characters of 0-9, a-z, "
                            "A-Z and '-'.",
                        "Use the vault's name (e.g. 'my-vault'), not its URL.");
  }
  config.vault_name = *vault;

  auto selection = parse_secrets_filter(env.get("INPUT_SECRETSFILTER").value_or("*"));
  if (!selection) return selection.error();
  config.selection = std::move(*selection);

  if (auto prefix = env.get("INPUT_VARIABLEPREFIX")) {
    if (prefix->size() > 100 || !is_variable_name(*prefix)) {
      return config_error("VariablePrefix",
                          "Input VariablePrefix '" + service_first_line(*prefix, 100) +
                              "' is not a variable name prefix: use up to 100 characters of 0-9, a-z, A-Z, '.', '_' "
                              "and '-'.",
                          "For example 'kv.' gives $(kv.db-password).");
    }
    if (is_read_only_variable(*prefix + "x")) {
      return config_error("VariablePrefix",
                          "Input VariablePrefix '" + *prefix +
                              "' would make every variable name read-only for the "
                              "agent (PATH and names starting with system., agent., build., release. or pipeline. are "
                              "reserved).",
                          "Choose another prefix, e.g. 'kv.'.");
    }
    config.variable_prefix = *prefix;
  }
  if (auto outputs = env.get("INPUT_OUTPUTVARIABLES")) config.output_variables = is_true(*outputs);
  if (auto missing = env.get("INPUT_MISSINGSECRETS")) {
    if (iequals(*missing, "warn")) {
      config.missing = MissingSecrets::warn;
    } else if (!iequals(*missing, "fail")) {
      return config_error("MissingSecrets",
                          "Input MissingSecrets must be 'fail' or 'warn', got '" + service_first_line(*missing, 40) +
                              "'.",
                          "Leave it empty for 'fail'.");
    }
  }
  if (auto mode = env.get("INPUT_MODE")) {
    if (iequals(*mode, "diagnose")) {
      config.mode = Mode::diagnose;
    } else if (!iequals(*mode, "download")) {
      return config_error("Mode",
                          "Input Mode must be 'download' or 'diagnose', got '" + service_first_line(*mode, 40) + "'.",
                          "Leave it empty for 'download'.");
    }
  }
  for (const auto& item : config.selection.items) {
    if (item.file.empty()) continue;
    const TempDirectory temp = temp_directory(env);
    if (!temp.problem.empty()) {
      return config_error("SecretsFilter",
                          "SecretsFilter writes files ('" + item.text +
                              "'), but Agent.TempDirectory "
                              "(AGENT_TEMPDIRECTORY) is " +
                              temp.problem,
                          "Run the task in an Azure Pipelines job: the agent sets Agent.TempDirectory and empties it "
                          "after the job.");
    }
    config.temp_directory = temp.path;
    break;
  }

  // CertificatePassword (issue 18): run/task.cpp registers it with the masker before anything is printed.
  if (auto password = env.get("INPUT_CERTIFICATEPASSWORD"); password && !password->empty()) {
    config.certificate_password = *password;
    config.certificate_password_unused = true;
    for (const auto& item : config.selection.items) {
      const auto dot = item.file.rfind('.');
      const std::string ext = dot == std::string::npos ? "" : ascii_lower(item.file.substr(dot));
      if (ext == ".pfx" || ext == ".p12") config.certificate_password_unused = false;
    }
  }

  if (auto prejob = env.get("INPUT_RUNASPREJOB")) config.run_as_prejob = is_true(*prejob);
  if (auto timeout = env.get("INPUT_TIMEOUTSECONDS")) {
    auto seconds = parse_timeout_seconds(*timeout);
    if (!seconds) {
      return config_error("TimeoutSeconds",
                          "Input TimeoutSeconds must be a whole number of seconds from 1 to 86400, got '" +
                              service_first_line(*timeout, 40) + "'.",
                          "Leave it empty for the default of 300 seconds, or write e.g. 600.");
    }
    config.timeout = *seconds;
  }
  if (auto error = read_over_time_inputs(env, config)) return error;
  auto plan = SecretPlan::make(config.selection, config.variable_prefix, config.variable_name_style);
  if (!plan) return plan.error();
  config.plan = std::make_shared<const SecretPlan>(std::move(*plan));
  if (auto debug = env.get("SYSTEM_DEBUG")) config.debug = is_true(*debug);
  return std::nullopt;
}

}  // namespace fkv::agent::config
