'use strict';
// Runs the native binary the way a pipeline step would, inside tests/e2e/ns-run against the Azure
// fake, and hands back what the agent would see: the exit code, stdout parsed with the agent's rules
// (tests/support/agent-log.js), stderr, and the fake's request log.
//
//   const run = runTask({ scenarioFile, env, binary, fake, wrapper: ['qemu-aarch64-static'] });
//   run.status, run.stdout, run.stderr, run.log (parseAgentLog), run.requests ([{method, host, target, token, ...}])
//   run.proxyLog: the lines of proxy.jsonl in the work dir (tests/proxy/connect-proxy.js), [] without
//   nsArgs: extra ns-run options, e.g. ['--unreachable', '--reachable', 'fkv-basic.vault.azure.net']
//
// Every run is bounded in time (timeoutMs, default 60 s) and uses its own namespace and work dir.
// The run's AGENT_TEMPDIRECTORY (a fresh folder, also its cwd) is removed afterwards; prepareTemp(dir) runs
// before the binary starts (e.g. to plant a symbolic link) and inspectTemp(dir) after it ended (e.g. to
// read the secret files it wrote); what inspectTemp returns is the result's `temp`.

const childProcess = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const assert = require('node:assert/strict');
const { after } = require('node:test');

const { parseAgentLog, findLeaks } = require('../support/agent-log');

const ROOT = path.resolve(__dirname, '..', '..');
const NS_RUN = path.join(__dirname, 'ns-run');

function readRequests(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

// Every regular file under `dir` (links are not followed), read after the run: [{ path, text }]. The leak
// scan reads each one that is not a secret file the run wrote on purpose (the summary above all).
function filesUnder(dir) {
  const files = [];
  const walk = (folder) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const where = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(where);
      else if (entry.isFile()) files.push({ path: where, text: fs.readFileSync(where).toString('utf8') });
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return files;
}

function runTask({ scenarioFile, env, binary, fake, wrapper = [], nsArgs = [], timeoutMs = 60000, prepareTemp,
  inspectTemp }) {
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fkv-e2e-'));
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'fkv-e2e-cwd-'));
  try {
    if (prepareTemp) prepareTemp(cwd);
    const started = Date.now();
    const result = childProcess.spawnSync(NS_RUN,
      ['--scenario', scenarioFile, '--workdir', workdir, '--fake', fake, ...nsArgs, '--', ...wrapper, binary],
      { cwd, env: { ...env, AGENT_TEMPDIRECTORY: cwd }, input: '', timeout: timeoutMs, killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw result.error;
    const stdout = result.stdout.toString('utf8');
    const stderr = result.stderr.toString('utf8');
    const temp = inspectTemp ? inspectTemp(cwd) : undefined;
    return {
      temp,
      files: filesUnder(cwd),
      tempDirectory: cwd,
      status: result.status,
      signal: result.signal,
      stdout,
      stderr,
      seconds: (Date.now() - started) / 1000,
      log: parseAgentLog(stdout),
      requests: readRequests(path.join(workdir, 'requests.jsonl')),
      proxyLog: readRequests(path.join(workdir, 'proxy.jsonl')),
      fakeLog: fs.existsSync(path.join(workdir, 'fake.log')) ? fs.readFileSync(path.join(workdir, 'fake.log'), 'utf8') : '',
      context() {
        return `exit ${result.status}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
      },
    };
  } finally {
    fs.rmSync(workdir, { recursive: true, force: true });
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

// The PID of the process running `exe` that descends from `ancestor`, by the host's /proc (where the
// processes in ns-run's PID namespace have host PIDs too).
function findDescendant(ancestor, exe) {
  const real = fs.realpathSync(exe);
  const parentOf = (pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch { return 0; }
  };
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let target;
    try { target = fs.readlinkSync(`/proc/${entry}/exe`); } catch { continue; }
    if (target !== real) continue;
    for (let pid = Number(entry), hops = 0; pid > 1 && hops < 16; pid = parentOf(pid), hops += 1) {
      if (pid === ancestor) return Number(entry);
    }
  }
  return 0;
}

// Starts the binary like runTask, but asynchronously, so a test can act while it runs (e.g. send it
// SIGTERM once some secrets were written: signal() finds the binary's process below ns-run; no shell
// wrapper, which would drop the agent's ENDPOINT_* variables whose names hold '-').
//   const task = startTask({...}); await task.waitForStdout((text) => ..., 20000); task.signal('SIGTERM');
//   const run = await task.done;   // same shape as runTask's result
// `command` (optional) runs instead of the binary, e.g. ['node', '<task>/main.js']; signal() then targets
// the process whose executable is command[0] (the launcher), which must pass the signal on.
function startTask({ scenarioFile, env, binary, fake, timeoutMs = 60000, command }) {
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fkv-e2e-'));
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'fkv-e2e-cwd-'));
  const started = Date.now();
  const child = childProcess.spawn(NS_RUN,
    ['--scenario', scenarioFile, '--workdir', workdir, '--fake', fake, '--', ...(command || [binary])],
    { cwd, env: { ...env, AGENT_TEMPDIRECTORY: cwd }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = [];
  const err = [];
  const waiters = [];
  const check = () => {
    const text = Buffer.concat(out).toString('utf8');
    for (const w of [...waiters]) {
      if (w.predicate(text)) {
        clearTimeout(w.timer);
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(text);
      }
    }
  };
  child.stdout.on('data', (chunk) => { out.push(chunk); check(); });
  child.stderr.on('data', (chunk) => err.push(chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise((resolve) => {
    child.on('close', (status, signal) => {
      clearTimeout(killer);
      for (const w of waiters) { clearTimeout(w.timer); w.reject(new Error('the task ended first')); }
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const result = {
        status, signal, stdout, stderr,
        files: filesUnder(cwd),
        seconds: (Date.now() - started) / 1000,
        log: parseAgentLog(stdout),
        requests: readRequests(path.join(workdir, 'requests.jsonl')),
        context() { return `exit ${status}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`; },
      };
      fs.rmSync(workdir, { recursive: true, force: true });
      fs.rmSync(cwd, { recursive: true, force: true });
      resolve(result);
    });
  });
  return {
    done,
    waitForStdout(predicate, ms) {
      return new Promise((resolve, reject) => {
        const w = { predicate, resolve, reject, timer: setTimeout(() => reject(new Error(`no such output within ${ms} ms`)), ms) };
        waiters.push(w);
        check();
      });
    },
    // The process to signal: the binary itself, or the command's program when that is not a wrapper of it.
    pid() { return findDescendant(child.pid, command && !command.includes(binary) ? command[0] : binary); },
    signal(name) {
      const pid = this.pid();
      if (!pid) throw new Error(`no running ${command ? command[0] : binary} below ns-run`);
      process.kill(pid, name);
    },
  };
}

// Every secret value of the scenario (at least `minLength` long), the job token, and every token the
// run registered with task.setsecret (OIDC and access tokens): none may appear in output outside the
// data of setsecret / setvariable issecret=true, nor in any file the run wrote (run.files: the run
// summary, anything else) but the secret files it set a path variable to. Returns the leaks (empty when
// clean).
// `extra`: more secret values to look for (e.g. a proxy password).
function leaks(run, scenario, { minLength = 6, extra = [] } = {}) {
  const values = [scenario.jobToken, ...extra];
  for (const vault of scenario.vaults || []) {
    for (const secret of vault.secrets || []) {
      const value = secret.valueBase64 ? Buffer.from(secret.valueBase64, 'base64').toString('utf8') : secret.value;
      values.push(value.repeat(secret.valueRepeat || 1));
      for (const older of secret.previousVersions || []) values.push(older.value);
    }
  }
  for (const registered of run.log.secrets) {
    if (registered.startsWith('eyJ') || registered.startsWith('fkvat.')) values.push(registered);
  }
  const found = findLeaks(run.stdout, values.filter((v) => v.length >= minLength), { minLength });
  // stderr is logged by the agent like stdout but never carries our commands: any value there leaks.
  const inStderr = values.filter((v) => v.length >= minLength && run.stderr.includes(v));
  // Tokens the run never registered would escape the scan above: look for their shapes too (JWTs and
  // the fake's access tokens) in everything the agent would show: plain lines, issues, results, stderr.
  const shown = [...run.log.text, ...run.log.issues.map((i) => i.message),
    ...run.log.completions.map((c) => c.message || ''), run.stderr];
  const shaped = shown.filter((text) => /eyJ[\w-]{8,}\.[\w-]+|fkvat\.[\w-]{8,}/.test(text));
  // The secret files are the ones a path variable names (the Windows binary under wine writes '\\' after
  // the temp directory: compare with '/').
  const slashes = (p) => p.replace(/\\/g, '/');
  const secretFiles = new Set();
  for (const entry of run.log.variables.values()) if (!entry.secret) secretFiles.add(slashes(entry.value));
  const inFiles = [];
  for (const file of run.files || []) {
    if (secretFiles.has(slashes(file.path))) continue;
    values.forEach((v, i) => {
      if (v.length >= minLength && file.text.includes(v)) inFiles.push(`file ${path.basename(file.path)} shows value #${i}`);
    });
    const tokens = file.text.match(/eyJ[\w-]{8,}\.[\w-]+|fkvat\.[\w-]{8,}/);
    if (tokens) inFiles.push(`file ${path.basename(file.path)} shows a token-shaped string: ${tokens[0].slice(0, 40)}...`);
  }
  return found.map((l) => `stdout line ${l.number} (${l.where}) shows value #${l.valueIndex}`)
    .concat(inFiles)
    .concat(inStderr.map((v) => `stderr shows a value of length ${v.length}`))
    .concat(shaped.map((text) => `a token-shaped string is shown: ${text.slice(0, 40)}...`));
}

// What every suite takes from its environment: FKV_BINARY and FKV_FAKE_BIN (required: existing files) and
// FKV_BINARY_WRAPPER (optional: a command line the binary runs under, split at spaces).
function suiteEnv() {
  const binary = process.env.FKV_BINARY;
  const fake = process.env.FKV_FAKE_BIN;
  const wrapper = (process.env.FKV_BINARY_WRAPPER || '').split(' ').filter(Boolean);
  for (const [name, file] of [['FKV_BINARY', binary], ['FKV_FAKE_BIN', fake]]) {
    if (!file || !fs.existsSync(file)) throw new Error(`${name} must name an existing file (got '${file}')`);
  }
  return { binary, fake, wrapper };
}

// A fresh folder for the suite's scenario files (fkv-<name>-XXXXXX), removed once the suite has run.
function scenarioFolder(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fkv-${name}-`));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Writes `scenario` as JSON (indented by one space, the fake does not care) to dir/file; returns the path.
function writeScenario(dir, scenario, file = 'scenario.json') {
  const where = path.join(dir, file);
  fs.writeFileSync(where, JSON.stringify(scenario, null, 1));
  return where;
}

// The checks every run gets: the leak scan (leaks(), with its options) finds nothing, and the agent
// rejects none of the run's ##vso commands.
function assertClean(run, scenario, options) {
  assert.deepEqual(leaks(run, scenario, options), [], `leak scan\n${run.context()}`);
  assert.deepEqual(run.log.failures, [], `the agent rejects no command\n${run.context()}`);
}

module.exports = {
  ROOT, NS_RUN, runTask, startTask, leaks, readRequests, suiteEnv, scenarioFolder, writeScenario, assertClean,
};
