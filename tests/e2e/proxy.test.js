'use strict';
// End-to-end proxy scenarios: the real binary inside tests/e2e/ns-run, where every Azure name is
// mapped to 127.0.0.2 (nothing listens there, so a direct connection fails the test) and
// tests/proxy/connect-proxy.js, started inside the namespace in front of the binary, tunnels to the
// fake at 127.0.0.1:443. Each test asserts the exact variables (parsed with the agent's rules), the
// outcome, the proxy's CONNECT log (targets, auth result, status) and the leak scan, which also
// covers the proxy password.
//
// Environment: FKV_BINARY, FKV_FAKE_BIN (both required).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { ROOT, runTask, suiteEnv, assertClean } = require('./harness');
const { scenarioEnv } = require('../support/scenario-env');

const SCENARIO_FILE = path.join(__dirname, 'scenarios', 'proxy.json');
const scenario = JSON.parse(fs.readFileSync(SCENARIO_FILE, 'utf8'));
const PROXY = path.join(ROOT, 'tests', 'proxy', 'connect-proxy.js');
const { binary, fake } = suiteEnv();

const VAULT = 'fkv-proxied';
const VAULT_HOST = `${VAULT}.vault.azure.net`;
const PROXY_URL = 'http://127.0.0.1:3128';
const USER = 'fkv-proxy-user';
const PASSWORD = 'Pr0xy-Pa55-w0rd!7e1';
const EXPECTED = Object.fromEntries(scenario.vaults[0].secrets.map((s) => [s.name, s.value]));

// Runs the task behind the proxy. `proxy`: extra connect-proxy.js options; `set`: task environment;
// `reachable`: names that stay directly reachable (everything else is 127.0.0.2).
function run({ proxy = [], set = {}, reachable = [] } = {}) {
  const result = runTask({
    scenarioFile: SCENARIO_FILE,
    env: scenarioEnv(scenario, { vault: VAULT, set }),
    binary,
    fake,
    wrapper: [process.execPath, PROXY, '--listen', '127.0.0.1:3128', ...proxy, '--'],
    nsArgs: ['--unreachable', ...(reachable.length ? ['--reachable', reachable.join(',')] : [])],
  });
  assertClean(result, scenario, { extra: [PASSWORD] });
  // The password is never anywhere but in task.setsecret data (the leak scan), not even encoded.
  const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  assert.ok(!result.stdout.includes(basic) && !result.stderr.includes(basic), 'no Basic credentials in the output');
  return result;
}

const targets = (result) => [...new Set(result.proxyLog.map((e) => e.target))].sort();
const errorMessages = (result) => result.log.issues.filter((i) => i.type === 'error').map((i) => i.message);
const infoLine = (result) => result.log.text.find((line) => line.startsWith('Using the proxy '));
const hostsServed = (result) => [...new Set(result.requests.map((r) => r.host))].sort();
const ALL_TARGETS = ['dev.azure.com:443', `${VAULT_HOST}:443`, 'login.microsoftonline.com:443'];  // sorted

function assertSucceeded(result) {
  assert.equal(result.status, 0, result.context());
  assert.equal(result.log.outcome(result.status), 'Succeeded');
  assert.deepEqual(result.log.variableTable(), EXPECTED, result.context());
}

test('AGENT_PROXYURL without credentials: every host through the proxy', () => {
  const result = run({ set: { AGENT_PROXYURL: PROXY_URL } });
  assertSucceeded(result);
  assert.deepEqual(targets(result), ALL_TARGETS);
  assert.ok(result.proxyLog.every((e) => e.auth === 'none' && e.status === 200), JSON.stringify(result.proxyLog));
  assert.equal(infoLine(result), 'Using the proxy http://127.0.0.1:3128 (AGENT_PROXYURL) for dev.azure.com, ' +
    `login.microsoftonline.com, ${VAULT_HOST}.`);
  assert.deepEqual(hostsServed(result), ['dev.azure.com', VAULT_HOST, 'login.microsoftonline.com']);
  // One tunnel per connection: one each for the OIDC request and the Entra exchange.
  assert.equal(result.proxyLog.filter((e) => e.target === 'dev.azure.com:443').length, 1);
  assert.equal(result.proxyLog.filter((e) => e.target === 'login.microsoftonline.com:443').length, 1);
});

test('the control: without a proxy the Azure names are not reachable in these tests', () => {
  const result = run();
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), {});
  const errors = errorMessages(result);
  assert.equal(errors.length, 1, result.context());
  assert.ok(errors[0].startsWith('The OIDC token request to Azure DevOps (dev.azure.com) failed (connection failed): ' +
    'could not connect to dev.azure.com:443: Connection refused.'), errors[0]);
  assert.equal(infoLine(result), undefined, 'no proxy line without a proxy');
  assert.deepEqual(result.proxyLog, []);
  assert.deepEqual(result.requests, []);
});

test('AGENT_PROXYURL with AGENT_PROXYUSERNAME and SECRET_AGENT_PROXYPASSWORD: Basic credentials, password masked first', () => {
  const result = run({
    proxy: ['--auth', `${USER}:${PASSWORD}`],
    set: { AGENT_PROXYURL: PROXY_URL, AGENT_PROXYUSERNAME: USER, SECRET_AGENT_PROXYPASSWORD: PASSWORD },
  });
  assertSucceeded(result);
  assert.deepEqual(targets(result), ALL_TARGETS);
  assert.ok(result.proxyLog.every((e) => e.auth === 'ok' && e.status === 200), JSON.stringify(result.proxyLog));
  assert.ok(result.log.secrets.has(PASSWORD), 'the password is registered with task.setsecret');
  const lines = result.stdout.split('\n');
  const registered = lines.findIndex((l) => l.startsWith('##vso[task.setsecret]') && l.includes(PASSWORD));
  const described = lines.findIndex((l) => l.includes('Using the proxy '));
  assert.ok(registered >= 0 && registered < described, 'registered before the proxy is mentioned');
  assert.equal(infoLine(result), 'Using the proxy http://127.0.0.1:3128 (AGENT_PROXYURL, with credentials) for ' +
    `dev.azure.com, login.microsoftonline.com, ${VAULT_HOST}.`);
});

test('a wrong proxy password: 407, one CONNECT (never retried), the message names the variables', () => {
  const result = run({
    proxy: ['--auth', `${USER}:${PASSWORD}`],
    set: { AGENT_PROXYURL: PROXY_URL, AGENT_PROXYUSERNAME: USER, SECRET_AGENT_PROXYPASSWORD: 'not-the-password-42' },
  });
  assert.equal(result.status, 1, result.context());
  assert.equal(result.log.outcome(result.status), 'Failed');
  assert.deepEqual(result.log.variableTable(), {});
  assert.deepEqual(errorMessages(result), [
    'The OIDC token request to Azure DevOps (dev.azure.com) failed (proxy CONNECT): the proxy http://127.0.0.1:3128 ' +
    'requires authentication for CONNECT dev.azure.com:443 (HTTP 407 Proxy Authentication Required): check ' +
    'AGENT_PROXYUSERNAME and SECRET_AGENT_PROXYPASSWORD. Check the agent\'s proxy settings (AGENT_PROXYURL or ' +
    'HTTPS_PROXY, and AGENT_PROXYBYPASSLIST / NO_PROXY) and that the proxy allows CONNECT to dev.azure.com on port 443. ' +
    '(oidc)']);
  assert.deepEqual(result.proxyLog, [{ target: 'dev.azure.com:443', auth: 'wrong', status: 407 }]);
  assert.deepEqual(result.requests, [], 'nothing reached the fake');
});

test('a proxy that wants credentials when none are configured: 407 says which variables to set', () => {
  const result = run({ proxy: ['--auth', `${USER}:${PASSWORD}`], set: { AGENT_PROXYURL: PROXY_URL } });
  assert.equal(result.status, 1, result.context());
  const errors = errorMessages(result);
  assert.equal(errors.length, 1, result.context());
  assert.ok(errors[0].includes('requires authentication for CONNECT dev.azure.com:443 (HTTP 407 Proxy Authentication ' +
    'Required): no credentials are configured; set AGENT_PROXYUSERNAME and SECRET_AGENT_PROXYPASSWORD.'), errors[0]);
  assert.deepEqual(result.proxyLog, [{ target: 'dev.azure.com:443', auth: 'missing', status: 407 }]);
});

test('AGENT_PROXYBYPASSLIST bypassing the vault: the vault is reached directly, the rest through the proxy', () => {
  const result = run({
    set: { AGENT_PROXYURL: PROXY_URL, AGENT_PROXYBYPASSLIST: JSON.stringify(['\\.VAULT\\.azure\\.net/']) },
    reachable: [VAULT_HOST],
  });
  assertSucceeded(result);
  assert.deepEqual(targets(result), ['dev.azure.com:443', 'login.microsoftonline.com:443']);
  assert.equal(infoLine(result), 'Using the proxy http://127.0.0.1:3128 (AGENT_PROXYURL) for dev.azure.com, ' +
    `login.microsoftonline.com; direct to ${VAULT_HOST} (AGENT_PROXYBYPASSLIST entry '\\.VAULT\\.azure\\.net/').`);
  assert.ok(result.requests.some((r) => r.host === VAULT_HOST), 'the vault was reached (directly)');
});

test('HTTPS_PROXY with NO_PROXY: the listed host goes direct', () => {
  const result = run({
    proxy: ['--set-env', `HTTPS_PROXY=${PROXY_URL}`, '--set-env', 'NO_PROXY=localhost, .microsoftonline.com'],
    reachable: ['login.microsoftonline.com'],
  });
  assertSucceeded(result);
  assert.deepEqual(targets(result), ['dev.azure.com:443', `${VAULT_HOST}:443`]);
  assert.equal(infoLine(result), 'Using the proxy http://127.0.0.1:3128 (HTTPS_PROXY) for dev.azure.com, ' +
    `${VAULT_HOST}; direct to login.microsoftonline.com (NO_PROXY entry 'microsoftonline.com').`);
});

test('credentials inside HTTPS_PROXY are used and masked', () => {
  const encoded = encodeURIComponent(PASSWORD);
  const result = run({
    proxy: ['--auth', `${USER}:${PASSWORD}`, '--set-env', `HTTPS_PROXY=http://${USER}:${encoded}@127.0.0.1:3128`],
  });
  assertSucceeded(result);
  assert.ok(result.proxyLog.every((e) => e.auth === 'ok' && e.status === 200), JSON.stringify(result.proxyLog));
  assert.ok(result.log.secrets.has(PASSWORD));
  assert.equal(infoLine(result), 'Using the proxy http://127.0.0.1:3128 (HTTPS_PROXY, with credentials) for ' +
    `dev.azure.com, login.microsoftonline.com, ${VAULT_HOST}.`);
});

test('a proxy that refuses CONNECT to the vault (403): not retried, the message names proxy, host and status', () => {
  const result = run({ proxy: ['--refuse', `${VAULT_HOST}=403`], set: { AGENT_PROXYURL: PROXY_URL } });
  assert.equal(result.status, 1, result.context());
  assert.equal(result.log.outcome(result.status), 'Failed');
  assert.deepEqual(result.log.variableTable(), {});
  const errors = errorMessages(result);
  assert.equal(errors.length, 1, result.context());
  assert.ok(errors[0].startsWith(`Could not reach vault '${VAULT}' (${VAULT_HOST}) for the list of secrets: proxy ` +
    `CONNECT (proxy http://127.0.0.1:3128 refused CONNECT to ${VAULT_HOST}:443 with HTTP 403).`), errors[0]);
  assert.deepEqual(result.proxyLog.filter((e) => e.target === `${VAULT_HOST}:443`),
    [{ target: `${VAULT_HOST}:443`, auth: 'none', status: 403 }]);
});

test('a TLS-inspecting proxy: TLS fails without AGENT_CAINFO, works with the proxy CA in AGENT_CAINFO', () => {
  const refused = run({ proxy: ['--inspect'], set: { AGENT_PROXYURL: PROXY_URL } });
  assert.equal(refused.status, 1, refused.context());
  assert.deepEqual(refused.log.variableTable(), {});
  assert.deepEqual(errorMessages(refused), [
    'The OIDC token request to Azure DevOps (dev.azure.com) failed (TLS failure): TLS certificate verification for ' +
    'dev.azure.com:443 through the proxy http://127.0.0.1:3128 failed: unable to get local issuer certificate. If the ' +
    'agent\'s traffic goes through a TLS-inspecting proxy, configure the agent with that proxy\'s CA certificate ' +
    '(--sslcacert, passed to tasks as AGENT_CAINFO). (oidc)']);
  assert.deepEqual(refused.requests, [], 'nothing reached the fake');

  const trusted = run({ proxy: ['--inspect', '--ca-env', 'AGENT_CAINFO'], set: { AGENT_PROXYURL: PROXY_URL } });
  assertSucceeded(trusted);
  assert.deepEqual(targets(trusted), ALL_TARGETS);
});

test('a bad AGENT_PROXYURL fails before any network call, naming the variable and the form', () => {
  const result = run({ set: { AGENT_PROXYURL: `socks5://${USER}:${PASSWORD}@127.0.0.1:1080` } });
  assert.equal(result.status, 1, result.context());
  const errors = errorMessages(result);
  assert.equal(errors.length, 1, result.context());
  assert.ok(errors[0].startsWith('AGENT_PROXYURL is not a valid proxy URL (the scheme must be http://, not socks5://): ' +
    "'socks5://***@127.0.0.1:1080'."), errors[0]);
  assert.deepEqual(result.proxyLog, []);
  assert.deepEqual(result.requests, []);
});

test('AGENT_PROXYBYPASSLIST with backtracking, deeply nested and hostile entries: no stall, no crash, warnings without control bytes', () => {
  const deep = `${'('.repeat(60000)}x${')'.repeat(60000)}`;
  const started = Date.now();
  const result = run({
    proxy: ['--set-env', 'NO_PROXY=bad\u001b[2J\u202e:99999'],
    set: {
      AGENT_PROXYURL: PROXY_URL,
      AGENT_PROXYBYPASSLIST: JSON.stringify(['(.|.)*Q', deep, '\u001b]0;t\u0007(\u202e', '\\.VAULT\\.azure\\.net/']),
    },
    reachable: [VAULT_HOST],
  });
  assertSucceeded(result);
  assert.ok(Date.now() - started < 30000, `the run took ${Date.now() - started} ms`);
  assert.deepEqual(targets(result), ['dev.azure.com:443', 'login.microsoftonline.com:443']);
  const warnings = result.log.issues.filter((i) => i.type === 'warning').map((i) => i.message);
  assert.deepEqual(warnings, [
    `AGENT_PROXYBYPASSLIST entry '${'('.repeat(80)}...' is ignored: it is longer than 512 characters. Write it as ` +
      'a simpler expression, e.g. \\.internal\\.example\\.com$.',
    "AGENT_PROXYBYPASSLIST entry ' ]0;t ( ' is not a valid regular expression and is ignored.",
    "NO_PROXY entry 'bad [2j :99999' has an invalid port and is ignored.",
  ], result.context());
  const control = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  const shown = [...result.log.text, ...warnings, ...result.log.completions.map((c) => c.message || ''),
    ...result.files.map((f) => f.text.replace(/\n/g, ' '))];
  assert.deepEqual(shown.filter((t) => control.test(t)), []);
});
