'use strict';
// End-to-end scenarios of issue 3: the real federated-keyvault binary, with its production defaults
// (dev.azure.com, login.microsoftonline.com, <vault>.vault.azure.net on 443), run in a private
// namespace against the Azure fake (tests/e2e/scenarios/native.json). Each test asserts the exact
// variable table the agent would build from stdout, the exit code and step result, what reached the
// fake (its request log), and that no secret or token leaks.
//
// Environment: FKV_BINARY (required), FKV_FAKE_BIN (required), FKV_BINARY_WRAPPER (optional, e.g.
// "qemu-aarch64-static" or scripts/cross/wine-run for a cross-built binary), FKV_E2E_SUBSET=smoke
// (only the tests marked smoke, for the cross-built binaries; "smoke,resolve" adds the name-resolution
// tests, for the DNS-only chroot runs of the static build).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { runTask, suiteEnv, assertClean } = require('./harness');
const { scenarioEnv, PLAN_ID, JOB_ID } = require('../support/scenario-env');

const SCENARIO_FILE = path.join(__dirname, 'scenarios', 'native.json');
const scenario = JSON.parse(fs.readFileSync(SCENARIO_FILE, 'utf8'));
const { binary, fake, wrapper } = suiteEnv();
// FKV_E2E_SUBSET: unset = every test; otherwise a comma list of 'smoke' (the tests marked smoke) and
// 'resolve' (those marked resolve: name resolution, for the DNS-only chroot runs).
const subsets = (process.env.FKV_E2E_SUBSET || '').split(',').filter(Boolean);
const smokeOnly = subsets.length > 0;

const ORG_ID = scenario.organization.id;
const vaultOf = (name) => scenario.vaults.find((v) => v.name === name);
const secretOf = (vault, name) => vaultOf(vault).secrets.find((s) => s.name === name);
const valueOf = (secret) => secret.value.repeat(secret.valueRepeat || 1);

function run(options) {
  const result = runTask({ scenarioFile: SCENARIO_FILE, env: scenarioEnv(scenario, options), binary, fake, wrapper });
  assertClean(result, scenario);
  return result;
}

function smoke(name, fn) { test(name, fn); }
function full(name, fn) { test(name, { skip: smokeOnly && 'smoke subset' }, fn); }
function resolve(name, fn) { test(name, { skip: smokeOnly && !subsets.includes('resolve') && 'smoke subset' }, fn); }

const byHost = (requests, host) => requests.filter((r) => r.host === host);
const vaultHost = (name) => `${name}.vault.azure.net`;
const errorMessages = (result) => result.log.issues.filter((i) => i.type === 'error').map((i) => i.message);
const warningMessages = (result) => result.log.issues.filter((i) => i.type === 'warning').map((i) => i.message);
const setVariableOrder = (result) => [...result.log.variables.values()].map((v) => v.name);

// The most concurrent requests the fake saw at once on one host.
function maxInFlight(requests) {
  const events = requests.flatMap((r) => [[r.start_ms, 1], [r.end_ms, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let max = 0;
  for (const [, delta] of events) { current += delta; max = Math.max(max, current); }
  return max;
}

smoke("'*' over several pages sets every enabled, unexpired secret with its exact value", () => {
  const result = run({ vault: 'fkv-awkward' });
  assert.equal(result.status, 0, result.context());
  assert.equal(result.log.outcome(result.status), 'Succeeded');

  const expected = {};
  for (const secret of vaultOf('fkv-awkward').secrets) {
    if (secret.enabled === false || (secret.exp && secret.exp * 1000 < Date.now())) continue;
    expected[secret.name] = valueOf(secret);
  }
  // Multi-line JSON is compacted onto one line (AzureKeyVault@2 parity); numbers keep their text.
  expected['json-config'] = '{"user":"svc-build","retries":3,"ratio":1.50,"tags":[true,null,"x;y"]}';
  expected.SYSTEM_UNSAFEALLOWMULTILINESECRET = 'true';
  assert.deepEqual(result.log.variableTable(), expected, result.context());

  for (const [name, entry] of result.log.variables) {
    assert.equal(entry.secret, name !== 'system_unsafeallowmultilinesecret', `${name} secret flag`);
  }
  // Streaming: variables come in arrival order; the multi-line knob comes once, before the first multi-line secret.
  const order = setVariableOrder(result);
  assert.deepEqual([...order].sort(), Object.keys(expected).sort());
  const firstMultiline = Math.min(...['carriage', 'newline', 'pem-key'].map((n) => order.indexOf(n)));
  assert.equal(order.indexOf('SYSTEM_UNSAFEALLOWMULTILINESECRET'), firstMultiline - 1, order.join(' '));
  // Every line of a multi-line value that carries secret material is registered with the masker, and so is
  // every whole value; PEM armour lines are not (issue 18: they would mask ordinary text), a JSON value's
  // string leaves are (a field printed alone is masked).
  for (const line of ['first-part', 'second-part', 'line-one', 'line-two',
    'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu', 'svc-build']) {
    assert.ok(result.log.secrets.has(line), `line registered: ${line}`);
  }
  for (const line of ['-----BEGIN PRIVATE KEY-----', '-----END PRIVATE KEY-----', 'x;y']) {
    assert.ok(!result.log.secrets.has(line), `line not registered: ${line}`);
  }
  for (const [name, value] of Object.entries(expected)) {
    if (value !== '' && name !== 'SYSTEM_UNSAFEALLOWMULTILINESECRET') assert.ok(result.log.secrets.has(value), name);
  }
  assert.deepEqual(warningMessages(result).sort(), [
    "Secret 'empty' has an empty value, so its variable is set to an empty string.",
    "Secret 'future-one' is not valid before 2100-01-01T00:00:00Z (nbf), it is set anyway."]);
  for (const line of ['Key vault name: fkv-awkward.', 'Number of secrets found in fkv-awkward: 15',
    'Number of enabled and unexpired secrets found in fkv-awkward: 13', 'Skipped 1 disabled secrets: disabled-one.',
    'Skipped 1 expired secrets: expired-one.', 'Value of secret json-config has been converted to single line.']) {
    assert.ok(result.log.text.includes(line), `log line: ${line}\n${result.context()}`);
  }

  const vault = byHost(result.requests, vaultHost('fkv-awkward'));
  const lists = vault.filter((r) => r.target.startsWith('/secrets?'));
  assert.equal(lists.length, 5, 'four pages of 4 plus the empty page 2');
  assert.ok(lists.every((r) => /[?&]api-version=7\.5(&|$)/.test(r.target)), 'nextLink api-version forced to 7.5');
  const gets = vault.filter((r) => r.target.startsWith('/secrets/')).map((r) => r.target.split('?')[0]).sort();
  assert.deepEqual(gets, Object.keys(expected).filter((n) => n !== 'SYSTEM_UNSAFEALLOWMULTILINESECRET')
    .map((n) => `/secrets/${n}`).sort(), 'one GET per kept secret; none for disabled or expired ones');
  assert.ok(vault.every((r) => r.token.startsWith('access:') && r.status === 200));
  assert.ok(maxInFlight(vault) <= 33, 'at most 32 GETs and the list page in flight');
  assert.equal(byHost(result.requests, 'login.microsoftonline.com').length, 1, 'one Entra exchange per run');
});

full('explicit names: trimmed, empties and duplicates dropped, no list call', () => {
  const result = run({ vault: 'fkv-awkward', filter: ' semicolons , percent,, newline ,semicolons' });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), {
    semicolons: valueOf(secretOf('fkv-awkward', 'semicolons')),
    percent: valueOf(secretOf('fkv-awkward', 'percent')),
    SYSTEM_UNSAFEALLOWMULTILINESECRET: 'true',
    newline: valueOf(secretOf('fkv-awkward', 'newline')),
  });
  const order = setVariableOrder(result);
  assert.equal(order.indexOf('SYSTEM_UNSAFEALLOWMULTILINESECRET'), order.indexOf('newline') - 1, order.join(' '));
  const vault = byHost(result.requests, vaultHost('fkv-awkward'));
  assert.equal(vault.filter((r) => r.target.startsWith('/secrets?')).length, 0, 'no list request');
  assert.deepEqual(vault.map((r) => r.target.split('?')[0]).sort(), ['/secrets/newline', '/secrets/percent', '/secrets/semicolons']);
});

full('name/version sets both the name and name/version to that version', () => {
  const older = secretOf('fkv-awkward', 'versioned').previousVersions[0];
  const result = run({ vault: 'fkv-awkward', filter: `versioned/${older.version}, brackets` });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), {
    versioned: older.value,
    [`versioned/${older.version}`]: older.value,
    brackets: valueOf(secretOf('fkv-awkward', 'brackets')),
  });
  const targets = byHost(result.requests, vaultHost('fkv-awkward')).map((r) => r.target.split('?')[0]).sort();
  assert.deepEqual(targets, ['/secrets/brackets', `/secrets/versioned/${older.version}`]);
});

full('an empty vault ("value": null) succeeds and sets nothing', () => {
  const result = run({ vault: 'fkv-empty' });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), {});
  assert.ok(result.log.text.includes('No secrets found in: fkv-empty'), result.context());
  assert.equal(result.log.outcome(result.status), 'Succeeded');
});

full('one ForbiddenByRbac secret: the others are set, the task fails naming it and the fix', () => {
  const result = run({ vault: 'fkv-rbac' });
  assert.equal(result.status, 1, result.context());
  assert.equal(result.log.outcome(result.status), 'Failed');
  assert.deepEqual(result.log.variableTable(), {
    'allowed-first': 'allowed-first-value', 'allowed-second': 'allowed-second-value' });
  const errors = errorMessages(result);
  assert.equal(errors.length, 1, result.context());
  assert.match(errors[0], /^Access to secret 'denied' in vault 'fkv-rbac' was denied by Azure RBAC\. /);
  assert.ok(errors[0].includes('Assign the "Key Vault Secrets User" role on the vault'), errors[0]);
  assert.match(errors[0], /\(vault-get, HTTP 403, ForbiddenByRbac, x-ms-request-id: [0-9a-f-]{36}\)$/);
  assert.equal(result.log.completions.at(-1).message, "1 of 3 secrets from vault 'fkv-rbac' could not be set: denied.");
});

full('AADSTS700213: the message shows the issuer and subject the federated credential must have', () => {
  const result = run({ vault: 'fkv-rbac', connection: 2 });
  assert.equal(result.status, 1, result.context());
  assert.equal(result.log.outcome(result.status), 'Failed');
  assert.deepEqual(result.log.variableTable(), {});
  const errors = errorMessages(result);
  assert.equal(errors.length, 1, result.context());
  const client = scenario.connections[2].clientId;
  assert.ok(errors[0].startsWith(`Microsoft Entra ID found no federated credential on app '${client}' whose subject ` +
    "matches the pipeline's OIDC token (AADSTS700213)."), errors[0]);
  assert.ok(errors[0].includes(`issuer 'https://vstoken.dev.azure.com/${ORG_ID}'`), errors[0]);
  assert.ok(errors[0].includes("subject 'sc://fkv-org/fkv-project/fkv-wif-stale'"), errors[0]);
  assert.ok(errors[0].includes("audience 'api://AzureADTokenExchange'"), errors[0]);
  assert.equal(byHost(result.requests, vaultHost('fkv-rbac')).length, 0, 'no Key Vault request without a token');
  assert.equal(byHost(result.requests, 'login.microsoftonline.com').length, 1, 'invalid_client is not retried');
});

full('a service connection with the Entra issuer works', () => {
  const result = run({ vault: 'fkv-rbac', connection: 1, filter: 'allowed-first' });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), { 'allowed-first': 'allowed-first-value' });
  const jwt = [...result.log.secrets].find((s) => s.startsWith('eyJ'));
  const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
  assert.equal(claims.iss, `https://login.microsoftonline.com/${scenario.connections[1].tenant}/v2.0`);
  assert.ok(claims.sub.endsWith(`/sc/${ORG_ID}/${scenario.connections[1].id}`), claims.sub);
});

smoke('without SYSTEM_OIDCREQUESTURI the OIDC REST route is built from the job variables', () => {
  const result = run({ vault: 'fkv-rbac', filter: 'allowed-second', oidcRequestUri: false });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), { 'allowed-second': 'allowed-second-value' });
  const oidc = byHost(result.requests, 'dev.azure.com');
  assert.equal(oidc.length, 1);
  assert.equal(oidc[0].method, 'POST');
  assert.equal(oidc[0].token, 'job');
  const [route, query] = oidc[0].target.split('?');
  assert.equal(route, `/fkv-org/${scenario.project.id}/_apis/distributedtask/hubs/build/plans/${PLAN_ID}/jobs/${JOB_ID}/oidctoken`);
  assert.deepEqual(new URLSearchParams(query).get('api-version'), '7.1-preview.1');
  assert.deepEqual(new URLSearchParams(query).get('serviceConnectionId'), scenario.connections[0].id);
});

full('a nextLink to a foreign host stops the listing; no token is ever sent there; page 1 is still set', () => {
  const result = run({ vault: 'fkv-next-evil' });
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), { 'first-page': secretOf('fkv-next-evil', 'first-page').value },
    'nothing fetched is lost: the first page was set');
  assert.equal(result.log.outcome(result.status), 'Failed');
  assert.deepEqual(byHost(result.requests, 'evil.example.com'), [], 'no request at all to the foreign host');
  assert.deepEqual(errorMessages(result).length, 1, result.context());
  assert.ok(errorMessages(result)[0].startsWith('Key Vault returned a nextLink for another host (evil.example.com) ' +
    'than the vault (fkv-next-evil.vault.azure.net), so listing stopped and the token was not sent there.'));
  assert.equal(result.log.completions.at(-1).message, "1 secrets from vault 'fkv-next-evil' were set. The list of " +
    'secrets is incomplete, so secrets on later pages were not set: Key Vault returned a nextLink for another host ' +
    '(evil.example.com) than the vault (fkv-next-evil.vault.azure.net), so listing stopped and the token was not sent there.');
});

full('a 401 challenge for a foreign resource is not followed', () => {
  const result = run({ vault: 'fkv-chal-evil' });
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), {});
  assert.deepEqual(byHost(result.requests, 'evil.example.com'), [], 'no request at all to the foreign host');
  assert.equal(byHost(result.requests, 'login.microsoftonline.com').length, 1, 'no second token was requested');
  const vault = byHost(result.requests, vaultHost('fkv-chal-evil'));
  assert.deepEqual(vault.map((r) => r.status), [401], 'the challenge was met once and not retried');
  assert.ok(errorMessages(result)[0].includes("with a challenge for the resource 'https://evil.example.com/.default', " +
    "which is not this vault's own resource (fkv-chal-evil.vault.azure.net must end with '.' and the resource's host, " +
    "the scope with '/.default'), so the challenge was not followed."), result.context());
});

resolve('a vault whose host does not exist fails at once with "not found"', () => {
  const result = run({ vault: 'fkv-missing' });
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), {});
  assert.equal(result.log.completions.at(-1).message,
    "Key vault 'fkv-missing' not found: the host name fkv-missing.vault.azure.net does not exist.");
  assert.equal(result.requests.filter((r) => r.host.startsWith('fkv-missing')).length, 0);
});

full('invalid input fails before any network call, naming the input and the rule', () => {
  const result = run({ vault: 'fkv-awkward', filter: 'Api_*' });
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.requests, [], 'nothing was sent');
  assert.deepEqual(errorMessages(result).length, 1, result.context());
  assert.ok(errorMessages(result)[0].startsWith(
    "SecretsFilter: 'Api_*' is not a secret name: names are 1-127 characters of 0-9, a-z, A-Z and '-' (patterns " +
    "may also hold '*' and '?')."), result.context());
});
