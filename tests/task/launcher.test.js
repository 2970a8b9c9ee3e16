'use strict';
// The launcher, run exactly as the agent runs a step (`node <taskdir>/main.js|prejob.js` from another
// working directory) with stand-in binaries, and its pure parts: which Linux build runs (the choice
// itself is tabled in binary-choice.test.js), the --version probe and its fallback to the static build,
// and cancellation (signals forwarded, waited for, the launcher's text only after the binary's). The step's stdout is read with the
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
  assert.equal(launcher.platformKey('linux', 'x64', true), 'linux-x64-static');
  assert.equal(launcher.platformKey('linux', 'arm64', false), 'linux-arm64');
  assert.equal(launcher.platformKey('win32', 'x64', false), 'win32-x64');
  assert.equal(launcher.platformKey('darwin', 'arm64', true), 'darwin-arm64'); // musl only means something on Linux
  assert.equal(launcher.binaryFileName('win32-x64'), 'federated-keyvault.exe');
  assert.equal(launcher.binaryFileName('linux-arm64'), 'federated-keyvault');
  assert.deepEqual(launcher.SUPPORTED_PLATFORMS,
    ['linux-x64', 'linux-arm64', 'linux-x64-static', 'win32-x64', 'darwin-x64', 'darwin-arm64']);
});

test('musl is detected by the absence of glibcVersionRuntime in the report header', () => {
  assert.equal(launcher.isMuslReport({ header: { glibcVersionRuntime: '2.36', glibcVersionCompiler: '2.28' } }), false);
  assert.equal(launcher.isMuslReport({ header: { osName: 'Linux' } }), true);
  assert.equal(launcher.isMuslReport({}), true);
  // This machine is Debian (glibc).
  assert.equal(launcher.isMuslReport(process.report.getReport()), false);
  assert.ok(!HOST.endsWith('-static'));
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
  const message = "federated-keyvault was killed by signal SIGKILL, which the task never sends: most often the kernel's " +
    "out-of-memory killer or a container's memory limit ended it. Check the agent machine's kernel log (dmesg) and free " +
    'memory, then run the job again.';
  assert.deepEqual(log.errors(), [message]);
  assert.deepEqual(log.completions, [{ result: 'Failed', message }]);
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
  const message = 'federated-keyvault was killed by signal SIGTERM after the agent sent SIGTERM to the task (job cancelled ' +
    'or timed out). Variables it had not set yet are missing: if the job timed out, raise its timeoutInMinutes, then run ' +
    'it again.';
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
    'Platforms federated-keyvault is built for: linux-x64, linux-arm64, linux-x64-static, win32-x64, darwin-x64, ' +
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
    'library is missing: a glibc binary cannot run in a musl (Alpine) container without a linux-x64-static build.';
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

// ---- which Linux build runs: glibc baseline, the --version probe, the static fallback ----

const DYNAMIC = 'linux-x64';
const STATIC = 'linux-x64-static';
const linuxX64 = HOST === DYNAMIC;
const onLinuxX64 = linuxX64 ? {} : { skip: `the Linux x64 builds do not run on ${HOST}` };

// Stand-ins that record every call (its arguments, one line each) in $FKV_PROBE_DIR/<name>-calls.
function recordingStandIn(name, body) {
  return [
    '#!/bin/sh',
    `echo "$*" >> "$FKV_PROBE_DIR/${name}-calls"`,
    body,
    '',
  ].join('\n');
}
const dynamicStandIn = (body = 'echo "ran dynamic"') => recordingStandIn('dynamic',
  `if [ "$1" = --version ]; then echo "federated-keyvault 0.0.0-stand-in"; exit 0; fi\n${body}`);
const staticStandIn = (body = 'echo "ran static"') => recordingStandIn('static', body);

// What glibc's ld.so prints and returns when the host's glibc is too old: exit code 1 for a missing symbol
// version (127 is for a missing library; both checked with a real ld.so and a versioned library).
const OLD_GLIBC_LOADER = [
  '#!/bin/sh',
  // printf, so the shell takes neither the backquote nor the quote of "`GLIBC_2.34'" as syntax
  "printf '%s: /lib64/libc.so.6: version %sGLIBC_2.34%s not found (required by %s)\\n' \"$0\" '`' \"'\" \"$0\" >&2",
  'exit 1',
  '',
].join('\n');

function debugLines(log) {
  return log.debug.filter((line) => line.startsWith('federated-keyvault: running '));
}

test('glibc new enough: the dynamic build is probed with --version alone, passes and runs', onLinuxX64, () => {
  const probe = probeDir();
  const task = h.makeTask({ [DYNAMIC]: dynamicStandIn(), [STATIC]: staticStandIn() });
  const out = h.runStep(task, 'main.js', h.agentEnv({ FKV_PROBE_DIR: probe }));
  assert.equal(out.status, 0, out.stderr);
  assert.equal(h.readProbe(probe, 'dynamic-calls'), '--version\n\n', 'one probe with --version only, then the run');
  assert.equal(h.readProbe(probe, 'static-calls'), null, 'the static build did not run');
  const log = parseAgentLog(out.stdout);
  assert.deepEqual(log.text, ['ran dynamic'], 'the probe\'s output is not shown');
  const [line] = debugLines(log);
  assert.match(line, /^federated-keyvault: running .*\/bin\/linux-x64\/federated-keyvault \(linux-x64\): glibc 2\.\d+; the linux-x64 build answered --version$/);
});

for (const [name, dynamic, reason] of [
  ['its glibc is too old (the loader\'s GLIBC_ version message)', OLD_GLIBC_LOADER,
    /the linux-x64 build cannot run on this host: the program loader could not start it \(exit code 1\): .*version `GLIBC_2\.34' not found/],
  ['its program interpreter is missing (spawn ENOENT, as on musl)', '#!/nonexistent/ld-linux-x86-64.so.2\n',
    /the linux-x64 build cannot run on this host: its program loader is missing \(spawnSync .* ENOENT\)/],
  ['it exits 127 like the loader for a missing library', recordingStandIn('dynamic',
    'echo "$0: error while loading shared libraries: libgcc_s.so.1: cannot open shared object file: No such file or directory" >&2; exit 127'),
  /the program loader could not start it \(exit code 127\): .*error while loading shared libraries: libgcc_s\.so\.1/],
]) {
  test(`the dynamic build fails to load because ${name}: the static build runs`, onLinuxX64, () => {
    const probe = probeDir();
    const task = h.makeTask({ [DYNAMIC]: dynamic, [STATIC]: staticStandIn() });
    const out = h.runStep(task, 'main.js', h.agentEnv({ FKV_PROBE_DIR: probe }));
    assert.equal(out.status, 0, out.stderr);
    assert.equal(h.readProbe(probe, 'static-calls'), '\n', 'the static build ran once, without arguments');
    assert.equal(out.stderr, '', 'the loader\'s message of the probe is read, not shown');
    const log = parseAgentLog(out.stdout);
    assert.deepEqual(log.text, ['ran static']);
    assert.deepEqual(log.failures, []);
    const [line] = debugLines(log);
    assert.match(line, /^federated-keyvault: running .*\/bin\/linux-x64-static\/federated-keyvault \(linux-x64-static\): /);
    assert.match(line, reason);
  });
}

test('a real ELF the loader refuses (a shared library it needs is not installed): the static build runs', onLinuxX64, (t) => {
  const elf = process.env.FKV_LOADER_FAILURE_BIN;
  if (!elf || !fs.existsSync(elf)) { t.skip('FKV_LOADER_FAILURE_BIN (target fkv-loader-failure) is not built'); return; }
  // It really does not start: the loader's own message and exit code.
  const direct = childProcess.spawnSync(elf, ['--version'], { encoding: 'utf8', timeout: 10000 });
  assert.equal(direct.status, 127);
  assert.match(direct.stderr, /error while loading shared libraries: libfkv_task_gone\.so/);
  const probe = probeDir();
  const task = h.makeTask({ [DYNAMIC]: fs.readFileSync(elf), [STATIC]: staticStandIn() });
  const out = h.runStep(task, 'main.js', h.agentEnv({ FKV_PROBE_DIR: probe }));
  assert.equal(out.status, 0, out.stderr);
  assert.equal(h.readProbe(probe, 'static-calls'), '\n');
  const [line] = debugLines(parseAgentLog(out.stdout));
  assert.match(line, /\(linux-x64-static\): the linux-x64 build cannot run on this host: the program loader could not start it \(exit code 127\): .*libfkv_task_gone\.so: cannot open shared object file/);
});

test('both builds fail: one error naming why each was not run', onLinuxX64, () => {
  const task = h.makeTask({ [DYNAMIC]: OLD_GLIBC_LOADER, [STATIC]: '#!/nonexistent/interpreter\n' });
  const out = h.runStep(task, 'main.js', h.agentEnv({ FKV_PROBE_DIR: probeDir() }));
  assert.equal(out.status, 1);
  const log = parseAgentLog(out.stdout);
  const file = launcher.binaryPath(task, STATIC);
  assert.equal(log.errors().length, 1);
  assert.match(log.errors()[0], new RegExp(`^Could not start ${file}: spawn ${file} ENOENT\\. .* The linux-x64 build was not ` +
    "used: the program loader could not start it \\(exit code 1\\): .*GLIBC_2\\.34' not found"));
  assert.deepEqual(log.completions, [{ result: 'Failed', message: log.errors()[0] }]);
  assert.equal(log.outcome(out.status), 'Failed');
});

test('an old glibc (synthetic report: 2.28, as RHEL 8) runs the static build without probing the dynamic one', onLinuxX64, () => {
  const probe = probeDir();
  const task = h.makeTask({ [DYNAMIC]: dynamicStandIn(), [STATIC]: staticStandIn() });
  const report = { header: { glibcVersionRuntime: '2.28' } };
  const out = h.runLauncher(task, 'main', { report }, h.agentEnv({ FKV_PROBE_DIR: probe }));
  assert.equal(out.status, 0, out.stderr);
  assert.equal(h.readProbe(probe, 'dynamic-calls'), null, 'the dynamic build was not even probed');
  assert.equal(h.readProbe(probe, 'static-calls'), '\n');
  const log = parseAgentLog(out.stdout);
  assert.deepEqual(log.text, ['ran static']);
  assert.match(debugLines(log)[0],
    /\(linux-x64-static\): this host's glibc 2\.28 is older than 2\.34, which the linux-x64 build needs$/);
});

test('a musl host (report without glibc) and no static build: the no-binary error names linux-x64-static', onLinuxX64, () => {
  const task = h.makeTask({ [DYNAMIC]: dynamicStandIn() });
  const out = h.runLauncher(task, 'main', { report: { header: { osName: 'Linux' } } }, h.agentEnv({ FKV_PROBE_DIR: probeDir() }));
  assert.equal(out.status, 1);
  const log = parseAgentLog(out.stdout);
  assert.equal(log.errors().length, 1);
  assert.match(log.errors()[0], new RegExp(`^federated-keyvault has no binary for this agent's platform \\(linux-x64-static\\): ` +
    `${launcher.binaryPath(task, STATIC)} does not exist\\. This package contains: linux-x64\\.`));
});

test('an old glibc and no static build: the dynamic one runs after a warning; the loader\'s 127 gets a hint', onLinuxX64, () => {
  const probe = probeDir();
  const loader = 'echo "$0: error while loading shared libraries: libgcc_s.so.1: cannot open shared object file" >&2; exit 127';
  const task = h.makeTask({ [DYNAMIC]: recordingStandIn('dynamic', loader) });
  const out = h.runLauncher(task, 'main', { report: { header: { glibcVersionRuntime: '2.17' } } }, h.agentEnv({ FKV_PROBE_DIR: probe }));
  assert.equal(out.status, 127);
  assert.equal(h.readProbe(probe, 'dynamic-calls'), '\n', 'run once, not probed (nothing to fall back to)');
  assert.match(out.stderr, /error while loading shared libraries/, 'the loader\'s own message reaches the log');
  const log = parseAgentLog(out.stdout);
  assert.deepEqual(log.issues.filter((i) => i.type === 'warning').map((i) => i.message), [
    "this host's glibc 2.17 is older than 2.34, which the linux-x64 build needs, and this package has no linux-x64-static " +
    'build (fully static) to run instead: the linux-x64 build will probably not start. Use a package that contains bin/linux-x64-static.',
  ]);
  const hint = "federated-keyvault exited with code 127: the system's program loader could not start the linux-x64 build " +
    '(its message is above). That build needs glibc 2.34 or later and libgcc_s.so.1. This package has no ' +
    'linux-x64-static build (fully static) to run instead.';
  assert.deepEqual(log.errors(), [hint]);
  assert.equal(log.outcome(out.status), 'Failed');
});

// ---- cancellation: forwarded, waited for, the launcher's text only after the binary's ----

const CHUNKS = 200; // at most 200 x 50 ms: every stand-in loop below is bounded

// Writes one long line in chunks, slowly; on the signal it finishes the line, writes a cancelled error and
// exits 1 (what the real binary does). It records the signal in $FKV_PROBE_DIR/signal.
const CANCELLABLE = h.standIn([
  'stop=""',
  'trap \'stop=TERM\' TERM',
  'trap \'stop=INT\' INT',
  'printf "LONG:"',
  'i=0',
  `while [ $i -lt ${CHUNKS} ] && [ -z "$stop" ]; do`,
  '  printf "chunk%03d-" $i',
  '  [ $i -eq 2 ] && touch "$FKV_PROBE_DIR/started"',
  '  sleep 0.05',
  '  i=$((i + 1))',
  'done',
  'printf "END\\n"',
  '[ -n "$stop" ] || exit 0',
  'printf "%s" "$stop" > "$FKV_PROBE_DIR/signal"',
  'echo "##vso[task.logissue type=error]federated-keyvault: cancelled"',
  'exit 1',
].join('\n'));

// Ignores SIGTERM and SIGINT and never ends its line (within the bound).
const STUBBORN = h.standIn([
  'trap "" TERM INT',
  'printf "PARTIAL:"',
  'i=0',
  `while [ $i -lt ${CHUNKS} ]; do`,
  '  printf "chunk%03d-" $i',
  '  [ $i -eq 2 ] && touch "$FKV_PROBE_DIR/started"',
  '  sleep 0.05',
  '  i=$((i + 1))',
  'done',
].join('\n'));

function assertWholeChunks(line, prefix, suffix) {
  const match = new RegExp(`^${prefix}((?:chunk\\d{3}-)+)${suffix}$`).exec(line);
  assert.ok(match, `a whole, unbroken line: ${JSON.stringify(line)}`);
  const numbers = match[1].split('-').filter(Boolean).map((chunk) => Number(chunk.slice(5)));
  numbers.forEach((n, index) => assert.equal(n, index, 'chunks in order, none lost'));
  assert.ok(numbers.length >= 3 && numbers.length < CHUNKS, 'the signal came mid-line');
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} is forwarded; the binary finishes its line and says it was cancelled; the launcher adds nothing`, async () => {
    const probe = probeDir();
    const task = h.makeTask({ [HOST]: CANCELLABLE });
    const step = h.startNode([path.join(task, 'main.js')], h.agentEnv({ FKV_PROBE_DIR: probe }));
    assert.ok(await h.waitForFile(path.join(probe, 'started')), 'stand-in did not start');
    step.child.kill(signal);
    const out = await step.ended;
    assert.equal(out.status, 1, out.stderr);
    assert.equal(h.readProbe(probe, 'signal'), signal.slice(3), 'the binary got the signal the agent sent');
    const lines = out.stdout.split('\n');
    assert.equal(lines.pop(), '', 'the output ends with a complete line');
    assert.match(lines[0], /^##vso\[task\.debug\]federated-keyvault: running /);
    assertWholeChunks(lines[1], 'LONG:', 'END');
    assert.deepEqual(lines.slice(2), ['##vso[task.logissue type=error]federated-keyvault: cancelled'],
      'the binary\'s cancelled line is the last line: the launcher wrote nothing after it');
    const log = parseAgentLog(out.stdout);
    assert.equal(log.outcome(out.status), 'Failed');
    assert.deepEqual(log.completions, []);
  });
}

test('a binary that ignores the signal is killed after the grace time; the launcher\'s text follows on a fresh line', async () => {
  const probe = probeDir();
  const task = h.makeTask({ [HOST]: STUBBORN });
  const step = h.startNode(h.launcherArgs(task, 'main', { cancelGraceMs: 300 }), h.agentEnv({ FKV_PROBE_DIR: probe }));
  assert.ok(await h.waitForFile(path.join(probe, 'started')), 'stand-in did not start');
  step.child.kill('SIGTERM');
  const out = await step.ended;
  assert.equal(out.status, 128 + 9, out.stderr);
  const lines = out.stdout.split('\n');
  assert.equal(lines.pop(), '');
  assert.match(lines[0], /^##vso\[task\.debug\]federated-keyvault: running /);
  assertWholeChunks(lines[1], 'PARTIAL:', '');
  const message = 'federated-keyvault did not stop within 0.3 s after the agent sent SIGTERM to the task (job cancelled ' +
    'or timed out), so it was killed. Variables it had not set yet are missing.';
  assert.deepEqual(lines.slice(2), [
    `##vso[task.logissue type=error]${launcher.escapeCommandText(message)}`,
    `##vso[task.complete result=Failed;]${launcher.escapeCommandText(message)}`,
  ]);
  assert.equal(parseAgentLog(out.stdout).outcome(out.status), 'Failed');
});
