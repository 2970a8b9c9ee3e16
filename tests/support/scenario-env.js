'use strict';
// The environment the Azure Pipelines agent gives a Node-handler step (agent-task-contract.md §1.2),
// for a service connection and a vault of an Azure fake scenario (tests/fake-azure/README.md).
//
//   const { scenarioEnv } = require('../support/scenario-env');
//   const env = scenarioEnv(scenario, { connection: 0, vault: 'fkv-basic', filter: '*' });
//
// Options: connection (index or id), vault (name; need not exist in the scenario), filter (SecretsFilter),
// runAsPreJob ('true'|'false'), oidcRequestUri (false: leave SYSTEM_OIDCREQUESTURI out, so the task must
// build the REST route), set (extra variables; undefined deletes one), base (the inherited environment).

const PLAN_ID = '5b1d9d3e-8f0a-4c6e-9b2d-7e4f1a0c3b21';
const JOB_ID = '0d6c2f7a-3e91-4b58-a1c4-92e8b7f5d630';
const ORG_DEFAULT = { name: 'fkv-org', id: '00000000-0000-4000-8000-00000000a001' };
const PROJECT_DEFAULT = { name: 'fkv-project', id: '00000000-0000-4000-8000-00000000b001' };

function scenarioEnv(scenario, options = {}) {
  const {
    connection = 0, vault, filter = '*', runAsPreJob = 'false', oidcRequestUri = true, set = {},
    base = { PATH: process.env.PATH, HOME: process.env.HOME || '/root' },
  } = options;
  const conn = typeof connection === 'number'
    ? scenario.connections[connection]
    : scenario.connections.find((c) => c.id === connection);
  if (!conn) throw new Error(`scenario has no connection ${connection}`);
  const vaultName = vault || scenario.vaults[0].name;
  const org = scenario.organization || ORG_DEFAULT;
  const project = scenario.project || PROJECT_DEFAULT;
  const collection = `https://dev.azure.com/${org.name}/`;
  const id = conn.id;
  const env = {
    ...base,
    TF_BUILD: 'True',
    AGENT_VERSION: '4.266.2',
    INPUT_CONNECTEDSERVICENAME: id,
    INPUT_KEYVAULTNAME: vaultName,
    INPUT_SECRETSFILTER: filter,
    INPUT_RUNASPREJOB: runAsPreJob,
    [`ENDPOINT_URL_${id}`]: 'https://management.azure.com/',
    [`ENDPOINT_AUTH_${id}`]: JSON.stringify({
      parameters: { serviceprincipalid: conn.clientId, tenantid: conn.tenant }, scheme: 'WorkloadIdentityFederation',
    }),
    [`ENDPOINT_AUTH_SCHEME_${id}`]: 'WorkloadIdentityFederation',
    [`ENDPOINT_AUTH_PARAMETER_${id}_SERVICEPRINCIPALID`]: conn.clientId,
    [`ENDPOINT_AUTH_PARAMETER_${id}_TENANTID`]: conn.tenant,
    [`ENDPOINT_DATA_${id}_ENVIRONMENT`]: 'AzureCloud',
    [`ENDPOINT_DATA_${id}_ACTIVEDIRECTORYAUTHORITY`]: 'https://login.microsoftonline.com/',
    [`ENDPOINT_DATA_${id}_AZUREKEYVAULTDNSSUFFIX`]: 'vault.azure.net',
    [`ENDPOINT_DATA_${id}_AZUREKEYVAULTSERVICEENDPOINTRESOURCEID`]: 'https://vault.azure.net',
    ENDPOINT_URL_SYSTEMVSSCONNECTION: collection,
    ENDPOINT_AUTH_SCHEME_SYSTEMVSSCONNECTION: 'OAuth',
    ENDPOINT_AUTH_SYSTEMVSSCONNECTION: JSON.stringify({ parameters: { AccessToken: scenario.jobToken }, scheme: 'OAuth' }),
    ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: scenario.jobToken,
    SYSTEM_COLLECTIONURI: collection,
    SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: collection,
    SYSTEM_TEAMPROJECTID: project.id,
    SYSTEM_TEAMPROJECT: project.name,
    SYSTEM_HOSTTYPE: 'build',
    SYSTEM_PLANID: PLAN_ID,
    SYSTEM_JOBID: JOB_ID,
  };
  if (oidcRequestUri) {
    env.SYSTEM_OIDCREQUESTURI =
      `${collection}${project.id}/_apis/distributedtask/hubs/build/plans/${PLAN_ID}/jobs/${JOB_ID}/oidctoken`;
  }
  for (const [key, value] of Object.entries(set)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

module.exports = { scenarioEnv, PLAN_ID, JOB_ID };
