#include "agent/environment.hpp"
#include "agent/secret_plan.hpp"
#include "agent/selection.hpp"
#include "core/text.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace fkv::agent;

namespace {

const std::string kId = "2f3c4b5a-1111-4222-8333-944455556666";

using Vars = std::map<std::string, std::string>;

Vars base() {
  return {
      {"INPUT_CONNECTEDSERVICENAME", kId},
      {"INPUT_KEYVAULTNAME", "my-vault"},
      {"INPUT_SECRETSFILTER", "*"},
      {"INPUT_RUNASPREJOB", "false"},
      {"ENDPOINT_AUTH_SCHEME_" + kId, "WorkloadIdentityFederation"},
      {"ENDPOINT_AUTH_PARAMETER_" + kId + "_SERVICEPRINCIPALID", "AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee"},
      {"ENDPOINT_AUTH_PARAMETER_" + kId + "_TENANTID", "contoso.onmicrosoft.com"},
      {"ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN", "job-token"},
      {"SYSTEM_OIDCREQUESTURI",
       "https://dev.azure.com/org/proj/_apis/distributedtask/hubs/build/plans/p1/jobs/j1/oidctoken"},
  };
}

EnvLookup lookup(const Vars& vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

fkv::Expected<TaskConfig> read(const Vars& v) { return read_task_config(lookup(v)); }

std::string message_of(const Vars& v) {
  auto c = read(v);
  REQUIRE_FALSE(c);
  return c.error().message;
}

}  // namespace

TEST_CASE("a complete public-cloud environment") {
  auto c = read(base());
  REQUIRE(c);
  CHECK(c->connection.id == kId);
  CHECK(c->connection.scheme == "WorkloadIdentityFederation");
  CHECK(c->connection.client_id == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
  CHECK(c->connection.tenant_id == "contoso.onmicrosoft.com");
  CHECK(c->connection.environment == "AzureCloud");
  CHECK(c->connection.authority.str() == "https://login.microsoftonline.com/");
  CHECK(c->connection.vault_dns_suffix == "vault.azure.net");
  CHECK(c->connection.vault_resource == "https://vault.azure.net");
  CHECK(c->vault_name == "my-vault");
  CHECK(c->vault_url().str() == "https://my-vault.vault.azure.net/");
  CHECK(c->selection.all);
  CHECK_FALSE(c->run_as_prejob);
  CHECK_FALSE(c->debug);
  CHECK(c->job_token == "job-token");
  CHECK(c->concurrency == 32);
  CHECK(c->timeout == std::chrono::seconds{300});
  CHECK(c->oidc_request_url.str() ==
        "https://dev.azure.com/org/proj/_apis/distributedtask/hubs/build/plans/p1/jobs/j1/oidctoken"
        "?api-version=7.1&serviceConnectionId=" +
            kId);
}

TEST_CASE("INPUT_AZURESUBSCRIPTION fallback, upper-case id spelling, scheme in any case, values trimmed") {
  Vars v = base();
  v.erase("INPUT_CONNECTEDSERVICENAME");
  std::string upper_id = kId;
  for (char& ch : upper_id) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  v["INPUT_AZURESUBSCRIPTION"] = " " + upper_id + " ";
  v.erase("ENDPOINT_AUTH_SCHEME_" + kId);
  v["ENDPOINT_AUTH_SCHEME_" + upper_id] = "workloadidentityfederation";  // the scheme's case does not matter
  v["INPUT_SECRETSFILTER"] = " a , b/0123 ";
  v["INPUT_RUNASPREJOB"] = "True";
  v["SYSTEM_DEBUG"] = "TRUE";
  auto c = read(v);
  REQUIRE(c);
  CHECK(c->connection.id == kId);
  CHECK_FALSE(c->selection.all);
  REQUIRE(c->selection.names.size() == 2);
  CHECK(c->selection.names[1].text() == "b/0123");
  CHECK(c->run_as_prejob);
  CHECK(c->debug);
}

TEST_CASE("sovereign clouds: authority by environment, endpoint data wins") {
  Vars v = base();
  v["ENDPOINT_DATA_" + kId + "_ENVIRONMENT"] = "AzureUSGovernment";
  v["ENDPOINT_DATA_" + kId + "_AZUREKEYVAULTDNSSUFFIX"] = "vault.usgovcloudapi.net";
  v["ENDPOINT_DATA_" + kId + "_AZUREKEYVAULTSERVICEENDPOINTRESOURCEID"] = "https://vault.usgovcloudapi.net/";
  auto c = read(v);
  REQUIRE(c);
  CHECK(c->connection.authority.str() == "https://login.microsoftonline.us/");
  CHECK(c->vault_url().str() == "https://my-vault.vault.usgovcloudapi.net/");
  CHECK(c->connection.vault_resource == "https://vault.usgovcloudapi.net");

  v["ENDPOINT_DATA_" + kId + "_ENVIRONMENT"] = "AzureChinaCloud";
  CHECK(read(v)->connection.authority.str() == "https://login.partner.microsoftonline.cn/");
  v["ENDPOINT_DATA_" + kId + "_ACTIVEDIRECTORYAUTHORITY"] = "https://login.example.test";
  CHECK(read(v)->connection.authority.str() == "https://login.example.test/");
  v.erase("ENDPOINT_DATA_" + kId + "_ACTIVEDIRECTORYAUTHORITY");
  v["ENDPOINT_DATA_" + kId + "_ENVIRONMENT"] = "AzureStack";
  CHECK(message_of(v) ==
        "The service connection's environment 'AzureStack' has no known Microsoft Entra authority and the connection "
        "gives none (ENDPOINT_DATA_<id>_ACTIVEDIRECTORYAUTHORITY).");
}

TEST_CASE("a connection's cloud data that cannot be used: the error names the fix, word for word") {
  struct Case {
    std::string var, value, message, hint;
  };
  const std::string data = "ENDPOINT_DATA_" + kId;
  const std::vector<Case> cases = {
      {data + "_ENVIRONMENT", "AzureStack",
       "The service connection's environment 'AzureStack' has no known Microsoft Entra authority and the connection "
       "gives none (ENDPOINT_DATA_<id>_ACTIVEDIRECTORYAUTHORITY).",
       "Edit the service connection (Project settings > Service connections) and choose its cloud as the environment: "
       "AzureCloud, AzureUSGovernment or AzureChinaCloud; for another cloud, create the connection with that cloud's "
       "Microsoft Entra authority URL."},
      {data + "_ACTIVEDIRECTORYAUTHORITY", "http://login.example.test",
       "The service connection's activeDirectoryAuthority 'http://login.example.test' is not an https URL.",
       "Edit the service connection (Project settings > Service connections): its cloud's Microsoft Entra authority "
       "is an https URL such as https://login.microsoftonline.com/, or choose a built-in cloud (AzureCloud, "
       "AzureUSGovernment, AzureChinaCloud) as its environment."},
      {data + "_AZUREKEYVAULTDNSSUFFIX", "evil.test/x",
       "The service connection's AzureKeyVaultDnsSuffix 'evil.test/x' is not a DNS suffix such as vault.azure.net.",
       "Edit the service connection (Project settings > Service connections): its Key Vault DNS suffix is its "
       "cloud's, e.g. vault.azure.net, vault.usgovcloudapi.net or vault.azure.cn, or choose a built-in cloud "
       "(AzureCloud, AzureUSGovernment, AzureChinaCloud) as its environment."},
      {data + "_AZUREKEYVAULTSERVICEENDPOINTRESOURCEID", "http://vault.azure.net",
       "The service connection's AzureKeyVaultServiceEndpointResourceId 'http://vault.azure.net' is not an https URL "
       "such as https://vault.azure.net.",
       "Edit the service connection (Project settings > Service connections): its Key Vault resource id is its "
       "cloud's, e.g. https://vault.azure.net, https://vault.usgovcloudapi.net or https://vault.azure.cn, or choose a "
       "built-in cloud (AzureCloud, AzureUSGovernment, AzureChinaCloud) as its environment."},
  };
  for (const auto& c : cases) {
    CAPTURE(c.var);
    Vars v = base();
    v[c.var] = c.value;
    const auto r = read(v);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == c.message);
    CHECK(r.error().hint == c.hint);
  }
}

TEST_CASE("job token sources in order") {
  Vars v = base();
  v.erase("ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN");
  v["ENDPOINT_AUTH_SYSTEMVSSCONNECTION"] = R"({"parameters":{"AccessToken":"from-json"},"scheme":"OAuth"})";
  v["SYSTEM_ACCESSTOKEN"] = "from-system";
  CHECK(read(v)->job_token == "from-json");
  v.erase("ENDPOINT_AUTH_SYSTEMVSSCONNECTION");
  CHECK(read(v)->job_token == "from-system");
  v.erase("SYSTEM_ACCESSTOKEN");
  const auto c = read(v);
  REQUIRE_FALSE(c);
  CHECK(c.error().subject == "System.AccessToken");
}

TEST_CASE("OIDC route fallback without SYSTEM_OIDCREQUESTURI") {
  Vars v = base();
  v.erase("SYSTEM_OIDCREQUESTURI");
  v["SYSTEM_TEAMFOUNDATIONCOLLECTIONURI"] = "https://dev.azure.com/org";
  v["SYSTEM_TEAMPROJECTID"] = "0f0e0d0c-0000-0000-0000-000000000001";
  v["SYSTEM_HOSTTYPE"] = "build";
  v["SYSTEM_PLANID"] = "plan-1";
  v["SYSTEM_JOBID"] = "job-1";
  auto c = read(v);
  REQUIRE(c);
  CHECK(c->oidc_request_url.str() ==
        "https://dev.azure.com/org/0f0e0d0c-0000-0000-0000-000000000001/_apis/distributedtask/hubs/build/plans/plan-1/"
        "jobs/job-1/oidctoken?api-version=7.1-preview.1&serviceConnectionId=" +
            kId);
  v["SYSTEM_COLLECTIONURI"] = "https://dev.azure.com/other/";
  CHECK(read(v)->oidc_request_url.host == "dev.azure.com");
  CHECK(read(v)->oidc_request_url.target.rfind("/other/", 0) == 0);
  v.erase("SYSTEM_JOBID");
  CHECK(message_of(v).rfind("Cannot build the OIDC token request", 0) == 0);
}

TEST_CASE("validation errors name the input and the rule") {
  struct Case {
    std::string var;
    std::optional<std::string> value;  // nullopt: remove
    std::string message;
  };
  const std::vector<Case> cases = {
      {"INPUT_CONNECTEDSERVICENAME", std::nullopt, "Input required: ConnectedServiceName (azureSubscription)."},
      {"INPUT_CONNECTEDSERVICENAME", "my-connection",
       "Input ConnectedServiceName must be a service connection id (a GUID), got 'my-connection'."},
      {"INPUT_KEYVAULTNAME", std::nullopt, "Input required: KeyVaultName."},
      {"INPUT_KEYVAULTNAME", "https://x.vault.azure.net",
       "Input KeyVaultName 'https://x.vault.azure.net' is not a key vault name: 3-24 characters of 0-9, a-z, A-Z and "
       "'-'."},
      {"INPUT_KEYVAULTNAME", "ab",
       "Input KeyVaultName 'ab' is not a key vault name: 3-24 characters of 0-9, a-z, A-Z "
       "and '-'."},
      {"ENDPOINT_AUTH_SCHEME_" + kId, "PublishProfile",
       "The service connection uses the authentication scheme 'PublishProfile', which is not supported; supported "
       "are WorkloadIdentityFederation, ServicePrincipal (client secret or certificate) and ManagedServiceIdentity."},
      {"INPUT_SECRETSFILTER", "Api_*",
       "SecretsFilter: 'Api_*' is not a secret name: names are 1-127 characters of 0-9, a-z, A-Z and '-' (patterns "
       "may also hold '*' and '?')."},
      {"INPUT_SECRETSFILTER", "a => x, b => X",
       "SecretsFilter: 'a => x' and 'b => X' would both set the variable 'X' (variable names are compared without "
       "regard to case); give one of them another name with '=> <variable>'."},
      {"INPUT_SECRETSFILTER", "tls => file:certs/tls.pfx",
       "SecretsFilter writes files ('tls => file:certs/tls.pfx'), but Agent.TempDirectory (AGENT_TEMPDIRECTORY) is "
       "not set."},
      {"INPUT_VARIABLEPREFIX", "kv:",
       "Input VariablePrefix 'kv:' is not a variable name prefix: use up to 100 characters of 0-9, a-z, A-Z, '.', "
       "'_' and '-'."},
      {"INPUT_VARIABLEPREFIX", "Agent.",
       "Input VariablePrefix 'Agent.' would make every variable name read-only for the agent (PATH and names "
       "starting with system., agent., build., release. or pipeline. are reserved)."},
      {"INPUT_MISSINGSECRETS", "ignore", "Input MissingSecrets must be 'fail' or 'warn', got 'ignore'."},
      {"INPUT_MODE", "check", "Input Mode must be 'download' or 'diagnose', got 'check'."},
      {"ENDPOINT_AUTH_SCHEME_" + kId, "ServicePrincipal",
       "The service connection uses a client secret (ServicePrincipal, spnKey) but gives none "
       "(ENDPOINT_AUTH_PARAMETER_<id>_SERVICEPRINCIPALKEY is not set)."},
      {"ENDPOINT_AUTH_SCHEME_" + kId, std::nullopt,
       "The service connection " + kId + " was not given to the task (ENDPOINT_AUTH_SCHEME_" + kId + " is not set)."},
      {"ENDPOINT_AUTH_PARAMETER_" + kId + "_SERVICEPRINCIPALID", "not-a-guid",
       "The service connection's servicePrincipalId (ENDPOINT_AUTH_PARAMETER_<id>_SERVICEPRINCIPALID) must be an "
       "application (client) id GUID."},
      {"ENDPOINT_AUTH_PARAMETER_" + kId + "_TENANTID", "evil/tenant",
       "The service connection's tenantId (ENDPOINT_AUTH_PARAMETER_<id>_TENANTID) must be a tenant GUID or domain: "
       "letters, digits, '.' and '-'."},
      {"ENDPOINT_DATA_" + kId + "_AZUREKEYVAULTDNSSUFFIX", "evil.test/x",
       "The service connection's AzureKeyVaultDnsSuffix 'evil.test/x' is not a DNS suffix such as vault.azure.net."},
      {"ENDPOINT_DATA_" + kId + "_AZUREKEYVAULTSERVICEENDPOINTRESOURCEID", "http://vault.azure.net",
       "The service connection's AzureKeyVaultServiceEndpointResourceId 'http://vault.azure.net' is not an https URL "
       "such as https://vault.azure.net."},
      {"INPUT_TIMEOUTSECONDS", "0", "Input TimeoutSeconds must be a whole number of seconds from 1 to 86400, got '0'."},
      {"INPUT_TIMEOUTSECONDS", "-5",
       "Input TimeoutSeconds must be a whole number of seconds from 1 to 86400, got '-5'."},
      {"INPUT_TIMEOUTSECONDS", "1.5",
       "Input TimeoutSeconds must be a whole number of seconds from 1 to 86400, got '1.5'."},
      {"INPUT_TIMEOUTSECONDS", "5m",
       "Input TimeoutSeconds must be a whole number of seconds from 1 to 86400, got '5m'."},
      {"INPUT_TIMEOUTSECONDS", "86401",
       "Input TimeoutSeconds must be a whole number of seconds from 1 to 86400, got '86401'."},
      {"INPUT_TIMEOUTSECONDS", "99999999999999999999",
       "Input TimeoutSeconds must be a whole number of seconds from 1 to 86400, got '99999999999999999999'."},
      {"SYSTEM_OIDCREQUESTURI", "http://dev.azure.com/x",
       "SYSTEM_OIDCREQUESTURI is not an https URL: 'http://dev.azure.com/x'."},
  };
  for (const auto& c : cases) {
    CAPTURE(c.var);
    Vars v = base();
    if (c.value) v[c.var] = *c.value;
    else v.erase(c.var);
    auto r = read(v);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == c.message);
    CHECK(r.error().stage == fkv::Stage::config);
    CHECK_FALSE(r.error().hint.empty());
    CHECK(r.error().message.find("job-token") == std::string::npos);
  }
}

TEST_CASE("schemes: what each one reads, and what it does not need") {
  struct Case {
    const char* scheme;
    Vars extra;
    fkv::AuthScheme expected;
  };
  const std::string p = "ENDPOINT_AUTH_PARAMETER_" + kId;
  const std::vector<Case> cases = {
      {"WorkloadIdentityFederation", {}, fkv::AuthScheme::workload_identity_federation},
      {"ServicePrincipal", {{p + "_SERVICEPRINCIPALKEY", "s3cret-value"}}, fkv::AuthScheme::service_principal_secret},
      {"serviceprincipal",
       {{p + "_SERVICEPRINCIPALKEY", "s3cret-value"}, {p + "_AUTHENTICATIONTYPE", "SPNKEY"}},
       fkv::AuthScheme::service_principal_secret},
      {"ServicePrincipal",
       {{p + "_SERVICEPRINCIPALCERTIFICATE", "-----BEGIN CERTIFICATE-----"},
        {p + "_AUTHENTICATIONTYPE", "spnCertificate"}},
       fkv::AuthScheme::service_principal_certificate},
      {"ManagedServiceIdentity", {}, fkv::AuthScheme::managed_identity},
  };
  for (const auto& c : cases) {
    CAPTURE(c.scheme);
    Vars v = base();
    v["ENDPOINT_AUTH_SCHEME_" + kId] = c.scheme;
    for (const auto& [k, value] : c.extra) v[k] = value;
    if (c.expected != fkv::AuthScheme::workload_identity_federation) {
      // Only federation needs the job token and the OIDC route.
      v.erase("ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN");
      v.erase("SYSTEM_OIDCREQUESTURI");
    }
    auto config = read(v);
    REQUIRE(config);
    CHECK(config->connection.auth == c.expected);
    CHECK(config->connection.scheme == c.scheme);
  }
  Vars v = base();
  v["ENDPOINT_AUTH_SCHEME_" + kId] = "ServicePrincipal";
  v[p + "_SERVICEPRINCIPALKEY"] = "  s3cret-value ";
  v["SYSTEM_COLLECTIONURI"] = "https://dev.azure.com/org";
  v["SYSTEM_TEAMPROJECT"] = "My Project";
  auto config = read(v);
  REQUIRE(config);
  CHECK(config->connection.client_secret == "s3cret-value");
  CHECK(config->connection.settings_url ==
        "https://dev.azure.com/org/My%20Project/_settings/adminservices?resourceId=" + kId);
  v[p + "_AUTHENTICATIONTYPE"] = "spnCertificate";
  CHECK(message_of(v) == "The service connection uses a certificate (ServicePrincipal, spnCertificate) but gives none "
                         "(ENDPOINT_AUTH_PARAMETER_<id>_SERVICEPRINCIPALCERTIFICATE is not set).");
  v[p + "_AUTHENTICATIONTYPE"] = "spnToken";
  CHECK(message_of(v) == "The service connection's authenticationType 'spnToken' is not supported; a "
                         "ServicePrincipal connection uses spnKey (client secret) or spnCertificate (certificate).");
  // A managed identity: the client id of a user-assigned identity comes from the connection's data.
  Vars m = base();
  m["ENDPOINT_AUTH_SCHEME_" + kId] = "ManagedServiceIdentity";
  m.erase(p + "_SERVICEPRINCIPALID");
  m["ENDPOINT_DATA_" + kId + "_MSICLIENTID"] = "11111111-2222-4333-8444-555555555555";
  auto msi = read(m);
  REQUIRE(msi);
  CHECK(msi->connection.msi_client_id == "11111111-2222-4333-8444-555555555555");
  CHECK(msi->connection.client_id.empty());
  m["ENDPOINT_DATA_" + kId + "_MSICLIENTID"] = "/subscriptions/x/identity";
  CHECK(message_of(m).rfind("The service connection's msiclientId (ENDPOINT_DATA_<id>_MSICLIENTID) must be", 0) == 0);
}

TEST_CASE("DNS suffix with a leading dot is accepted") {
  Vars v = base();
  v["ENDPOINT_DATA_" + kId + "_AZUREKEYVAULTDNSSUFFIX"] = ".Vault.Azure.Net";
  CHECK(read(v)->vault_url().str() == "https://my-vault.vault.azure.net/");
}

TEST_CASE("TimeoutSeconds: default 300, whole seconds 1..86400, trimmed like every input") {
  Vars v = base();
  v["INPUT_TIMEOUTSECONDS"] = " 600 ";
  CHECK(read(v)->timeout == std::chrono::seconds{600});
  v["INPUT_TIMEOUTSECONDS"] = "";
  CHECK(read(v)->timeout == std::chrono::seconds{300});
  CHECK(parse_timeout_seconds("1") == std::chrono::seconds{1});
  CHECK(parse_timeout_seconds("86400") == std::chrono::seconds{86400});
  CHECK(parse_timeout_seconds("0086") == std::chrono::seconds{86});
  for (const char* bad : {"", "0", "+5", "5 ", "0x10", "1e3", "86401", "100000"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_timeout_seconds(bad));
  }
}

TEST_CASE("validators") {
  CHECK(is_guid("2f3c4b5a-1111-4222-8333-944455556666"));
  CHECK_FALSE(is_guid("2f3c4b5a11114222833394445555666600000"));
  CHECK_FALSE(is_guid("2f3c4b5a-1111-4222-8333-94445555666g"));
  CHECK(fkv::is_tenant_id("72f988bf-86f1-41af-91ab-2d7cd011db47"));
  CHECK_FALSE(fkv::is_tenant_id("a b"));
  CHECK(is_vault_name("kv-123"));
  CHECK_FALSE(is_vault_name(std::string(25, 'a')));
  CHECK_FALSE(is_vault_name("kv.evil.com"));
}

TEST_CASE("VariablePrefix, OutputVariables, MissingSecrets and Agent.TempDirectory (issue 11)") {
  auto defaults = read(base());
  REQUIRE(defaults);
  CHECK(defaults->variable_prefix.empty());
  CHECK_FALSE(defaults->output_variables);
  CHECK(defaults->missing == MissingSecrets::fail);
  CHECK(defaults->temp_directory.empty());

  Vars v = base();
  v["INPUT_VARIABLEPREFIX"] = " kv. ";
  v["INPUT_OUTPUTVARIABLES"] = "True";
  v["INPUT_MISSINGSECRETS"] = "WARN";
  v["INPUT_SECRETSFILTER"] = "tls => file:certs/tls.pfx";
  v["AGENT_TEMPDIRECTORY"] = "/home/agent/_work/_temp";
  auto c = read(v);
  REQUIRE(c);
  CHECK(c->variable_prefix == "kv.");
  CHECK(c->output_variables);
  CHECK(c->missing == MissingSecrets::warn);
  CHECK(c->temp_directory == "/home/agent/_work/_temp");
  CHECK(c->mode == Mode::download);
  v["INPUT_MODE"] = "Diagnose";
  CHECK(read(v)->mode == Mode::diagnose);
  v["INPUT_MODE"] = "download";
  CHECK(read(v)->mode == Mode::download);
  v.erase("INPUT_MODE");

  v["AGENT_TEMPDIRECTORY"] = "_temp";
  CHECK(message_of(v) == "SecretsFilter writes files ('tls => file:certs/tls.pfx'), but Agent.TempDirectory "
                         "(AGENT_TEMPDIRECTORY) is not an absolute path.");
  v["AGENT_TEMPDIRECTORY"] = "D:\\a\\_temp";
  CHECK(read(v));
}

TEST_CASE("one boolean rule for inputs, System.Debug and AGENT_SKIPCERTVALIDATION: 'true' in any case, trimmed") {
  for (const char* yes : {"true", "True", "TRUE", " true "}) {
    CAPTURE(yes);
    CHECK(is_true(yes));
  }
  for (const char* no : {"", "false", "1", "yes", "on", "truee"}) {
    CAPTURE(no);
    CHECK_FALSE(is_true(no));
  }
  Vars v = base();
  v["INPUT_OUTPUTVARIABLES"] = "TRUE";
  v["INPUT_RUNASPREJOB"] = "True";
  v["SYSTEM_DEBUG"] = "true";
  v["AGENT_SKIPCERTVALIDATION"] = "True";
  auto cfg = read(v);
  REQUIRE(cfg);
  CHECK(cfg->output_variables);
  CHECK(cfg->run_as_prejob);
  CHECK(cfg->debug);
  CHECK(cfg->network.trust.skip_cert_validation);
  for (const char* name : {"INPUT_OUTPUTVARIABLES", "INPUT_RUNASPREJOB", "SYSTEM_DEBUG", "AGENT_SKIPCERTVALIDATION"}) {
    v[name] = "1";
  }
  cfg = read(v);
  REQUIRE(cfg);
  CHECK_FALSE(cfg->output_variables);
  CHECK_FALSE(cfg->run_as_prejob);
  CHECK_FALSE(cfg->debug);
  CHECK_FALSE(cfg->network.trust.skip_cert_validation);
}

TEST_CASE("the agent's own settings: agent description, trust and proxy are read with the configuration") {
  Vars v = base();
  v["AGENT_VERSION"] = " 4.266.2 ";
  v["AGENT_OS"] = "Linux";
  v["SSL_CERT_FILE"] = "/etc/ssl/ca.pem";
  v["SSL_CERT_DIR"] = "/etc/ssl/certs";
  v["AGENT_CAINFO"] = "/agent/ca.pem";
  v["HTTPS_PROXY"] = "http://proxy.corp:3128";
  auto cfg = read(v);
  REQUIRE(cfg);
  CHECK(cfg->agent.version == "4.266.2");
  CHECK(cfg->agent.os == "Linux");
  CHECK_FALSE(cfg->agent.os_architecture);
  CHECK(cfg->network.trust.ssl_cert_file == "/etc/ssl/ca.pem");
  CHECK(cfg->network.trust.ssl_cert_dir == "/etc/ssl/certs");
  CHECK(cfg->network.trust.agent_cainfo == "/agent/ca.pem");
  CHECK_FALSE(cfg->network.proxy_error);
  REQUIRE(cfg->network.proxy.proxy);
  CHECK(cfg->network.proxy.proxy->host == "proxy.corp");
  // An unusable proxy is kept as an Error for the run to report after its first lines; the rest is read.
  v["HTTPS_PROXY"] = "socks5://proxy.corp:1080";
  cfg = read(v);
  REQUIRE(cfg);
  REQUIRE(cfg->network.proxy_error);
  CHECK(cfg->network.proxy_error->subject == "HTTPS_PROXY");
}

TEST_CASE("read_temp_directory: one rule for secret files and the run summary (trimmed, absolute)") {
  struct Row {
    std::optional<std::string> value;
    std::string path;
    std::string problem;
  };
  const Row rows[] = {
      {"/agent/_temp", "/agent/_temp", ""},
      {"  /agent/_temp \t", "/agent/_temp", ""},  // trimmed, as for secret files (was: the summary used it raw)
      {"C:\\agent\\_work\\_temp", "C:\\agent\\_work\\_temp", ""},
      {"\\\\server\\share", "\\\\server\\share", ""},
      {"_temp", "", "not an absolute path."},  // relative: the summary would land in the working folder
      {" ./x", "", "not an absolute path."},
      {"C:temp", "", "not an absolute path."},
      {"   ", "", "not set."},
      {std::nullopt, "", "not set."},
  };
  for (const auto& row : rows) {
    CAPTURE(row.value.value_or("(unset)"));
    Vars values;
    if (row.value) values["AGENT_TEMPDIRECTORY"] = *row.value;
    const auto temp = read_temp_directory(lookup(values));
    CHECK(temp.path == row.path);
    CHECK(temp.problem == row.problem);
  }
}

TEST_CASE("issue 19 inputs: ExpiryWarningDays, VariableNameStyle and the pipeline's ids, errors word for word") {
  auto c = read(base());
  REQUIRE(c);
  CHECK(c->expiry_warning_days == 30);
  CHECK(c->variable_name_style == NameStyle::secret);
  CHECK(c->pipeline_ids.empty());

  auto with = [](std::string name, std::string value) {
    Vars v = base();
    v[name] = value;
    return v;
  };
  struct Days {
    const char* text;
    unsigned days;
  };
  for (const Days d : {Days{"0", 0}, Days{"14", 14}, Days{" 3650 ", 3650}, Days{"007", 7}}) {
    CAPTURE(d.text);
    auto r = read(with("INPUT_EXPIRYWARNINGDAYS", d.text));
    REQUIRE(r);
    CHECK(r->expiry_warning_days == d.days);
  }
  for (const char* bad : {"3651", "-1", "1.5", "30d", "99999"}) {
    CAPTURE(bad);
    CHECK(message_of(with("INPUT_EXPIRYWARNINGDAYS", bad)) ==
          std::string("Input ExpiryWarningDays must be a whole number of days from 0 to 3650, got '") + bad + "'.");
  }
  auto bad_days = read(with("INPUT_EXPIRYWARNINGDAYS", "x"));
  REQUIRE_FALSE(bad_days);
  CHECK(bad_days.error().subject == "ExpiryWarningDays");
  CHECK(bad_days.error().hint ==
        "Leave it empty for the default of 30 days, write e.g. 14, or 0 to turn expiry warnings off.");

  struct Style {
    const char* text;
    NameStyle style;
  };
  for (const Style s :
       {Style{"secret", NameStyle::secret}, Style{"ENV", NameStyle::env}, Style{" dotnet ", NameStyle::dotnet}}) {
    CAPTURE(s.text);
    auto r = read(with("INPUT_VARIABLENAMESTYLE", s.text));
    REQUIRE(r);
    CHECK(r->variable_name_style == s.style);
  }
  CHECK(message_of(with("INPUT_VARIABLENAMESTYLE", "snake")) ==
        "Input VariableNameStyle must be 'secret', 'env' or 'dotnet', got 'snake'.");

  // A style that makes two named secrets set one variable fails before any request.
  Vars clash = base();
  clash["INPUT_SECRETSFILTER"] = "db/abc, db-abc";
  clash["INPUT_VARIABLENAMESTYLE"] = "env";
  CHECK(message_of(clash) ==
        "SecretsFilter: 'db/abc' and 'db-abc' would both set the variable 'DB_ABC' (variable names are compared "
        "without regard to case); give one of them another name with '=> <variable>'.");

  // Pipeline ids: ids only; anything else in those variables is left out.
  Vars ids = base();
  ids["SYSTEM_COLLECTIONID"] = "0A1B2C3D-1111-4222-8333-944455556666";
  ids["SYSTEM_TEAMPROJECTID"] = "not an id; db-password";
  ids["SYSTEM_DEFINITIONID"] = "42";
  ids["BUILD_BUILDID"] = "1234";
  ids["SYSTEM_JOBID"] = "12f1170f-54f2-53f3-20dd-22fc7dff55f9";
  ids["SYSTEM_TEAMPROJECT"] = "Secret Project Name";
  auto r = read(ids);
  REQUIRE(r);
  CHECK(r->pipeline_ids ==
        std::vector<std::pair<std::string, std::string>>{{"org", "0a1b2c3d-1111-4222-8333-944455556666"},
                                                         {"pipeline", "42"},
                                                         {"run", "1234"},
                                                         {"job", "12f1170f-54f2-53f3-20dd-22fc7dff55f9"}});
}

TEST_CASE("user_agent: the product, version, platform and the pipeline's ids, nothing else (issue 19)") {
  Vars v = base();
  v["SYSTEM_COLLECTIONID"] = "0a1b2c3d-1111-4222-8333-944455556666";
  v["SYSTEM_TEAMPROJECTID"] = "5a1b2c3d-1111-4222-8333-944455556666";
  v["SYSTEM_DEFINITIONID"] = "42";
  v["BUILD_BUILDID"] = "1234";
  v["SYSTEM_JOBID"] = "12f1170f-54f2-53f3-20dd-22fc7dff55f9";
  v["BUILD_DEFINITIONNAME"] = "Secret Pipeline";  // a name: never sent
  auto c = read(v);
  REQUIRE(c);
  const std::string ua = user_agent(c->pipeline_ids);
  const std::string product = std::string("federated-keyvault/") + FKV_VERSION + " (";
  CHECK(ua.rfind(product, 0) == 0);
  CHECK(ua.substr(ua.find(')') + 1) ==
        " AzurePipelines (org=0a1b2c3d-1111-4222-8333-944455556666; project=5a1b2c3d-1111-4222-8333-944455556666; "
        "pipeline=42; run=1234; job=12f1170f-54f2-53f3-20dd-22fc7dff55f9)");
  CHECK(ua.find("Secret") == std::string::npos);
  CHECK(ua.find("my-vault") == std::string::npos);
  // Outside a pipeline: the product alone.
  CHECK(user_agent({}).rfind(product, 0) == 0);
  CHECK(user_agent({}).find("AzurePipelines") == std::string::npos);
}

TEST_CASE("AccessWaitSeconds: 0 to TimeoutSeconds, checked before any request, errors word for word") {
  auto c = read(base());
  REQUIRE(c);
  CHECK(c->access_wait == std::chrono::seconds{0});
  auto with = [](std::vector<std::pair<std::string, std::string>> extra) {
    Vars v = base();
    for (auto& [name, value] : extra) v[name] = value;
    return v;
  };
  struct Row {
    const char* wait;
    const char* timeout;  // "" = the default of 300
    long long seconds;
  };
  for (const Row row :
       {Row{"0", "", 0}, Row{"60", "", 60}, Row{" 300 ", "", 300}, Row{"600", "600", 600}, Row{"1", "1", 1}}) {
    CAPTURE(row.wait);
    Vars v = with({{"INPUT_ACCESSWAITSECONDS", row.wait}});
    if (*row.timeout) v["INPUT_TIMEOUTSECONDS"] = row.timeout;
    auto r = read(v);
    REQUIRE(r);
    CHECK(r->access_wait == std::chrono::seconds{row.seconds});
  }
  for (const char* bad : {"301", "-1", "1.5", "60s", "999999", "ten"}) {
    CAPTURE(bad);
    CHECK(
        message_of(with({{"INPUT_ACCESSWAITSECONDS", bad}})) ==
        std::string("Input AccessWaitSeconds must be a whole number of seconds from 0 to TimeoutSeconds (300), got '") +
            bad + "'.");
  }
  CHECK(message_of(with({{"INPUT_ACCESSWAITSECONDS", "120"}, {"INPUT_TIMEOUTSECONDS", "60"}})) ==
        "Input AccessWaitSeconds must be a whole number of seconds from 0 to TimeoutSeconds (60), got '120'.");
  auto bad = read(with({{"INPUT_ACCESSWAITSECONDS", "x"}}));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().subject == "AccessWaitSeconds");
  CHECK(bad.error().hint ==
        "Leave it empty for 0 (an access denial fails at once), or write e.g. 300 to wait up to 5 minutes for a new "
        "role assignment to apply (raise TimeoutSeconds with it).");
}

TEST_CASE("the reader makes the secret plan once; each run consumes its own copy (agent::plan_of)") {
  Vars v = base();
  v["INPUT_SECRETSFILTER"] = "app-*, legacy => app-key";
  auto c = read(v);
  REQUIRE(c);
  REQUIRE(c->plan);
  CHECK(c->plan->lists());
  auto first = plan_of(*c);
  REQUIRE(first);
  CHECK(first->take("app-one"));
  CHECK_FALSE(first->take("app-key"));  // would set the variable the rename sets: both left out
  CHECK(first->after().empty());
  CHECK(first->conflicts().size() == 1);
  auto second = plan_of(*c);  // a fresh copy: the first run's state is not shared
  REQUIRE(second);
  CHECK(second->conflicts().empty());
  CHECK(second->take("app-one"));
  CHECK(second->after() == std::vector<SecretRef>{{"legacy", ""}});
  CHECK(c->plan->conflicts().empty());  // the reader's own plan is never consumed

  v["INPUT_VARIABLEPREFIX"] = "kv.";
  v["INPUT_VARIABLENAMESTYLE"] = "env";
  auto styled = read(v);
  REQUIRE(styled);
  auto plan = plan_of(*styled);
  REQUIRE(plan);
  CHECK(plan->destination({"app-one", ""}).variables == std::vector<std::string>{"kv.APP_ONE"});

  // A configuration made by hand (not by the reader) gets a plan made from its fields.
  TaskConfig by_hand;
  by_hand.selection = *parse_secrets_filter("a, b => B");
  auto made = plan_of(by_hand);
  REQUIRE(made);
  CHECK_FALSE(made->lists());
  CHECK(made->before().size() == 2);
}
