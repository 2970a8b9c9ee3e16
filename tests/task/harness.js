'use strict';
// Shared by the task tests: a private copy of the task folder with a chosen binary, the environment the
// agent gives a Node-handler step (agent-task-contract.md §1), and a runner that starts a step exactly as
// the agent does: `node <taskdir>/<target>` from another working directory, stdin closed.

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const TASK_DIR = path.join(ROOT, 'task');
const SHARED_DIR = process.env.FKV_SHARED_DIR || path.join(ROOT, 'tests', 'fixtures');
const launcher = require(path.join(TASK_DIR, 'launcher.js'));

// The Node that runs the task: FKV_TASK_NODE (e.g. Node 16, the oldest the agent may fall back to) or ours.
const TASK_NODE = process.env.FKV_TASK_NODE || process.execPath;

const CONNECTION_ID = '3f6b1a52-9d1e-4c1b-9a55-6c1f0e2d7b10';
const JOB_TOKEN = 'job-token-6c7e1f3b-never-on-argv';
const JOB_SECRET = 'job-secret-value-9f1d-never-on-argv';

const tempDirs = [];
function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fkv-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}
process.on('exit', () => {
  for (const dir of tempDirs) {
    try {
      fs.chmodSync(dir, 0o755);
      fs.rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      // best effort
    }
  }
});

// A copy of task/ without bin/, plus `binaries`: { '<platform key>': contents (string|Buffer) }, written
// with mode 0644 as a .vsix extraction leaves them. Returns the task folder.
function makeTask(binaries = {}, { from = TASK_DIR } = {}) {
  const dir = path.join(tempDir('task'), 'FederatedKeyVault_9b0824f4', '1.0.0');
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of fs.readdirSync(from)) {
    if (entry === 'bin') continue;
    fs.cpSync(path.join(from, entry), path.join(dir, entry), { recursive: true });
  }
  for (const [key, contents] of Object.entries(binaries)) {
    const file = launcher.binaryPath(dir, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, contents, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
  }
  return dir;
}

// A POSIX shell stand-in for the binary. It records what it was given in $FKV_PROBE_DIR and then runs `body`.
function standIn(body) {
  return [
    '#!/bin/sh',
    '# stand-in for federated-keyvault (test double)',
    'if [ -n "$FKV_PROBE_DIR" ]; then',
    '  printf "%s" "$0" > "$FKV_PROBE_DIR/argv0"',
    '  printf "%s" "$#" > "$FKV_PROBE_DIR/argc"',
    '  tr "\\0" " " < /proc/$$/cmdline > "$FKV_PROBE_DIR/cmdline" 2>/dev/null || true',
    '  tr "\\0" "\\n" < /proc/$$/environ > "$FKV_PROBE_DIR/env"',
    '  pwd > "$FKV_PROBE_DIR/cwd"',
    'fi',
    body,
    '',
  ].join('\n');
}

// The environment of a Node-handler step: the inputs, the service connection, the system connection and
// a job secret, as the agent exports them.
function agentEnv(overrides = {}) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME || '/root',
    TF_BUILD: 'True',
    AGENT_TEMPDIRECTORY: tempDir('agent-temp'),
    AGENT_VERSION: '4.266.2',
    SYSTEM_HOSTTYPE: 'build',
    INPUT_CONNECTEDSERVICENAME: CONNECTION_ID,
    INPUT_KEYVAULTNAME: 'contoso-kv',
    INPUT_SECRETSFILTER: '*',
    INPUT_RUNASPREJOB: 'false',
    [`ENDPOINT_AUTH_SCHEME_${CONNECTION_ID}`]: 'WorkloadIdentityFederation',
    [`ENDPOINT_AUTH_PARAMETER_${CONNECTION_ID}_SERVICEPRINCIPALID`]: '11111111-2222-3333-4444-555555555555',
    [`ENDPOINT_AUTH_PARAMETER_${CONNECTION_ID}_TENANTID`]: '66666666-7777-8888-9999-000000000000',
    ENDPOINT_URL_SYSTEMVSSCONNECTION: 'https://dev.azure.com/contoso/',
    ENDPOINT_AUTH_SCHEME_SYSTEMVSSCONNECTION: 'OAuth',
    ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: JOB_TOKEN,
    SECRET_MYJOBSECRET: JOB_SECRET,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

// Runs `node <taskDir>/<target>` from a fresh working directory, bounded in time.
function runStep(taskDir, target, env, { timeoutMs = 30000, cwd } = {}) {
  const result = childProcess.spawnSync(TASK_NODE, [path.join(taskDir, target)], {
    cwd: cwd || tempDir('cwd'),
    env,
    input: '',
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  if (result.error) throw result.error;
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

// argv for `node` that runs the launcher in <taskDir> as main.js/prejob.js do, but through
// run(step, options) with the test-only options of launcher.js (report, cancelGraceMs). They travel as
// JSON on argv: test data, never a secret.
function launcherArgs(taskDir, step, options) {
  return ['-e', 'require(process.argv[1]).run(process.argv[2], JSON.parse(process.argv[3]))',
    path.join(taskDir, 'launcher.js'), step, JSON.stringify(options)];
}

// runStep for launcherArgs: run(step, options) of the launcher in taskDir, bounded in time.
function runLauncher(taskDir, step, options, env, { timeoutMs = 30000, cwd } = {}) {
  const result = childProcess.spawnSync(TASK_NODE, launcherArgs(taskDir, step, options), {
    cwd: cwd || tempDir('cwd'), env, input: '', encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL',
  });
  if (result.error) throw result.error;
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

// Starts `node <args>` as the agent starts a step (stdin closed, stdout/stderr read) and returns
// { child, ended }: ended resolves to { status, signal, stdout, stderr } once it has exited and its
// output is closed, or to { status: 'timeout' } after timeoutMs (the process is then SIGKILLed).
function startNode(args, env, { timeoutMs = 30000 } = {}) {
  const child = childProcess.spawn(TASK_NODE, args, { cwd: tempDir('cwd'), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const ended = new Promise((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve({ status: 'timeout', stdout, stderr }); }, timeoutMs);
    child.on('close', (status, signal) => { clearTimeout(timer); resolve({ status, signal, stdout, stderr }); });
  });
  return { child, ended };
}

// Waits (bounded) until `file` exists; true when it does.
async function waitForFile(file, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  return fs.existsSync(file);
}

function readProbe(dir, name) {
  const file = path.join(dir, name);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
}

module.exports = {
  ROOT, TASK_DIR, SHARED_DIR, TASK_NODE, CONNECTION_ID, JOB_TOKEN, JOB_SECRET,
  launcher, tempDir, makeTask, standIn, agentEnv, runStep, readProbe, launcherArgs, runLauncher, startNode, waitForFile,
};
