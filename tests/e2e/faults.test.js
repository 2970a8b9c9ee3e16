'use strict';
// The fault matrix (issue 8): the real binary against the Azure fake under failures that come late in a run,
// stalls, cancellation and hostile answers. Each test builds its own scenario (a vault, the faults), runs
// the binary inside ns-run, and asserts the exact variables set (stdout parsed with the agent's rules), the
// exact failure messages, what reached the fake, and that nothing leaks. Two rules above all: nothing
// fetched is ever lost, and every run ends in bounded time with every selected secret set or named.
//
// Environment: FKV_BINARY, FKV_FAKE_BIN (required); FKV_BINARY_WRAPPER (optional, e.g. tests/e2e/sanitize-run
// LOGDIR for the ASan+UBSan build: tests/e2e/sanitized-e2e.sh).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');

const { runTask, startTask, leaks, suiteEnv, scenarioFolder, assertClean } = require('./harness');
const { scenarioEnv } = require('../support/scenario-env');

const { binary, fake, wrapper } = suiteEnv();

const VAULT = 'fkv-faults';
const HOST = `${VAULT}.vault.azure.net`;
const TENANT = '11111111-2222-4333-8444-555555555555';
const CONNECTION = { id: 'aaaaaaaa-0000-4000-8000-0000000000f1', name: 'fkv-faults', issuerFormat: 'azuredevops',
  tenant: TENANT, clientId: 'cccccccc-0000-4000-8000-0000000000f1' };
const scenarioDir = scenarioFolder('faults');

// A scenario with one vault of `count` secrets s00..s<count-1> (value "value-of-sNN-<padding>") and the faults.
function scenario({ count = 6, pageSize = 25, faults = [], vault = {} } = {}) {
  const secrets = [];
  for (let i = 0; i < count; i += 1) {
    const name = `s${String(i).padStart(2, '0')}`;
    secrets.push({ name, value: `value-of-${name}-7f3a9c` });
  }
  const s = {
    organization: { name: 'fkv-org', id: '7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7e90' },
    project: { name: 'fkv-project', id: '3f2c1b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b' },
    jobToken: 'fkv-faults-job-token-5c2e8a41d9b7',
    tenants: [{ id: TENANT }],
    connections: [CONNECTION],
    apps: [{ clientId: CONNECTION.clientId, tenant: TENANT, federatedCredentials: [{ connection: CONNECTION.id }] }],
    vaults: [{ name: VAULT, pageSize, secrets, ...vault }],
    faults,
  };
  const file = path.join(scenarioDir, `scenario-${Math.random().toString(16).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(s, null, 1));
  return { file, s };
}

const valueOf = (name) => `value-of-${name}-7f3a9c`;
const table = (names) => Object.fromEntries(names.map((n) => [n, valueOf(n)]));
const errors = (run) => run.log.issues.filter((i) => i.type === 'error').map((i) => i.message);
const lastMessage = (run) => run.log.completions.at(-1).message;
const vaultRequests = (run) => run.requests.filter((r) => r.host === HOST);

function checked(run, s) {
  assertClean(run, s);
  assert.ok(run.stdout === '' || run.stdout.endsWith('\n'), 'the output ends with a whole line');
  return run;
}

function run({ file, s }, options = {}) {
  const env = scenarioEnv(s, { vault: VAULT, ...options });
  return checked(runTask({ scenarioFile: file, env, binary, fake, wrapper, timeoutMs: 90000 }), s);
}

test('a failed second list page: the first page is set, the step fails saying the list is incomplete', () => {
  const sc = scenario({ count: 7, pageSize: 3, faults: [{ host: HOST, path: '/secrets', nth: [2], status: 403 }] });
  const result = run(sc);
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), table(['s00', 's01', 's02']), result.context());
  const listError = "Access to the list of secrets in vault 'fkv-faults' was denied. Key Vault says: \"Injected fault: " +
    'HTTP 403."';
  assert.equal(errors(result).length, 1, result.context());
  assert.ok(errors(result)[0].startsWith(listError), errors(result)[0]);
  assert.equal(lastMessage(result), "3 secrets from vault 'fkv-faults' were set. The list of secrets is incomplete, " +
    `so secrets on later pages were not set: ${listError}`);
  assert.ok(!result.log.text.some((l) => l.startsWith('Number of secrets found')), 'no count of an incomplete list');
});

test('the run-wide deadline: a stalled GET is named with host and phase; the others are set', () => {
  const sc = scenario({ count: 3, faults: [{ host: HOST, path: '/secrets/s01', delayMs: 120000 }] });
  const result = run(sc, { filter: 's00,s01,s02', set: { INPUT_TIMEOUTSECONDS: '4' } });
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), table(['s00', 's02']), result.context());
  assert.match(lastMessage(result), new RegExp("^1 of 3 secrets from vault 'fkv-faults' could not be set: s01\\. The " +
    "run reached its time limit of 4 s \\(TimeoutSeconds\\) while secret 's01' from fkv-faults\\.vault\\.azure\\.net " +
    'was stalled in the response headers phase \\('), result.context());
  assert.deepEqual(errors(result).at(-1), 'Not fetched because the run stopped (1 secrets): s01.');
});

test('a throttling answer asking for 100 s: the pause ends at the run\'s deadline, the rest is kept', () => {
  const sc = scenario({ count: 2, faults: [{ host: HOST, path: '/secrets/s01', status: 503, retryAfter: '100' }] });
  const result = run(sc, { filter: 's00,s01', set: { INPUT_TIMEOUTSECONDS: '8' } });
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), table(['s00']));
  assert.equal(vaultRequests(result).filter((r) => r.target.startsWith('/secrets/s01')).length, 1, 'not sent again');
  assert.equal(lastMessage(result), "1 of 2 secrets from vault 'fkv-faults' could not be set: s01. The run reached " +
    `its time limit of 8 s (TimeoutSeconds) while secret 's01' from ${HOST} was stalled in the waiting for a free ` +
    `connection or a throttling pause phase (the run stopped while requests to ${HOST} were paused for throttling).`);
});

test('SIGTERM during downloads: what arrived is set, no line is cut, the rest is named, exit 1', async () => {
  const slow = ['s03', 's04', 's05'];
  const sc = scenario({ count: 6, faults: slow.map((n) => ({ host: HOST, path: `/secrets/${n}`, delayMs: 120000 })) });
  const env = scenarioEnv(sc.s, { vault: VAULT, filter: 's00,s01,s02,s03,s04,s05' });
  const task = startTask({ scenarioFile: sc.file, env, binary, fake, timeoutMs: 90000, command: [...wrapper, binary] });
  const fast = ['s00', 's01', 's02'];
  await task.waitForStdout((text) => fast.every((n) => text.includes(`variable=${n};issecret=true]`)), 30000);
  // Core dumps are off from the start (a crash must not write the tokens to disk).
  assert.match(fs.readFileSync(`/proc/${task.pid()}/limits`, 'utf8'), /^Max core file size\s+0\s+0\s/m);
  // The GET workers (the three stalled ones are still running) run at a nice value 10 above the main
  // thread's (the page chain's), which keeps its own.
  // A thread may end between listing and reading (a pre-connection's helper): it is skipped.
  const niceOf = (tid) => {
    let stat;
    try { stat = fs.readFileSync(`/proc/${task.pid()}/task/${tid}/stat`, 'utf8'); } catch (error) {
      if (error.code === 'ENOENT' || error.code === 'ESRCH') return null;
      throw error;
    }
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  };
  const main = niceOf(task.pid());
  const others = fs.readdirSync(`/proc/${task.pid()}/task`).filter((tid) => Number(tid) !== task.pid()).map(niceOf)
    .filter((nice) => nice !== null);
  assert.ok(others.filter((n) => n === Math.min(main + 10, 19)).length >= 3, `main ${main}, other threads ${others}`);
  task.signal('SIGTERM');
  const result = checked(await task.done, sc.s);
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), table(fast), result.context());
  assert.equal(lastMessage(result), "3 of 6 secrets from vault 'fkv-faults' could not be set: s03, s04, s05. The run " +
    'was cancelled (SIGTERM) before every selected secret was fetched.');
  assert.deepEqual(errors(result), ['The run was cancelled (SIGTERM) before every selected secret was fetched. The ' +
    'job was cancelled or reached its own timeout; the secrets fetched before that were set. (vault-get)',
  'Not fetched because the run stopped (3 secrets): s03, s04, s05.']);
});

test('SIGTERM before the token exchange ends: a clear cancelled line, nothing set', async () => {
  const sc = scenario({ count: 1, faults: [{ host: 'login.microsoftonline.com', delayMs: 120000 }] });
  const env = scenarioEnv(sc.s, { vault: VAULT, filter: 's00' });
  const task = startTask({ scenarioFile: sc.file, env, binary, fake, timeoutMs: 90000, command: [...wrapper, binary] });
  await task.waitForStdout((text) => text.includes('##vso[task.setsecret]eyJ'), 30000);  // the OIDC token
  task.signal('SIGINT');
  const result = checked(await task.done, sc.s);
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), {});
  assert.equal(lastMessage(result), 'The run was cancelled (SIGINT) before any secret was fetched.');
});

// Each way a server can stall, with a short run budget: the two other secrets are set, the stalled one is
// named with the phase it stalled in, and the run ends (bounded by TimeoutSeconds plus the time to report).
const STALLS = [
  { kind: 'headers', phase: 'response headers', fault: { host: HOST, path: '/secrets/s01', stall: 'headers' } },
  { kind: 'slowloris', phase: 'response headers',
    fault: { host: HOST, path: '/secrets/s01', stall: 'slowloris', intervalMs: 500 } },
  { kind: 'body', phase: 'response body', fault: { host: HOST, path: '/secrets/s01', stall: 'body', intervalMs: 500 } },
];
for (const { kind, phase, fault, any } of STALLS) {
  test(`a stall (${kind}) ends at the deadline with the phase named; the others are set`, () => {
    const sc = scenario({ count: 3, faults: [fault] });
    const result = run(sc, { filter: 's00,s01,s02', set: { INPUT_TIMEOUTSECONDS: '6' } });
    assert.equal(result.status, 1, result.context());
    const set = Object.keys(result.log.variableTable());
    const unset = ['s00', 's01', 's02'].filter((n) => !set.includes(n));
    assert.equal(unset.length, 1, result.context());
    if (!any) assert.deepEqual(unset, ['s01']);
    assert.deepEqual(result.log.variableTable(), table(set));
    assert.ok(lastMessage(result).startsWith(`1 of 3 secrets from vault 'fkv-faults' could not be set: ${unset[0]}. ` +
      `The run reached its time limit of 6 s (TimeoutSeconds) while secret '${unset[0]}' from ${HOST} was stalled ` +
      `in the ${phase} phase (`), result.context());
    assert.deepEqual(errors(result).at(-1), `Not fetched because the run stopped (1 secrets): ${unset[0]}.`);
  });
}

// A server that accepts TCP and never speaks TLS. The binary pre-connects to the vault while it gets its
// token, so a single stuck connection is one of those and costs nothing; when every connection is stuck,
// the request's own connection stalls in the TLS handshake and the run ends at its deadline naming it.
test('one connection stalled at accept (TCP accept, no TLS) is absorbed by pre-connection: all set', () => {
  const sc = scenario({ count: 3, faults: [{ host: HOST, stall: 'accept', nth: [2] }] });
  const result = run(sc, { filter: 's00,s01,s02', set: { INPUT_TIMEOUTSECONDS: '6' } });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), table(['s00', 's01', 's02']));
});

test('every vault connection stalled at accept: the run ends at the deadline naming the TLS handshake', () => {
  const sc = scenario({ count: 1, faults: [{ host: HOST, stall: 'accept' }] });
  const result = run(sc, { filter: 's00', set: { INPUT_TIMEOUTSECONDS: '6' } });
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), {});
  assert.ok(lastMessage(result).startsWith("1 of 1 secrets from vault 'fkv-faults' could not be set: s00. " +
    `The run reached its time limit of 6 s (TimeoutSeconds) while secret 's00' from ${HOST} was stalled ` +
    'in the TLS handshake phase ('), result.context());
});

test('a list page cut mid-body (truncate) is retried, then the earlier pages are kept', () => {
  const sc = scenario({ count: 5, pageSize: 2, faults: [{ host: HOST, path: '/secrets', nth: [2, 3, 4, 5], stall: 'truncate' }] });
  const result = run(sc);
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), table(['s00', 's01']), result.context());
  assert.match(lastMessage(result), /^2 secrets from vault 'fkv-faults' were set\. The list of secrets is incomplete, so secrets on later pages were not set: Could not reach vault 'fkv-faults' \(fkv-faults\.vault\.azure\.net\) for the list of secrets: connection reset/);
  assert.equal(vaultRequests(result).filter((r) => r.target.startsWith('/secrets?')).length, 5, 'page 2 tried 4 times');
});

test('1xx interim responses (100, 103) before the real answers are skipped', () => {
  const sc = scenario({ count: 4, pageSize: 2, faults: [{ host: HOST, interim: [100, 103] }] });
  const result = run(sc);
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), table(['s00', 's01', 's02', 's03']));
});

test('hostile server texts: control and escape sequences stripped, echoed tokens redacted, codes sanitised', () => {
  const hostile = '\u001b]8;;http://evil.example/\u0007click\u001b]8;;\u0007 \u001b[31mred\u001b[0m ##vso[task.complete result=Succeeded]';
  const sc = scenario({ count: 2, faults: [{ host: HOST, path: '/secrets/s01', status: 403,
    errorCode: `Forbidden\u001b[2J{{token}}`, errorMessage: `${hostile} token={{token}} Bearer {{token}}`,
    headers: { 'x-ms-request-id': 'req {{token}} end' } }] });
  const result = run(sc, { filter: 's00,s01' });
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), table(['s00']));
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f]/.test(result.stdout), 'no control character reaches the log');
  const message = errors(result)[0];
  const token = [...result.log.secrets].find((s) => s.startsWith('fkvat.'));
  assert.ok(token && !message.includes(token), message);
  assert.equal(message, "Access to secret 's01' in vault 'fkv-faults' was denied. Key Vault says: \"]8;;http://evil.example/ " +
    'click ]8;; [31mred [0m ##vso[task.complete result=Succeeded] token=*** Bearer ***" Give the service connection\'s app the ' +
    'Get and List permissions on secrets: the "Key Vault Secrets User" role on RBAC vaults, or an access policy. ' +
    '(vault-get, HTTP 403, Forbidden [2J***, x-ms-request-id: req *** end)');
  assert.equal(lastMessage(result), "1 of 2 secrets from vault 'fkv-faults' could not be set: s01.");
  assert.equal(result.log.completions.length, 1, 'the echoed ##vso text is data, not a command');
});

test('hostile Entra error text: the echoed client assertion is redacted, escapes stripped', () => {
  const sc = scenario({ count: 1, faults: [{ host: 'login.microsoftonline.com', status: 400,
    errorCode: 'invalid_request\u001b[5m', errorMessage: 'AADSTS9002313: Invalid request. assertion {{assertion}} \u001b]0;x\u0007' }] });
  const result = run(sc, { filter: 's00' });
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), {});
  const oidc = [...result.log.secrets].find((s) => s.startsWith('eyJ'));
  assert.ok(oidc, 'the OIDC token was registered');
  assert.ok(!result.stdout.replace(/^##vso\[task\.setsecret\].*$/m, '').includes(oidc), 'the assertion is not echoed');
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(result.stdout), 'no control character reaches the log');
  assert.ok(errors(result)[0].startsWith("Microsoft Entra ID refused the token request for app " +
    `'${CONNECTION.clientId}' (HTTP 400, AADSTS9002313: Invalid request).`), errors(result)[0]);
});

test('the vault name stops resolving mid-run: what arrived is set, the rest named, the DNS failure said', () => {
  // One A answer, then NXDOMAIN. The pre-connection took that answer, so every request shares its one
  // connection until the server drops it (the reset on s02): the new connection needs the name again.
  const sc = scenario({ count: 6, pageSize: 25, vault: { dnsFailAfter: 1 },
    faults: [{ host: HOST, path: '/secrets/s02', reset: true }] });
  const result = run(sc);
  assert.equal(result.status, 1, result.context());
  const all = ['s00', 's01', 's02', 's03', 's04', 's05'];
  const set = Object.keys(result.log.variableTable());
  assert.deepEqual(result.log.variableTable(), table(set));
  const notFetched = errors(result).find((m) => m.startsWith('Not fetched because the run stopped'));
  const named = notFetched ? notFetched.replace(/^.*: /, '').replace(/\.$/, '').split(', ') : [];
  assert.deepEqual([...set, ...named].sort(), all, 'every selected secret is set or named');
  assert.ok(errors(result).some((m) => m.startsWith(`The host name ${HOST} of vault 'fkv-faults' stopped resolving ` +
    'during the run (DNS answered that it does not exist), so no further request was made.')), result.context());
});

test('SIGTERM to the launcher (node task/main.js): passed on, the binary ends cleanly, the launcher adds nothing',
  { skip: wrapper.length > 0 && 'the launcher runs the binary itself, without the wrapper' }, async () => {
  // A task folder as a .vsix delivers it, with this binary for the host platform.
  const launcher = require('../../task/launcher');
  const taskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fkv-faults-task-'));
  try {
    for (const entry of fs.readdirSync(path.join(__dirname, '..', '..', 'task'))) {
      if (entry !== 'bin') fs.cpSync(path.join(__dirname, '..', '..', 'task', entry), path.join(taskDir, entry), { recursive: true });
    }
    const target = launcher.binaryPath(taskDir, launcher.hostPlatformKey());
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(binary, target);
    const slow = ['s02', 's03'];
    const sc = scenario({ count: 4, faults: slow.map((n) => ({ host: HOST, path: `/secrets/${n}`, delayMs: 120000 })) });
    const env = scenarioEnv(sc.s, { vault: VAULT, filter: 's00,s01,s02,s03' });
    const task = startTask({ scenarioFile: sc.file, env, binary, fake, timeoutMs: 90000,
      command: [process.execPath, path.join(taskDir, 'main.js')] });
    await task.waitForStdout((text) => ['s00', 's01'].every((n) => text.includes(`variable=${n};issecret=true]`)), 30000);
    task.signal('SIGTERM');
    const result = checked(await task.done, sc.s);
    assert.equal(result.status, 1, result.context());
    assert.deepEqual(result.log.variableTable(), table(['s00', 's01']));
    assert.equal(result.log.completions.length, 1, 'one conclusion: the binary\'s');
    assert.equal(lastMessage(result), "2 of 4 secrets from vault 'fkv-faults' could not be set: s02, s03. The run " +
      'was cancelled (SIGTERM) before every selected secret was fetched.');
    assert.ok(result.stdout.split('\n').at(-2).startsWith('##vso[task.complete result=Failed]'), 'the last line is the binary\'s');
  } finally {
    fs.rmSync(taskDir, { recursive: true, force: true });
  }
});

for (const retryAfter of [null, '1']) {
  test(`Key Vault's throttle (${retryAfter ? 'with' : 'without'} Retry-After): every secret is set, the pauses are logged`, () => {
    const sc = scenario({ count: 120, vault: { throttle: { limit: 40, windowSeconds: 2, retryAfter } } });
    const result = run(sc, { set: { INPUT_TIMEOUTSECONDS: '120' } });
    assert.equal(result.status, 0, result.context());
    const names = sc.s.vaults[0].secrets.map((x) => x.name);
    assert.deepEqual(result.log.variableTable(), table(names));
    const throttled = vaultRequests(result).filter((r) => r.status === 429).length;
    assert.ok(throttled > 0, 'the emulated limit was hit');
    const line = result.log.text.find((l) => l.startsWith('Key Vault throttled '));
    assert.ok(line && line.startsWith(`Key Vault throttled ${throttled} requests (HTTP 429): downloads paused for `), line);
  });
}

test('Key Vault\'s error for one secret quotes another secret\'s value: the log and the summary show *** instead', () => {
  const sc = scenario({ count: 2, faults: [{ host: HOST, path: '/secrets/s01', status: 403, errorCode: 'Forbidden',
    errorMessage: `Caller may not read s01 (s00 is ${valueOf('s00')})` }] });
  const result = run(sc, { filter: 's00,s01' });  // the leak scan reads the summary file too
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), table(['s00']));
  assert.ok(errors(result).some((m) => m.includes('Caller may not read s01 (s00 is ***)')), result.context());
  const summary = result.files.find((f) => /summary-.*\.md$/.test(f.path));
  assert.ok(summary && summary.text.includes('Caller may not read s01 \\(s00 is \\*\\*\\*\\)'), summary && summary.text);
});

// What a terminal or log viewer would act on: C0/C1 controls, DEL, bidi embeddings/overrides/isolates.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const shownTexts = (run) => [...run.log.text, ...run.log.issues.map((i) => i.message),
  ...run.log.completions.map((c) => c.message || ''), ...run.files.map((f) => f.text.replace(/\n/g, ' '))];

test('control bytes from an input never reach the log or the summary (environment: tests/e2e/proxy.test.js)', () => {
  const sc = scenario({ count: 1 });
  const failed = run(sc, { set: { INPUT_KEYVAULTNAME: 'fkv\u0007\u001b]0;x\u0007\u202e-vault' } });
  assert.equal(failed.status, 1, failed.context());
  assert.ok(errors(failed).length > 0 && errors(failed).every((m) => !CONTROL.test(m)), failed.context());
  assert.deepEqual(shownTexts(failed).filter((t) => CONTROL.test(t)), [], failed.context());
});

test('Retry-After: 0 on every GET is no delay given: paced probes inside the deadline, not a hot loop', () => {
  const names = Array.from({ length: 20 }, (_, i) => `s${String(i).padStart(2, '0')}`);
  const sc = scenario({ count: 20, faults: [{ host: HOST, method: 'GET', path: '/secrets/*', status: 429, retryAfter: '0' }] });
  const result = run(sc, { filter: names.join(','), set: { INPUT_TIMEOUTSECONDS: '5' } });
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(result.log.variableTable(), {});
  const gets = vaultRequests(result).filter((r) => r.target.startsWith('/secrets/'));
  // Pauses of 0.5, 1, 1, ... s with one probe each, plus the first burst: a few dozen at most (was 2,023).
  assert.ok(gets.length < 80, `${gets.length} GETs`);
  assert.ok(result.seconds > 4 && result.seconds < 15, `${result.seconds} s`);
  assert.match(lastMessage(result), /The run reached its time limit of 5 s \(TimeoutSeconds\)/, result.context());
  const notFetched = errors(result).find((m) => m.startsWith('Not fetched because the run stopped'));
  assert.ok(notFetched && names.every((n) => notFetched.includes(n) || errors(result).some((m) => m.includes(`'${n}'`))),
    result.context());
});
