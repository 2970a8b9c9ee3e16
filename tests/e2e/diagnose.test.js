'use strict';
// Issue 12: Mode: diagnose, the real binary against the Azure fake. Each finding is checked word for word
// (correlation ids, which change every run, as '*'), each failing one also against the error a download run
// prints for the same fault (the same cause and fix), and every run: no variable set, no secret value in
// the output at all, no GET of an existing secret in the fake's request log, the leak scan.
//
// Environment: FKV_BINARY, FKV_FAKE_BIN (required); FKV_BINARY_WRAPPER (optional).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { runTask, suiteEnv, scenarioFolder, writeScenario, assertClean } = require('./harness');
const { scenarioEnv } = require('../support/scenario-env');
const { parseCommand } = require('../support/agent-log');

const { binary, fake, wrapper } = suiteEnv();

const TENANT = '11111111-2222-4333-8444-5555555555d1';
const ORG = { name: 'fkv-org', id: '7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7ed1' };
const GOOD = { id: 'aaaaaaaa-0000-4000-8000-0000000000d1', name: 'fkv-diag', issuerFormat: 'azuredevops',
  tenant: TENANT, clientId: 'cccccccc-0000-4000-8000-0000000000d1' };
const BAD = { id: 'aaaaaaaa-0000-4000-8000-0000000000d2', name: 'fkv-diag-bad', issuerFormat: 'azuredevops',
  tenant: TENANT, clientId: 'cccccccc-0000-4000-8000-0000000000d2' };
const SECRETS = [
  { name: 'app-key', value: 'diag-value-app-key-6c1e' },
  { name: 'app-url', value: 'diag-value-app-url-6c1e' },
  { name: 'db-password', value: 'diag-value-db-password-6c1e' },
  { name: 'old-key', value: 'diag-value-old-key-6c1e', enabled: false },
];
const SCENARIO = {
  organization: ORG,
  project: { name: 'fkv-project', id: '3f2c1b4a-5d6e-4f70-8a9b-0c1d2e3f4ad1' },
  jobToken: 'fkv-diag-job-token-5e2a9c',
  tenants: [{ id: TENANT }],
  connections: [GOOD, BAD],
  apps: [
    { clientId: GOOD.clientId, tenant: TENANT, federatedCredentials: [{ connection: GOOD.id }] },
    { clientId: BAD.clientId, tenant: TENANT,
      federatedCredentials: [{ connection: BAD.id, subject: 'sc://fkv-org/fkv-project/old-name' }] },
  ],
  vaults: [
    { name: 'fkv-diag-good', secrets: SECRETS },
    { name: 'fkv-diag-noget', getForbidden: 'ForbiddenByRbac', secrets: SECRETS },
    { name: 'fkv-diag-nolist', listForbidden: 'ForbiddenByRbac', secrets: SECRETS },
    { name: 'fkv-diag-fw', forbidden: 'ForbiddenByFirewall', secrets: SECRETS },
  ],
};
const scenarioDir = scenarioFolder('diagnose');
const SCENARIO_FILE = writeScenario(scenarioDir, SCENARIO);

const VERSION = require(path.join(__dirname, '..', '..', 'package.json')).version;
const PROBE = /fkv-diagnose-[0-9a-f]{16}/g;
// Correlation ids change with every request.
const CORRELATION = /(x-ms-request-id|trace_id|correlation_id|timestamp|x-vss-e2eid|x-msedge-ref|x-ms-keyvault-network-info): [^,)]+/g;
const normalize = (text) => text.replace(CORRELATION, '$1: *');

function run(vault, { connection = 0, mode = 'diagnose', filter = '*', set = {} } = {}) {
  const env = scenarioEnv(SCENARIO, { vault, connection, filter, set: { INPUT_MODE: mode, ...set } });
  const result = runTask({ scenarioFile: SCENARIO_FILE, env, binary, fake, wrapper, timeoutMs: 90000,
    inspectTemp: (dir) => {
      const folder = path.join(dir, 'federated-keyvault');
      return fs.existsSync(folder) ? fs.readdirSync(folder).map((n) => fs.readFileSync(path.join(folder, n), 'utf8')) : [];
    } });
  assertClean(result, SCENARIO);
  return result;
}

// What every diagnose run must hold to: nothing set, no value seen, no existing secret fetched.
function diagnose(vault, options = {}) {
  const result = run(vault, options);
  assert.ok(!result.stdout.includes('task.setvariable'), `no variable is set\n${result.context()}`);
  assert.deepEqual([...result.log.variables.keys()], []);
  for (const secret of SECRETS) {
    assert.ok(!result.stdout.includes(secret.value), `the value of ${secret.name} is nowhere in the output`);
    assert.ok(!result.temp.join('').includes(secret.value), `the value of ${secret.name} is not in the summary`);
  }
  for (const token of [SCENARIO.jobToken, ...result.log.secrets]) {
    assert.ok(!result.temp.join('').includes(token), 'no token in the summary');
  }
  const vaultGets = result.requests.filter((r) => r.host === `${vault}.vault.azure.net` && r.method === 'GET');
  for (const r of vaultGets) {
    assert.match(r.target, /^\/secrets\?|^\/secrets\/fkv-diagnose-[0-9a-f]{16}\?/, `no existing secret is fetched: ${r.target}`);
  }
  assert.equal(result.temp.length, 1, 'one summary file');
  return result;
}

// Every finding line, in order: ok and not checked as plain lines, failures as error issues (prefixed "error: ").
function findings(result) {
  const lines = [];
  for (const line of result.stdout.split('\n')) {
    const command = parseCommand(line);
    if (command && command.event === 'logissue' && command.properties.get('type') === 'error') {
      lines.push(`error: ${normalize(command.data)}`);
    } else if (/^[A-Z][^:]*: (ok|not checked)\. /.test(line)) {
      lines.push(line);
    }
  }
  return lines;
}

// The findings before the Entra exchange; `vaultResolution`: the vault's name resolution line when not ok.
function common(vault, connection = GOOD, vaultResolution = undefined) {
  return [
    `Agent and platform: ok. federated-keyvault ${VERSION} (Linux x64) on agent 4.266.2 (unknown unknown), run as a step.`,
    /^Trust: ok\. Certificates are verified against SSL_CERT_FILE \/.+\/ca\.pem\.$/,
    'Proxy: ok. No proxy is configured: every request goes direct.',
    'Name resolution dev.azure.com: ok. dev.azure.com resolves to 127.0.0.1.',
    'Name resolution login.microsoftonline.com: ok. login.microsoftonline.com resolves to 127.0.0.1.',
    vaultResolution || `Name resolution ${vault}.vault.azure.net: ok. ${vault}.vault.azure.net resolves to 127.0.0.1.`,
    ...([
      `OIDC token: ok. Azure DevOps issued a token with issuer https://vstoken.dev.azure.com/${ORG.id}, subject ` +
      `sc://fkv-org/fkv-project/${connection.name} and audience api://AzureADTokenExchange. The app registration ` +
      `${connection.clientId} needs a federated credential with exactly this issuer and subject, and audience ` +
      'api://AzureADTokenExchange.']),
  ];
}

function assertFindings(result, expected) {
  const actual = findings(result);
  assert.equal(actual.length, expected.length, `finding count\n${actual.join('\n')}\n${result.context()}`);
  expected.forEach((want, i) => {
    if (want instanceof RegExp) assert.match(actual[i], want, result.context());
    else assert.equal(actual[i], want, `finding ${i + 1}\n${result.context()}`);
  });
}

const ENTRA_OK = 'Entra token exchange: ok. Microsoft Entra ID issued an access token for https://vault.azure.net/.default.';

// The error a download run prints for the same fault (one error issue), normalised.
function downloadError(vault, options) {
  const result = run(vault, { ...options, mode: 'download' });
  assert.equal(result.status, 1, result.context());
  const errors = result.log.issues.filter((i) => i.type === 'error').map((i) => normalize(i.message));
  assert.equal(errors.length, 1, result.context());
  return errors[0];
}

function failure(result, check) {
  const issue = result.log.issues.find((i) => i.type === 'error' && i.message.startsWith(`${check}: `));
  assert.ok(issue, `a failed ${check} finding\n${result.context()}`);
  return normalize(issue.message.slice(check.length + 2));
}

test('all good: every check ok, Succeeded, nothing set, the summary shows the same table', () => {
  const result = diagnose('fkv-diag-good', { filter: 'app-*, !app-url, db-password' });
  assert.equal(result.status, 0, result.context());
  assert.equal(result.log.outcome(result.status), 'Succeeded');
  assertFindings(result, [
    ...common('fkv-diag-good'),
    ENTRA_OK,
    "Firewall: ok. Vault 'fkv-diag-good' answered this agent's requests.",
    'List permission: ok. Key Vault listed one page of secret names (1 with maxresults=1).',
    'Get permission: ok. Key Vault answered 404 SecretNotFound for a secret name that does not exist, so Get is ' +
      'allowed. No secret value was read.',
    'Secrets filter: ok. The vault has 4 secrets (1 disabled, 0 expired). The filter selects 1 of the enabled, ' +
      'unexpired ones: app-key. It names db-password.',
  ]);
  assert.equal(result.log.completions.at(-1).message,
    "Diagnose: all 12 checks passed for vault 'fkv-diag-good'. No variable was set.");
  const summary = result.temp[0];
  assert.ok(summary.startsWith('### Key vault fkv-diag-good: diagnose succeeded\n'), summary);
  assert.ok(summary.includes('| Get permission | ok | Key Vault answered 404 SecretNotFound for a secret name that ' +
    'does not exist, so Get is allowed. No secret value was read. |'), summary);
  assert.ok(summary.includes('| OIDC token subject | sc://fkv-org/fkv-project/fkv-diag |'), summary);
  const gets = result.requests.filter((r) => r.host === 'fkv-diag-good.vault.azure.net' && /^\/secrets\//.test(r.target));
  assert.equal(gets.length, 1, 'one GET, of the made-up name');
  assert.equal(gets[0].status, 404);
});

test('wrong federated subject: AADSTS700213 with the issuer and subject to configure, as a download run says', () => {
  const result = diagnose('fkv-diag-good', { connection: 1 });
  assert.equal(result.status, 1, result.context());
  const entra = "Microsoft Entra ID found no federated credential on app 'cccccccc-0000-4000-8000-0000000000d2' " +
    "whose subject matches the pipeline's OIDC token (AADSTS700213). The federated credential on app " +
    `'cccccccc-0000-4000-8000-0000000000d2' must have issuer 'https://vstoken.dev.azure.com/${ORG.id}', subject ` +
    "'sc://fkv-org/fkv-project/fkv-diag-bad' and audience 'api://AzureADTokenExchange' (exact, case-sensitive). " +
    "Azure DevOps shows the issuer and subject in the service connection's details. For a managed identity, add " +
    'the credential under its Federated credentials. (entra, HTTP 401, AADSTS700213, trace_id: *, correlation_id: *, ' +
    'timestamp: *)';
  const why = 'There is no access token (see Entra token exchange).';
  assertFindings(result, [
    ...common('fkv-diag-good', BAD),
    `error: Entra token exchange: ${entra}`,
    `Firewall: not checked. ${why}`, `List permission: not checked. ${why}`, `Get permission: not checked. ${why}`,
    `Secrets filter: not checked. ${why}`,
  ]);
  assert.equal(failure(result, 'Entra token exchange'), downloadError('fkv-diag-good', { connection: 1 }));
  assert.equal(result.log.completions.at(-1).message,
    "Diagnose: 1 of 12 checks failed for vault 'fkv-diag-good': Entra token exchange. No variable was set.");
  assert.ok(result.temp[0].includes('| Entra token exchange | **failed** | Microsoft Entra ID found no federated'),
    result.temp[0]);
});

test('missing Get permission: 403 for a name that does not exist, the RBAC role to assign', () => {
  const result = diagnose('fkv-diag-noget');
  assert.equal(result.status, 1, result.context());
  // Issue 19: the identity lists but cannot read: the one answer a download run of '*' gives too.
  const get = "The service connection's identity can list the secrets of vault 'fkv-diag-noget' but not read " +
    'their values (Azure RBAC refused every secret with 403 ForbiddenByRbac): that is what the Key Vault Reader ' +
    'role grants. Assign the Key Vault Secrets User role on the vault: az role assignment create --role "Key ' +
    `Vault Secrets User" --assignee ${GOOD.clientId} --scope $(az keyvault show --name fkv-diag-noget --query id ` +
    '--output tsv). Role assignments can take a few minutes to apply. (vault-get, HTTP 403, ForbiddenByRbac)';
  assertFindings(result, [
    ...common('fkv-diag-noget'),
    ENTRA_OK,
    "Firewall: ok. Vault 'fkv-diag-noget' answered this agent's requests.",
    'List permission: ok. Key Vault listed one page of secret names (1 with maxresults=1).',
    `error: Get permission: ${get}`,
    'Secrets filter: ok. The vault has 4 secrets (1 disabled, 0 expired). The filter selects 3 of the enabled, ' +
      'unexpired ones: app-key, app-url, db-password.',
  ]);
  assert.equal(failure(result, 'Get permission').replace(PROBE, 'db-password'),
    downloadError('fkv-diag-noget', { filter: '*' }));
});

test('missing List permission: the listing is denied and the filter is not checked', () => {
  const result = diagnose('fkv-diag-nolist');
  assert.equal(result.status, 1, result.context());
  const list = "Access to the list of secrets in vault 'fkv-diag-nolist' was denied by Azure RBAC. Key Vault says: " +
    '"Caller is not authorized to perform action on resource." Assign the "Key Vault Secrets User" role on the ' +
    "vault to the service connection's app (role assignments can take a few minutes to apply). (vault-list, HTTP " +
    '403, ForbiddenByRbac, x-ms-request-id: *)';
  assertFindings(result, [
    ...common('fkv-diag-nolist'),
    ENTRA_OK,
    "Firewall: ok. Vault 'fkv-diag-nolist' answered this agent's requests.",
    `error: List permission: ${list}`,
    'Get permission: ok. Key Vault answered 404 SecretNotFound for a secret name that does not exist, so Get is ' +
      'allowed. No secret value was read.',
    'Secrets filter: not checked. The vault cannot be listed (see List permission).',
  ]);
  assert.equal(failure(result, 'List permission'), downloadError('fkv-diag-nolist'));
});

test('firewall: ForbiddenByFirewall, the network rule to change', () => {
  const result = diagnose('fkv-diag-fw');
  assert.equal(result.status, 1, result.context());
  const fw = "Vault 'fkv-diag-fw' refused the request from this agent's network address. Key Vault says: \"Client " +
    'address is not authorized and caller is not a trusted service." Allow the agent in the vault\'s network rules ' +
    '(Networking > Firewalls and virtual networks), or run the job on an agent that reaches the vault through its ' +
    'private endpoint. (vault-list, HTTP 403, ForbiddenByFirewall, x-ms-request-id: *, x-ms-keyvault-network-info: *)';
  const why = "The vault's firewall refused the request (see Firewall).";
  assertFindings(result, [
    ...common('fkv-diag-fw'),
    ENTRA_OK,
    `error: Firewall: ${fw}`,
    `List permission: not checked. ${why}`, `Get permission: not checked. ${why}`, `Secrets filter: not checked. ${why}`,
  ]);
  assert.equal(failure(result, 'Firewall'), downloadError('fkv-diag-fw'));
});

test('unknown vault: its host name does not resolve, and nothing is sent to it', () => {
  const result = diagnose('fkv-diag-missing');
  assert.equal(result.status, 1, result.context());
  const dns = "Key vault 'fkv-diag-missing' not found: the host name fkv-diag-missing.vault.azure.net does not exist. " +
    "Check KeyVaultName, and that the service connection's cloud (AzureKeyVaultDnsSuffix) is the vault's. (vault-list)";
  const why = "The vault's host name does not resolve.";
  assertFindings(result, [
    ...common('fkv-diag-missing', GOOD, `error: Name resolution fkv-diag-missing.vault.azure.net: ${dns}`),
    ENTRA_OK,
    `Firewall: not checked. ${why}`, `List permission: not checked. ${why}`, `Get permission: not checked. ${why}`,
    `Secrets filter: not checked. ${why}`,
  ]);
  assert.equal(failure(result, 'Name resolution fkv-diag-missing.vault.azure.net'), downloadError('fkv-diag-missing'));
  assert.equal(result.requests.filter((r) => r.host.startsWith('fkv-diag-missing')).length, 0);
});

test('a named secret the vault lacks fails the filter check (MissingSecrets fail), and only warns with warn', () => {
  const failing = diagnose('fkv-diag-good', { filter: 'db-password, no-such-secret' });
  assert.equal(failing.status, 1, failing.context());
  assert.equal(failure(failing, 'Secrets filter'),
    'The vault has 4 secrets (1 disabled, 0 expired). It names db-password, no-such-secret. Not in the vault (or ' +
    'disabled or expired): no-such-secret. A download run fails for them: correct the names in SecretsFilter, or set ' +
    "MissingSecrets to 'warn'. (vault-get)");
  const warned = diagnose('fkv-diag-good', { filter: 'db-password, no-such-secret', set: { INPUT_MISSINGSECRETS: 'warn' } });
  assert.equal(warned.status, 0, warned.context());
  assert.ok(warned.stdout.includes('\nSecrets filter: ok. The vault has 4 secrets (1 disabled, 0 expired). It names ' +
    'db-password, no-such-secret. Not in the vault, skipped with a warning: no-such-secret.\n'), warned.context());
});
