'use strict';
// The demo in CI (issue 12): runs scripts/demo.sh with the already-built binaries (FKV_BINARY and
// FKV_FAKE_BIN: no setup, no build) once, and checks what each of its parts shows: the happy run's
// variables and labels, the AADSTS700213 error with the issuer and subject to configure, the
// ForbiddenByRbac error with the role to assign, the diagnose run, and that nothing secret is shown.

const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { ROOT, suiteEnv } = require('./harness');

const { binary, fake } = suiteEnv();
const scenario = JSON.parse(fs.readFileSync(path.join(ROOT, 'scripts', 'demo', 'scenario.json'), 'utf8'));

const demo = childProcess.spawnSync(path.join(ROOT, 'scripts', 'demo.sh'), [], {
  env: { ...process.env, FKV_BINARY: binary, FKV_FAKE_BIN: fake }, input: '', timeout: 120000,
  killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024,
});
const stdout = demo.stdout.toString('utf8');
const stderr = demo.stderr.toString('utf8');
const context = `exit ${demo.status}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;

// The parts, by their "== N. title ==" headers.
const parts = {};
for (const chunk of stdout.split(/^== (?=\d+\. )/m).slice(1)) parts[chunk.slice(0, chunk.indexOf('.'))] = chunk;
const part = (number) => {
  assert.ok(parts[number], `the demo shows part ${number}\n${context}`);
  return parts[number];
};
const variableRows = (text) => text.split('\n').filter((l) => /^ {4}\S+ +(secret|public) +/.test(l))
  .map((l) => l.trim().split(/\s+/).slice(0, 2));

test('the demo runs without setup or build when given the binaries, and every part behaves', () => {
  assert.equal(demo.error, undefined, String(demo.error));
  assert.equal(demo.status, 0, context);
  assert.doesNotMatch(stdout, /demo: building|setup:/, 'no setup and no build with FKV_BINARY/FKV_FAKE_BIN');
  assert.deepEqual(Object.keys(parts), ['1', '2', '3', '4', '5']);
  for (const [number, chunk] of Object.entries(parts)) {
    assert.ok(chunk.split('\n').length <= 45, `part ${number} fits on one screen (${chunk.split('\n').length} lines)`);
  }
});

test('part 1 shows the YAML of the step', () => {
  const text = part('1');
  assert.match(text, /- task: FederatedKeyVault@1/);
  assert.match(text, /azureSubscription: contoso-prod-wif\n {6}KeyVaultName: contoso-prod-kv\n/);
});

test('the happy run: the enabled secrets as secret variables, token lines labelled, the multi-line switch explained', () => {
  const text = part('2');
  const enabled = scenario.vaults[0].secrets.filter((s) => s.enabled !== false).map((s) => s.name);
  const rows = variableRows(text);
  assert.deepEqual(rows.map((r) => r[0]).sort(), [...enabled, 'SYSTEM_UNSAFEALLOWMULTILINESECRET'].sort(), text);
  assert.deepEqual(rows.find((r) => r[0] === 'SYSTEM_UNSAFEALLOWMULTILINESECRET'), ['SYSTEM_UNSAFEALLOWMULTILINESECRET', 'public']);
  for (const name of enabled) assert.deepEqual(rows.find((r) => r[0] === name), [name, 'secret']);
  const lines = text.split('\n');
  const oidc = lines.findIndex((l) => l.includes('[demo] OIDC token registered as secret'));
  const access = lines.findIndex((l) => l.includes('[demo] access token registered as secret'));
  assert.ok(oidc >= 0 && access > oidc, text);
  assert.equal(lines[oidc + 1].trim(), '(command) ##vso[task.setsecret] ...');
  assert.equal(lines[access + 1].trim(), '(command) ##vso[task.setsecret] ...');
  const multiline = lines.findIndex((l) => /\(command\) ##vso\[task\.setvariable variable=SYSTEM_UNSAFEALLOWMULTILINESECRET(;issecret=false)?\]true$/.test(l));
  assert.ok(multiline > access, text);
  assert.match(lines[multiline - 2], /\[demo\] the next secret has several lines\. The agent rejects a multi-line secret value unless$/);
  assert.match(lines[multiline - 1], /\[demo\] SYSTEM_UNSAFEALLOWMULTILINESECRET is true: the task sets it, only when a value needs it$/);
  assert.match(text, /Step result: Succeeded \(exit code 0\)/);
});

test('wrong subject: AADSTS700213 with the issuer and subject the federated credential must have', () => {
  const text = part('3');
  const conn = scenario.connections[1];
  const error = text.split('\n').find((l) => l.includes('AADSTS700213'));
  assert.ok(error, text);
  assert.ok(error.includes(`Microsoft Entra ID found no federated credential on app '${conn.clientId}'`), error);
  assert.ok(error.includes(`issuer 'https://vstoken.dev.azure.com/${scenario.organization.id}'`), error);
  assert.ok(error.includes(`subject 'sc://${scenario.organization.name}/${scenario.project.name}/${conn.name}'`), error);
  assert.match(text, /Step result: Failed \(exit code 1\)/);
  assert.doesNotMatch(text, /##vso\[task\.setvariable/);
});

test('no role assignment: ForbiddenByRbac with the role to assign', () => {
  const text = part('4');
  const error = text.split('\n').find((l) => l.includes('ForbiddenByRbac'));
  assert.ok(error, text);
  assert.ok(error.includes("vault 'contoso-shared-kv'"), error);
  assert.ok(error.includes('"Key Vault Secrets User"'), error);
  assert.match(text, /Step result: Failed \(exit code 1\)/);
  assert.doesNotMatch(text, /##vso\[task\.setvariable/);
});

test('leak scan: no secret value, job token or token-shaped string anywhere in the output', () => {
  const values = [scenario.jobToken];
  for (const vault of scenario.vaults) {
    for (const secret of vault.secrets) values.push(secret.value, ...secret.value.split('\n'));
  }
  const all = stdout + stderr;
  const shown = values.map((v) => v.trim()).filter((v) => v.length >= 6 && all.includes(v));
  assert.deepEqual(shown, [], 'values shown');
  assert.doesNotMatch(all, /eyJ[\w-]{8,}|fkvat\.[\w-]{8,}/, 'a token is shown');
});

test('diagnose: every check reported, no variable set, no value registered', () => {
  const text = part('5');
  assert.match(text, /Mode: diagnose/);
  assert.doesNotMatch(text, /##vso\[task\.setvariable/, 'diagnose sets no variable');
  // Only tokens are registered: the OIDC token (diagnose asks for it once to show its claims, once more for
  // the exchange) and the access token; never a vault value.
  const setsecrets = text.split('\n').filter((l) => l.includes('##vso[task.setsecret]'));
  assert.ok(setsecrets.length >= 2 && setsecrets.length <= 3, `${setsecrets.length} secrets registered`);
  assert.match(text, /\bok\b/, 'findings are reported');
  assert.match(text, /Step result: Succeeded \(exit code 0\)/);
  assert.match(text, /\[demo\] diagnose set no variable and registered no vault value/);
});

test('without user namespaces the demo stops at once with the sentence the README gives', () => {
  const bin = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'fkv-demo-nouserns-'));
  try {
    // An unshare that fails as it does where user namespaces are not allowed (e.g. Docker without --privileged).
    fs.writeFileSync(path.join(bin, 'unshare'), '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n',
      { mode: 0o755 });
    const run = childProcess.spawnSync(path.join(ROOT, 'scripts', 'demo.sh'), [], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FKV_BINARY: binary, FKV_FAKE_BIN: fake },
      input: '', timeout: 30000, encoding: 'utf8' });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.equal(run.stdout, '');
    const sentence = 'The demo needs unprivileged user namespaces (unshare --net --mount --map-root-user must work); ' +
      'in Docker, run the container with --privileged or equivalent.';
    assert.equal(run.stderr, `demo: ${sentence}\n`);
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').replace(/\s*\n\s*/g, ' ');
    assert.ok(readme.includes(`\`${sentence}\``), 'README quotes the sentence');
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
  }
});
