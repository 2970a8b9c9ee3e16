'use strict';
// The launcher, run exactly as the agent runs a step (`node <taskdir>/main.js|prejob.js` from another
// working directory) with stand-in binaries, and its pure parts. The step's stdout is read with the
// agent's rules (tests/support/agent-log.js). FKV_TASK_NODE picks the Node that runs the task (CTest runs
// this file once with ours and once with Node 16, the oldest the agent may fall back to).

const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const h = require('./harness');
const { parseAgentLog } = require('../support/agent-log');

const { launcher } = h;
const HOST = launcher.hostPlatformKey();
const SKIP_PREFIX = "Skipped according to the task's configuration. RunAsPreJob: ";
const posix = process.platform !== 'win32';

if (process.env.FKV_TASK_NODE && !fs.existsSync(process.env.FKV_TASK_NODE)) {
  console.log(`SKIP: FKV_TASK_NODE=${process.env.FKV_TASK_NODE} does not exist (scripts/setup.sh installs Node 16 on linux-x64)`);
  process.exit(77);
}
if (!posix) {
  console.log('SKIP: the stand-in binaries are POSIX shell scripts');
  process.exit(77);
}

function probeDir() {
  return h.tempDir('probe');
}

// ---- pure parts ----

test('platform keys name the bin/ folders the launcher looks in', () => {
  assert.equal(launcher.platformKey('linux', 'x64', false), 'linux-x64');
  assert.equal(launcher.platformKey('linux', 'x64', true), 'linux-x64-musl');
  assert.equal(launcher.platformKey('linux', 'arm64', false), 'linux-arm64');
  assert.equal(launcher.platformKey('win32', 'x64', false), 'win32-x64');
  assert.equal(launcher.platformKey('darwin', 'arm64', true), 'darwin-arm64'); // musl only means something on Linux
  assert.equal(launcher.binaryFileName('win32-x64'), 'federated-keyvault.exe');
  assert.equal(launcher.binaryFileName('linux-arm64'), 'federated-keyvault');
  assert.deepEqual(launcher.SUPPORTED_PLATFORMS,
    ['linux-x64', 'linux-arm64', 'linux-x64-musl', 'win32-x64', 'darwin-x64', 'darwin-arm64']);
});

test('musl is detected by the absence of glibcVersionRuntime in the report header', () => {
  assert.equal(launcher.isMuslReport({ header: { glibcVersionRuntime: '2.36', glibcVersionCompiler: '2.28' } }), false);
  assert.equal(launcher.isMuslReport({ header: { osName: 'Linux' } }), true);
  assert.equal(launcher.isMuslReport({}), true);
  // This machine is Debian (glibc).
  assert.equal(launcher.isMuslReport(process.report.getReport()), false);
  assert.ok(!HOST.endsWith('-musl'));
});

test('RunAsPreJob: "true" in any case selects the pre-job step; anything else the main step', () => {
  for (const [value, expected] of [['true', true], ['True', true], ['TRUE', true], [' true ', true],
    ['false', false], ['', false], [undefined, false], ['yes', false], ['1', false]]) {
    assert.equal(launcher.readRunAsPreJob({ INPUT_RUNASPREJOB: value }), expected, `value ${value}`);
  }
  assert.equal(launcher.shouldRun('prejob', true), true);
  assert.equal(launcher.shouldRun('main', true), false);
  assert.equal(launcher.shouldRun('prejob', false), false);
  assert.equal(launcher.shouldRun('main', false), true);
});

test('messages are escaped for ##vso lines the way the agent unescapes them', () => {
  const { unescape } = require('../support/agent-log');
  for (const text of ['100% done; next ]', 'a\r\nb', '%AZP25 %3B %0A', 'plain']) {
    assert.equal(unescape(launcher.escapeCommandText(text)), text);
    assert.doesNotMatch(launcher.escapeCommandText(text), /[;\]\r\n]/);
  }
});

test('resolveBinary prefers the exact platform and falls back only to OS-emulated ones', () => {
  const dir = h.makeTask({ 'darwin-x64': 'x', 'win32-x64': 'x', 'linux-x64': 'x' });
  assert.equal(launcher.resolveBinary(dir, 'linux-x64').key, 'linux-x64');
  assert.equal(launcher.resolveBinary(dir, 'darwin-arm64').key, 'darwin-x64'); // Rosetta 2
  assert.equal(launcher.resolveBinary(dir, 'win32-arm64').key, 'win32-x64');  // Windows x64 emulation
  assert.equal(launcher.resolveBinary(dir, 'linux-arm64'), null);
  assert.equal(launcher.resolveBinary(dir, 'linux-x64-musl'), null); // a glibc binary would not start there
  assert.deepEqual(launcher.packagedPlatforms(dir), ['darwin-x64', 'linux-x64', 'win32-x64']);
});

// ---- RunAsPreJob: pre-job/main x true/false ----

for (const [target, runAsPreJob, runs] of [
  ['main.js', 'false', true], ['prejob.js', 'false', false], ['prejob.js', 'true', true], ['main.js', 'true', false],
]) {
  test(`${target} with RunAsPreJob=${runAsPreJob} ${runs ? 'runs the binary' : 'is Skipped with the exact message'}`, () => {
    const probe = probeDir();
    const task = h.makeTask({ [HOST]: h.standIn('echo "##vso[task.setvariable variable=ran;issecret=true]yes"') });
    const out = h.runStep(task, target, h.agentEnv({ INPUT_RUNASPREJOB: runAsPreJob, FKV_PROBE_DIR: probe }));
    const log = parseAgentLog(out.stdout);
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(log.failures, []);
    if (runs) {
      assert.equal(h.readProbe(probe, 'argc'), '0');
      assert.deepEqual(log.variableTable(), { ran: 'yes' });
      assert.equal(log.result, null);
      assert.equal(log.outcome(out.status), 'Succeeded');
    } else {
      assert.equal(h.readProbe(probe, 'argc'), null, 'the binary must not run');
      assert.deepEqual(log.completions, [{ result: 'Skipped', message: `${SKIP_PREFIX}${runAsPreJob}` }]);
      assert.equal(out.stdout, `##vso[task.complete result=Skipped;]${SKIP_PREFIX}${runAsPreJob}\n`);
      assert.equal(log.outcome(out.status), 'Skipped');
      assert.deepEqual(log.variableTable(), {});
    }
  });
}

test('RunAsPreJob missing (not given by the agent) behaves as false', () => {
  const task = h.makeTask({ [HOST]: h.standIn('echo ran') });
  const pre = h.runStep(task, 'prejob.js', h.agentEnv({ INPUT_RUNASPREJOB: undefined }));
  assert.equal(pre.stdout, `##vso[task.complete result=Skipped;]${SKIP_PREFIX}false\n`);
  const main = h.runStep(task, 'main.js', h.agentEnv({ INPUT_RUNASPREJOB: undefined }));
  assert.equal(main.status, 0);
  assert.match(main.stdout, /^ran$/m);
});

// ---- environment, argv, working directory ----

test('the binary gets the inherited environment and stdio, no arguments, and the caller\'s working directory', () => {
  const probe = probeDir();
  const cwd = h.tempDir('cwd');
  // A decoy binary under the working directory must not be picked: the launcher looks next to itself.
  fs.mkdirSync(path.join(cwd, 'bin', HOST), { recursive: true });
  fs.writeFileSync(path.join(cwd, 'bin', HOST, 'federated-keyvault'), '#!/bin/sh\necho DECOY\n', { mode: 0o755 });
  const task = h.makeTask({ [HOST]: h.standIn('echo "stderr line" >&2; echo "stdout line"') });
  const out = h.runStep(task, 'main.js', h.agentEnv({ FKV_PROBE_DIR: probe }), { cwd });
  assert.equal(out.status, 0, out.stderr);
  assert.doesNotMatch(out.stdout, /DECOY/);
  assert.match(out.stdout, /^stdout line$/m);
  assert.match(out.stderr, /^stderr line$/m);
  assert.equal(h.readProbe(probe, 'argv0'), launcher.binaryPath(task, HOST));
  assert.equal(h.readProbe(probe, 'argc'), '0');
  assert.equal(h.readProbe(probe, 'cwd').trim(), fs.realpathSync(cwd));
  const env = h.readProbe(probe, 'env');
  for (const line of [
    `INPUT_CONNECTEDSERVICENAME=${h.CONNECTION_ID}`, 'INPUT_KEYVAULTNAME=contoso-kv', 'INPUT_SECRETSFILTER=*',
    'INPUT_RUNASPREJOB=false', `ENDPOINT_AUTH_SCHEME_${h.CONNECTION_ID}=WorkloadIdentityFederation`,
    `ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN=${h.JOB_TOKEN}`, `SECRET_MYJOBSECRET=${h.JOB_SECRET}`,
    'TF_BUILD=True',
  ]) {
    assert.ok(env.split('\n').includes(line), `environment lacks ${line}`);
  }
  // The process table shows no secret: neither the binary's argv nor the launcher's.
  const cmdline = h.readProbe(probe, 'cmdline');
  assert.ok(cmdline.length > 0);
  for (const secret of [h.JOB_TOKEN, h.JOB_SECRET]) {
    assert.ok(!cmdline.includes(secret), 'secret on argv');
    assert.ok(!out.stdout.includes(secret) && !out.stderr.includes(secret), 'secret in output');
  }
});

// ---- exit codes and signals ----

test('a non-zero exit code is passed on and fails the step', () => {
  const task = h.makeTask({ [HOST]: h.standIn('echo "##vso[task.logissue type=error]boom"; exit 3') });
  const out = h.runStep(task, 'main.js', h.agentEnv());
  assert.equal(out.status, 3);
  const log = parseAgentLog(out.stdout);
  assert.deepEqual(log.errors(), ['boom']); // the launcher adds nothing of its own
  assert.equal(log.outcome(out.status), 'Failed');
});

test('the binary\'s own task.complete and exit code 0 are left alone', () => {
  const task = h.makeTask({ [HOST]: h.standIn('echo "##vso[task.complete result=SucceededWithIssues;]2 warnings"') });
  const out = h.runStep(task, 'main.js', h.agentEnv());
  assert.equal(out.status, 0);
  assert.equal(parseAgentLog(out.stdout).outcome(out.status), 'SucceededWithIssues');
});

test('a binary killed by a signal fails the step with a message and a non-zero exit code', () => {
  const task = h.makeTask({ [HOST]: h.standIn('kill -KILL $$') });
  const out = h.runStep(task, 'main.js', h.agentEnv());
  assert.equal(out.status, 128 + 9);
  const log = parseAgentLog(out.stdout);
  assert.deepEqual(log.errors(), ['federated-keyvault was killed by signal SIGKILL.']);
  assert.deepEqual(log.completions, [{ result: 'Failed', message: 'federated-keyvault was killed by signal SIGKILL.' }]);
  assert.equal(log.outcome(out.status), 'Failed');
});

test('SIGTERM to the launcher (agent cancelling the step) reaches the binary, and the step fails', async () => {
  const probe = probeDir();
  const task = h.makeTask({ [HOST]: h.standIn(`touch "$FKV_PROBE_DIR/started"; exec sleep 30`) });
  const child = childProcess.spawn(h.TASK_NODE, [path.join(task, 'main.js')], {
    cwd: h.tempDir('cwd'), env: h.agentEnv({ FKV_PROBE_DIR: probe }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  const deadline = Date.now() + 15000;
  while (!fs.existsSync(path.join(probe, 'started')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(fs.existsSync(path.join(probe, 'started')), 'stand-in did not start');
  const started = Date.now();
  child.kill('SIGTERM');
  const status = await new Promise((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('timeout'); }, 15000);
    child.on('close', (code) => { clearTimeout(timer); resolve(code); });
  });
  assert.equal(status, 128 + 15);
  assert.ok(Date.now() - started < 10000, 'the binary was not stopped promptly');
  const log = parseAgentLog(stdout);
  const message = 'federated-keyvault was killed by signal SIGTERM after the agent sent SIGTERM to the task (job cancelled or timed out).';
  assert.deepEqual(log.completions, [{ result: 'Failed', message }]);
});

// ---- finding and starting the binary ----

test('no binary for this platform: one clear error naming what is packaged and what is supported', () => {
  const task = h.makeTask({ 'win32-x64': 'MZ', 'darwin-arm64': 'x' });
  const out = h.runStep(task, 'main.js', h.agentEnv());
  assert.equal(out.status, 1);
  const log = parseAgentLog(out.stdout);
  const expected = `federated-keyvault has no binary for this agent's platform (${HOST}): ` +
    `${launcher.binaryPath(task, HOST)} does not exist. This package contains: darwin-arm64, win32-x64. ` +
    'Platforms federated-keyvault is built for: linux-x64, linux-arm64, linux-x64-musl, win32-x64, darwin-x64, ' +
    'darwin-arm64. Run the job on one of them (for a job container, use an image of a supported platform).';
  assert.deepEqual(log.errors(), [expected]);
  assert.deepEqual(log.completions, [{ result: 'Failed', message: expected }]);
  assert.equal(log.outcome(out.status), 'Failed');
  assert.equal(out.stderr, '');
});

test('a binary without its exec bit (as a .vsix delivers it) gets it back and runs', () => {
  const task = h.makeTask({ [HOST]: h.standIn('echo ran') });
  const file = launcher.binaryPath(task, HOST);
  assert.equal(fs.statSync(file).mode & 0o111, 0);
  const out = h.runStep(task, 'main.js', h.agentEnv());
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /^ran$/m);
  assert.equal(fs.statSync(file).mode & 0o777, 0o755);
});

test('a binary that cannot start (its loader is missing, e.g. glibc in Alpine) fails the step with the reason', () => {
  const task = h.makeTask({ [HOST]: '#!/nonexistent/ld-linux-x86-64.so.2\n' });
  const file = launcher.binaryPath(task, HOST);
  const out = h.runStep(task, 'main.js', h.agentEnv());
  assert.equal(out.status, 1);
  const log = parseAgentLog(out.stdout);
  const expected = `Could not start ${file}: spawn ${file} ENOENT. The file exists, so its program loader or a shared ` +
    'library is missing: a glibc binary cannot run in a musl (Alpine) container without a linux-x64-musl build.';
  assert.deepEqual(log.errors(), [expected]);
  assert.deepEqual(log.completions, [{ result: 'Failed', message: expected }]);
  assert.equal(log.outcome(out.status), 'Failed');
});

// A read-only task folder needs a read-only mount: root may chmod anything on a writable one.
function unshareWorks() {
  const probe = childProcess.spawnSync('unshare', ['--mount', '--map-root-user', 'true'], { timeout: 10000 });
  return probe.status === 0;
}

function runReadOnly(task, env, mountDir) {
  const script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" "$3"';
  const result = childProcess.spawnSync('unshare',
    ['--mount', '--map-root-user', 'sh', '-c', script, 'sh', mountDir, h.TASK_NODE, path.join(task, 'main.js')],
    { cwd: h.tempDir('cwd'), env, encoding: 'utf8', timeout: 30000, killSignal: 'SIGKILL', input: '' });
  if (result.error) throw result.error;
  return result;
}

test('read-only task folder: the binary is copied to AGENT_TEMPDIRECTORY, the copy runs and is removed', (t) => {
  if (!unshareWorks()) { t.skip('unshare --mount --map-root-user is not permitted here'); return; }
  const probe = probeDir();
  const task = h.makeTask({ [HOST]: h.standIn('echo ran') });
  const env = h.agentEnv({ FKV_PROBE_DIR: probe });
  const out = runReadOnly(task, env, path.dirname(task));
  assert.equal(out.status, 0, out.stderr + out.stdout);
  assert.match(out.stdout, /^ran$/m);
  const ran = h.readProbe(probe, 'argv0');
  assert.ok(ran.startsWith(path.join(env.AGENT_TEMPDIRECTORY, 'federated-keyvault-')), ran);
  assert.equal(path.basename(ran), 'federated-keyvault');
  assert.deepEqual(fs.readdirSync(env.AGENT_TEMPDIRECTORY), [], 'the copy is cleaned up');
  assert.equal(fs.statSync(launcher.binaryPath(task, HOST)).mode & 0o111, 0, 'the original is untouched');
});

test('read-only task folder and no writable temp directory: a clear error', (t) => {
  if (!unshareWorks()) { t.skip('unshare --mount --map-root-user is not permitted here'); return; }
  const task = h.makeTask({ [HOST]: h.standIn('echo ran') });
  const readOnlyTemp = path.join(path.dirname(task), 'temp');
  fs.mkdirSync(readOnlyTemp);
  const out = runReadOnly(task, h.agentEnv({ AGENT_TEMPDIRECTORY: readOnlyTemp }), path.dirname(task));
  assert.equal(out.status, 1);
  const log = parseAgentLog(out.stdout);
  assert.equal(log.completions.length, 1);
  assert.match(log.completions[0].message,
    /is not executable and could not be made executable \(chmod failed; copying it to .*temp failed too: .*\)\. Make the task folder writable/);
  assert.doesNotMatch(out.stdout, /^ran$/m);
});
