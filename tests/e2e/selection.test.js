'use strict';
// Issue 11: choosing secrets and where they go, the real binary against the Azure fake. Each test runs the
// binary inside ns-run, reads stdout with the agent's rules (tests/support/agent-log.js), asserts the exact
// variables, messages and requests, and runs the leak scan.
//
// Environment: FKV_BINARY, FKV_FAKE_BIN (required); FKV_BINARY_WRAPPER (optional).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { runTask, suiteEnv, scenarioFolder, assertClean } = require('./harness');
const { scenarioEnv } = require('../support/scenario-env');
const { parseAgentLog } = require('../support/agent-log');
const { makeChain, facts } = require('../support/certificates');

const { binary, fake, wrapper } = suiteEnv();

const VAULT = 'fkv-select';
const HOST = `${VAULT}.vault.azure.net`;
const TENANT = '11111111-2222-4333-8444-5555555555aa';
const CONNECTION = { id: 'aaaaaaaa-0000-4000-8000-0000000000e1', name: 'fkv-select', issuerFormat: 'azuredevops',
  tenant: TENANT, clientId: 'cccccccc-0000-4000-8000-0000000000e1' };
const scenarioDir = scenarioFolder('select');

// A real certificate (tests/support/certificates.js): its password-less PFX stored base64 as Key Vault stores a
// certificate's secret, and its CA as a PEM secret. A certificate to a .pfx/.pem file is parsed (issue 18).
const CHAIN = makeChain(scenarioDir, 'fkv-select');
const PFX_BYTES = CHAIN.pfx;
const PEM = CHAIN.caPem;
const NAMES = ['app-key', 'App-Url', 'app-config', 'db-1-password', 'db-2-password', 'db-10-password', 'legacy-key',
  'other'];
const valueOf = (name) => `value-of-${name.toLowerCase()}-4b7e1d`;

const SCENARIO = (() => {
  const secrets = NAMES.map((name) => ({ name, value: valueOf(name) }));
  secrets.push({ name: 'tls-cert', value: PFX_BYTES.toString('base64'), contentType: 'application/x-pkcs12',
    managed: true });
  secrets.push({ name: 'ca-pem', value: PEM, contentType: 'application/x-pem-file' });
  const s = {
    organization: { name: 'fkv-org', id: '7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7e91' },
    project: { name: 'fkv-project', id: '3f2c1b4a-5d6e-4f70-8a9b-0c1d2e3f4a51' },
    jobToken: 'fkv-select-job-token-8d1f0c7a2e94',
    tenants: [{ id: TENANT }],
    connections: [CONNECTION],
    apps: [{ clientId: CONNECTION.clientId, tenant: TENANT, federatedCredentials: [{ connection: CONNECTION.id }] }],
    vaults: [{ name: VAULT, pageSize: 3, secrets }],
  };
  const file = path.join(scenarioDir, 'scenario.json');
  fs.writeFileSync(file, JSON.stringify(s, null, 1));
  return { file, s };
})();

const table = (entries) => Object.fromEntries(entries.map(([variable, secret]) => [variable, valueOf(secret)]));
const same = (names) => table(names.map((n) => [n, n]));
const errors = (run) => run.log.issues.filter((i) => i.type === 'error').map((i) => i.message);
const warnings = (run) => run.log.issues.filter((i) => i.type === 'warning').map((i) => i.message);
const lastMessage = (run) => run.log.completions.at(-1).message;
const vaultRequests = (run) => run.requests.filter((r) => r.host === HOST);
const listRequests = (run) => vaultRequests(run).filter((r) => /^\/secrets\?/.test(r.target));
const getTargets = (run) => vaultRequests(run).filter((r) => /^\/secrets\/[^?]+/.test(r.target))
  .map((r) => r.target.split('?')[0].toLowerCase()).sort();

function run(filter, { set = {}, prepareTemp, inspectTemp } = {}) {
  const env = scenarioEnv(SCENARIO.s, { vault: VAULT, filter, set });
  const result = runTask({ scenarioFile: SCENARIO.file, env, binary, fake, wrapper, timeoutMs: 90000, prepareTemp,
    inspectTemp });
  assertClean(result, SCENARIO.s);
  assert.ok(result.stdout === '' || result.stdout.endsWith('\n'), 'the output ends with a whole line');
  return result;
}

test('globs over a paged list (a YAML block, one item a line), matched case-insensitively', () => {
  const result = run('APP-*\n  db-?-password\n');
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), same(['app-key', 'App-Url', 'app-config', 'db-1-password',
    'db-2-password']), result.context());
  assert.ok(listRequests(result).length >= 4, `10 secrets at 3 a page: 4 pages\n${result.context()}`);
  assert.deepEqual(getTargets(result), ['/secrets/app-config', '/secrets/app-key', '/secrets/app-url',
    '/secrets/db-1-password', '/secrets/db-2-password']);
  assert.equal(lastMessage(result), "5 secrets from vault 'fkv-select' set as secret variables.");
});

test("exclusions: '*' minus them, and a filter of only exclusions means the same", () => {
  for (const filter of ['*, !db-*, !tls-cert, !CA-PEM', '!db-*\n!tls-cert\n!ca-pem']) {
    const result = run(filter);
    assert.equal(result.status, 0, result.context());
    assert.deepEqual(result.log.variableTable(), same(['app-key', 'App-Url', 'app-config', 'legacy-key', 'other']),
      `${filter}\n${result.context()}`);
    assert.ok(!getTargets(result).some((t) => t.startsWith('/secrets/db-')), 'an excluded secret is never fetched');
  }
});

test('renames of literal names: no listing, one GET per name, the variable under the new name', () => {
  const result = run('db-1-password => DB_PASSWORD, other, legacy-key => Legacy.Key');
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), table([['DB_PASSWORD', 'db-1-password'], ['other', 'other'],
    ['Legacy.Key', 'legacy-key']]), result.context());
  assert.equal(listRequests(result).length, 0, 'literal names only: the vault is not listed');
  assert.deepEqual(getTargets(result), ['/secrets/db-1-password', '/secrets/legacy-key', '/secrets/other']);
  assert.ok(result.log.variable('DB_PASSWORD').secret);
});

test('VariablePrefix goes before names from the vault, not before explicit renames', () => {
  const result = run('app-*, other => OTHER, db-1-password', { set: { INPUT_VARIABLEPREFIX: 'kv.' } });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), table([['kv.app-key', 'app-key'], ['kv.App-Url', 'App-Url'],
    ['kv.app-config', 'app-config'], ['OTHER', 'other'], ['kv.db-1-password', 'db-1-password']].sort()),
  result.context());
});

test('OutputVariables: each variable also set with isoutput=true;issecret=true, exactly', () => {
  const result = run('other, db-1-password => DB', { set: { INPUT_OUTPUTVARIABLES: 'true' } });
  assert.equal(result.status, 0, result.context());
  for (const [variable, secret] of [['other', 'other'], ['DB', 'db-1-password']]) {
    assert.ok(result.stdout.includes(`##vso[task.setvariable variable=${variable};isoutput=true;issecret=true]` +
      `${valueOf(secret)}\n`), result.context());
    assert.ok(result.stdout.includes(`##vso[task.setvariable variable=${variable};issecret=true]${valueOf(secret)}\n`));
  }
  // As the agent stores them for a step named 'fetch': the plain job variable and 'fetch.<name>', both secret.
  const log = parseAgentLog(result.stdout, { stepName: 'fetch' });
  for (const name of ['other', 'fetch.other', 'DB', 'fetch.DB']) {
    assert.ok(log.variable(name) && log.variable(name).secret, name);
  }
  assert.equal(log.variable('fetch.DB').output, true);
  assert.equal(log.variable('fetch.DB').value, valueOf('db-1-password'));
});

test('a conflict found only after listing: both secrets named, neither set, the rest set', () => {
  const result = run('app-*, legacy-key => app-key');
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), same(['App-Url', 'app-config']), result.context());
  assert.deepEqual(errors(result), ["Secrets 'legacy-key' and 'app-key' would both set the variable 'app-key': " +
    "'legacy-key => app-key' renames the first, and the filter also selects 'app-key' from the vault's list. " +
    "Neither was set. Rename one of them with '=> <variable>' in SecretsFilter, or leave one out with '!<name>'. " +
    '(emit)']);
  assert.equal(lastMessage(result), "2 of 4 secrets from vault 'fkv-select' could not be set: legacy-key, app-key.");
  assert.deepEqual(getTargets(result), ['/secrets/app-config', '/secrets/app-url'], 'neither value was fetched');
});

test('a conflict between named items fails before any network call', () => {
  const result = run('other => X, legacy-key => x');
  assert.equal(result.status, 1, result.context());
  assert.equal(result.requests.length, 0, 'no request at all');
  assert.equal(lastMessage(result), "SecretsFilter: 'other => X' and 'legacy-key => x' would both set the variable " +
    "'x' (variable names are compared without regard to case); give one of them another name with '=> <variable>'.");
});

const mode = (file) => fs.lstatSync(file).mode & 0o777;

test('a PFX file: the decoded bytes, mode 0600 in a 0700 folder, the path in a non-secret variable', () => {
  const result = run('tls-cert => file:certs/tls.pfx, other', {
    inspectTemp: (dir) => ({
      bytes: fs.readFileSync(path.join(dir, 'certs', 'tls.pfx')),
      file: mode(path.join(dir, 'certs', 'tls.pfx')),
      folder: mode(path.join(dir, 'certs')),
    }),
  });
  assert.equal(result.status, 0, result.context());
  assert.ok(result.temp.bytes.equals(PFX_BYTES), 'the file holds exactly the decoded bytes');
  assert.equal(result.temp.file, 0o600);
  assert.equal(result.temp.folder, 0o700);
  const variable = result.log.variable('tls-cert');
  assert.equal(variable.value, path.join(result.tempDirectory, 'certs', 'tls.pfx'));
  assert.equal(variable.secret, false);
  // Issue 18: a certificate's thumbprint and notAfter, not secret.
  assert.deepEqual([result.log.variable('tls-cert.thumbprint'), result.log.variable('tls-cert.notAfter')]
    .map((v) => [v.value, v.secret]), [[CHAIN.thumbprint, false], [CHAIN.notAfter, false]]);
  assert.ok(result.log.secrets.has(PFX_BYTES.toString('base64')), 'the base64 value is registered as a secret');
  assert.equal(result.log.variable('other').value, valueOf('other'));
  assert.equal(lastMessage(result), "2 secrets from vault 'fkv-select' set as secret variables.");
});

test('a PEM file (found by a pattern elsewhere in the filter): written as it is, every line but the armour masked', () => {
  const result = run('ca-*, ca-pem => file:ca.pem', {
    set: { INPUT_VARIABLEPREFIX: 'kv_' },
    inspectTemp: (dir) => ({ text: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'), file: mode(path.join(dir, 'ca.pem')) }),
  });
  assert.equal(result.status, 0, result.context());
  assert.equal(result.temp.text, PEM);
  assert.equal(result.temp.file, 0o600);
  // 'ca-*' also matches ca-pem, but the named item decides where it goes: only the file and its path variable.
  const ca = facts(PEM);
  assert.deepEqual(result.log.variableTable(), { 'kv_ca-pem': path.join(result.tempDirectory, 'ca.pem'),
    'kv_ca-pem.thumbprint': ca.thumbprint, 'kv_ca-pem.notAfter': ca.notAfter });
  assert.equal(result.log.variable('kv_ca-pem').secret, false);
  // Every line with secret material is masked; the armour lines are not (issue 18: they would mask log text).
  for (const line of PEM.split('\n').filter(Boolean)) {
    assert.equal(result.log.secrets.has(line), !line.startsWith('-----'), line);
  }
});

test('a symbolic link at the target, or as a folder on the way, is refused and never followed', () => {
  const outside = fs.mkdtempSync(path.join(scenarioDir, 'outside-'));
  const victim = path.join(outside, 'victim.txt');
  const cases = [
    ['tls-cert => file:tls.pfx', (dir) => fs.symlinkSync(victim, path.join(dir, 'tls.pfx')),
      "Secret 'tls-cert' was not written to 'tls.pfx': a file or symbolic link already exists there and was not " +
      'created by this step, so it is not overwritten or followed.'],
    ['tls-cert => file:linked/tls.pfx', (dir) => fs.symlinkSync(outside, path.join(dir, 'linked')),
      "Secret 'tls-cert' was not written to 'linked/tls.pfx': 'linked' is a symbolic link or not a folder; links " +
      'are not followed.'],
    ['tls-cert => file:tls.pfx', (dir) => fs.writeFileSync(path.join(dir, 'tls.pfx'), 'earlier'),
      "Secret 'tls-cert' was not written to 'tls.pfx': a file or symbolic link already exists there and was not " +
      'created by this step, so it is not overwritten or followed.'],
  ];
  for (const [filter, prepareTemp, message] of cases) {
    fs.writeFileSync(victim, 'untouched');
    const result = run(`${filter}, other`, { prepareTemp });
    assert.equal(result.status, 1, result.context());
    assert.equal(fs.readFileSync(victim, 'utf8'), 'untouched');
    assert.deepEqual(fs.readdirSync(outside), ['victim.txt']);
    assert.ok(errors(result)[0].startsWith(message), `${errors(result)[0]}\n${result.context()}`);
    assert.deepEqual(result.log.variableTable(), same(['other']));
    assert.equal(lastMessage(result), "1 of 2 secrets from vault 'fkv-select' could not be set: tls-cert.");
  }
});

test('MissingSecrets=warn: a named secret that does not exist is a warning and the step succeeds', () => {
  const warned = run('other, no-such-secret', { set: { INPUT_MISSINGSECRETS: 'warn' } });
  assert.equal(warned.status, 0, warned.context());
  assert.deepEqual(warned.log.variableTable(), same(['other']));
  assert.deepEqual(warnings(warned), ["Secret 'no-such-secret' was not found in vault 'fkv-select': it is skipped " +
    "because MissingSecrets is 'warn'."]);
  assert.deepEqual(errors(warned), []);
  assert.equal(lastMessage(warned), "1 secrets from vault 'fkv-select' set as secret variables. Not found and skipped " +
    "(MissingSecrets is 'warn'): no-such-secret.");
  const strict = run('other, no-such-secret');
  assert.equal(strict.status, 1, strict.context());
  assert.equal(lastMessage(strict), "1 of 2 secrets from vault 'fkv-select' could not be set: no-such-secret.");
});
