'use strict';
// The task as the agent runs it, with the real binary, against the Azure fake: a copy of task/ with the
// built binary in bin/<platform>/ (no exec bit, as a .vsix delivers it), started as `node <task>/main.js`
// or `prejob.js` inside the namespace runner (tests/e2e/ns-run) with the agent environment for the
// scenario's service connection. Main step with RunAsPreJob=false and pre-job step with RunAsPreJob=true
// set the scenario's variables; the other two combinations are Skipped; nothing leaks.
// With FKV_STATIC_BINARY (the fully static build) too, on Linux x64: both builds packaged as a release
// has them, the launcher picks the dynamic one after its --version probe on this host, the static one
// for a synthetic glibc 2.28 report (RHEL 8) and when the dynamic "build" is an ELF the loader refuses
// (FKV_LOADER_FAILURE_BIN); each sets the same variables.
// Needs FKV_BINARY (the built federated-keyvault), the fake (FKV_FAKE_BIN or the build's) and the
// scenario; exits 77 (skipped) when one is missing.

const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const h = require('./harness');
const { parseAgentLog, findLeaks } = require('../support/agent-log');
const { scenarioEnv: sharedScenarioEnv } = require('../support/scenario-env');

const SCENARIO = path.join(h.ROOT, 'tests', 'fake-azure', 'scenarios', 'basic.json');
const NS_RUN = path.join(h.ROOT, 'tests', 'e2e', 'ns-run');
const binary = process.env.FKV_BINARY;
const fake = process.env.FKV_FAKE_BIN;

for (const [what, file] of [['FKV_BINARY (the built binary)', binary], ['FKV_FAKE_BIN (the Azure fake)', fake],
  ['the scenario', SCENARIO], ['the namespace runner', NS_RUN]]) {
  if (!file || !fs.existsSync(file)) {
    console.log(`SKIP: ${what} is not available${file ? ` at ${file}` : ''}`);
    process.exit(77);
  }
}

const scenario = JSON.parse(fs.readFileSync(SCENARIO, 'utf8'));
const connection = scenario.connections[0];
const vault = scenario.vaults[0];
const HOST = h.launcher.hostPlatformKey();

function scenarioEnv(runAsPreJob) {
  return sharedScenarioEnv(scenario, {
    vault: vault.name, runAsPreJob, base: h.agentEnv({}),
  });
}

// What AzureKeyVault@2 parity makes of the scenario's vault in '*' mode: enabled secrets under their
// names; the multi-line knob when a value spans lines (values here are not JSON).
function expectedVariables() {
  const table = {};
  let multiLine = false;
  for (const secret of vault.secrets) {
    assert.equal(secret.exp, undefined, 'this test models enabled/disabled only');
    if (secret.enabled === false) continue;
    table[secret.name] = secret.value;
    if (/[\r\n]/.test(secret.value)) multiLine = true;
  }
  if (multiLine) table.SYSTEM_UNSAFEALLOWMULTILINESECRET = 'true';
  return table;
}

// target: 'main.js'/'prejob.js' (run as the agent does), or argv for node (h.launcherArgs).
function runInNamespace(taskDir, target, env) {
  const workdir = h.tempDir('ns');
  const nodeArgs = Array.isArray(target) ? target : [path.join(taskDir, target)];
  const result = childProcess.spawnSync(NS_RUN,
    ['--scenario', SCENARIO, '--workdir', workdir, '--fake', fake, '--', h.TASK_NODE, ...nodeArgs],
    { cwd: h.tempDir('cwd'), env, encoding: 'utf8', input: '', timeout: 120000, killSignal: 'SIGKILL' });
  if (result.error) throw result.error;
  return result;
}

const taskDir = h.makeTask({ [HOST]: fs.readFileSync(binary) });

for (const [target, runAsPreJob] of [['main.js', 'false'], ['prejob.js', 'true']]) {
  test(`${target} with RunAsPreJob=${runAsPreJob} sets the vault's secrets as secret variables`, () => {
    const out = runInNamespace(taskDir, target, scenarioEnv(runAsPreJob));
    const log = parseAgentLog(out.stdout);
    const context = `stdout:\n${out.stdout}\nstderr:\n${out.stderr}`;
    assert.equal(out.status, 0, context);
    assert.deepEqual(log.failures, [], context);
    assert.deepEqual(log.variableTable(), expectedVariables(), context);
    for (const secret of vault.secrets.filter((s) => s.enabled !== false)) {
      assert.equal(log.variable(secret.name).secret, true, `${secret.name} is secret`);
    }
    assert.equal(log.outcome(out.status), 'Succeeded', context);
    const values = vault.secrets.map((s) => s.value).concat([scenario.jobToken]);
    assert.deepEqual(findLeaks(out.stdout + out.stderr, values), [], context);
    assert.ok(!out.stdout.includes('never-served'), 'a disabled secret is not fetched');
  });
}

for (const [target, runAsPreJob] of [['prejob.js', 'false'], ['main.js', 'true']]) {
  test(`${target} with RunAsPreJob=${runAsPreJob} is Skipped`, () => {
    const out = runInNamespace(taskDir, target, scenarioEnv(runAsPreJob));
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout, `##vso[task.complete result=Skipped;]Skipped according to the task's configuration. RunAsPreJob: ${runAsPreJob}\n`);
  });
}

// ---- both Linux builds packaged: which one runs, and that each does the whole job ----

const staticBinary = process.env.FKV_STATIC_BINARY;
const loaderFailure = process.env.FKV_LOADER_FAILURE_BIN;
const bothBuilds = HOST !== 'linux-x64' ? `the Linux x64 builds do not run on ${HOST}`
  : !staticBinary || !fs.existsSync(staticBinary) ? 'FKV_STATIC_BINARY (federated-keyvault-static) is not built' : null;

function assertSetsTheVault(out, key, reason) {
  const log = parseAgentLog(out.stdout);
  const context = `stdout:\n${out.stdout}\nstderr:\n${out.stderr}`;
  assert.equal(out.status, 0, context);
  assert.deepEqual(log.failures, [], context);
  const running = log.debug.filter((line) => line.startsWith('federated-keyvault: running '));
  assert.equal(running.length, 1, context);
  assert.ok(running[0].includes(`/bin/${key}/federated-keyvault (${key}): `), running[0]);
  assert.match(running[0], reason);
  assert.deepEqual(log.variableTable(), expectedVariables(), context);
  assert.equal(log.outcome(out.status), 'Succeeded', context);
  const values = vault.secrets.map((s) => s.value).concat([scenario.jobToken]);
  assert.deepEqual(findLeaks(out.stdout + out.stderr, values), [], context);
}

test('both Linux builds packaged: on this host the dynamic one passes its --version probe and does the job', { skip: bothBuilds || false }, () => {
  const task = h.makeTask({ 'linux-x64': fs.readFileSync(binary), 'linux-x64-static': fs.readFileSync(staticBinary) });
  const out = runInNamespace(task, 'main.js', scenarioEnv('false'));
  assertSetsTheVault(out, 'linux-x64', /: glibc 2\.\d+; the linux-x64 build answered --version$/);
});

test('a synthetic glibc 2.28 report (RHEL 8): the static build does the same job', { skip: bothBuilds || false }, () => {
  const task = h.makeTask({ 'linux-x64': fs.readFileSync(binary), 'linux-x64-static': fs.readFileSync(staticBinary) });
  const args = h.launcherArgs(task, 'main', { report: { header: { glibcVersionRuntime: '2.28' } } });
  const out = runInNamespace(task, args, scenarioEnv('false'));
  assertSetsTheVault(out, 'linux-x64-static', /: this host's glibc 2\.28 is older than 2\.34, which the linux-x64 build needs$/);
});

const noLoaderFailure = bothBuilds || (!loaderFailure || !fs.existsSync(loaderFailure)
  ? 'FKV_LOADER_FAILURE_BIN (fkv-loader-failure) is not built' : null);
test('a dynamic build the loader refuses: the launcher falls back to the static build, which does the job', { skip: noLoaderFailure || false }, () => {
  const task = h.makeTask({ 'linux-x64': fs.readFileSync(loaderFailure), 'linux-x64-static': fs.readFileSync(staticBinary) });
  const out = runInNamespace(task, 'main.js', scenarioEnv('false'));
  assertSetsTheVault(out, 'linux-x64-static',
    /: the linux-x64 build cannot run on this host: the program loader could not start it \(exit code 127\): .*libfkv_task_gone\.so/);
});
