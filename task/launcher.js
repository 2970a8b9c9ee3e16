'use strict';
// The task's launcher: the agent's Node handler runs main.js (the step) or prejob.js (the "Pre-job:"
// step), and both come here. It decides whether this step runs (RunAsPreJob, as AzureKeyVault@2),
// picks the native binary bin/<key>/federated-keyvault[.exe] next to this file (binary-choice.js: on
// Linux the dynamic glibc build, or the fully static one for musl and old-glibc hosts), starts it and
// exits with its exit code (step-outcome.js). All the work, and every ##vso command about secrets, is the
// binary's.
//
// Contract (../shared/docs/agent-task-contract.md §1-§3, §5):
// - Plain JavaScript, no dependencies, ES2021 and Node 16 APIs only: an agent that cannot run node20
//   falls back to node16 on Linux.
// - The binary inherits the environment and stdio. Nothing goes on its argv (argv is world-readable; the
//   probe's argv is just `--version`), and the launcher writes nothing while the binary runs (two writers
//   could interleave long command lines); its own lines come before the start or after the exit.
// - A .vsix keeps no Unix permission bits, so the exec bit is restored here; if the task folder is
//   read-only the binary is copied to AGENT_TEMPDIRECTORY and the copy runs.
// - Failures the launcher detects itself end with an error issue and ##vso[task.complete result=Failed;]
//   plus a non-zero exit code; a binary killed by a signal is one of them.
// - Cancellation (SIGINT/SIGTERM from the agent) is forwarded and waited for, bounded: step-outcome.js.

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const choice = require('./binary-choice');
const outcome = require('./step-outcome');

const { BINARY_NAME, escapeCommandText } = outcome;

// Every bin/<key> folder a release may carry. The launcher runs whatever is present; this list only
// explains to users what exists.
const SUPPORTED_PLATFORMS = ['linux-x64', 'linux-arm64', 'linux-x64-static', 'win32-x64', 'darwin-x64', 'darwin-arm64'];

// `federated-keyvault --version` returns at once; a probe that takes longer counts as failed.
const PROBE_TIMEOUT_MS = 5000;

// A musl libc (Alpine containers) has no glibcVersionRuntime in the diagnostic report's header.
function isMuslReport(report) {
  const header = report && report.header;
  return !(header && header.glibcVersionRuntime);
}

// This host's diagnostic report, or null when Node has none.
function hostReport() {
  try {
    if (process.report) {
      process.report.excludeNetwork = true; // Node >= 20.13 would otherwise resolve host names
      return process.report.getReport();
    }
  } catch (error) {
    // No report facility.
  }
  return null;
}

function detectMusl() {
  const report = hostReport();
  return report === null ? false : isMuslReport(report); // no report: assume glibc, the common case
}

function platformKey(platform, arch, musl) {
  return `${platform}-${arch}${platform === 'linux' && musl ? '-static' : ''}`;
}

// The platform key of this host by its libc alone (scripts/package.sh uses it for the build's binary).
function hostPlatformKey() {
  return platformKey(process.platform, process.arch, process.platform === 'linux' && detectMusl());
}

function binaryFileName(key) {
  return key.startsWith('win32-') ? `${BINARY_NAME}.exe` : BINARY_NAME;
}

function binaryPath(taskDir, key) {
  return path.join(taskDir, 'bin', key, binaryFileName(key));
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch (error) {
    return false;
  }
}

// The bin/<key> folders of this package that hold a binary.
function packagedPlatforms(taskDir) {
  let entries = [];
  try {
    entries = fs.readdirSync(path.join(taskDir, 'bin'));
  } catch (error) {
    return [];
  }
  return entries.filter((key) => isFile(binaryPath(taskDir, key))).sort();
}

// task-lib getBoolInput: "true" in any case is true, anything else (or nothing) is false.
function readRunAsPreJob(env) {
  return String(env.INPUT_RUNASPREJOB || '').trim().toUpperCase() === 'TRUE';
}

function skipMessage(runAsPreJob) {
  return `Skipped according to the task's configuration. RunAsPreJob: ${runAsPreJob}`;
}

// step is 'main' or 'prejob'; the step whose phase RunAsPreJob names does the work.
function shouldRun(step, runAsPreJob) {
  return (step === 'prejob') === runAsPreJob;
}

// Synchronous writes to fd 1, so a message is out before process.exit and never interleaves.
function writeLines(lines) {
  const buffer = Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8');
  let offset = 0;
  for (let attempt = 0; offset < buffer.length && attempt < 1000; attempt++) {
    try {
      offset += fs.writeSync(1, buffer, offset, buffer.length - offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') return; // stdout gone: nothing else to do
    }
  }
}

function fail(message, exitCode) {
  writeLines(outcome.failureLines(message));
  process.exit(exitCode === undefined ? 1 : exitCode);
}

function debugLine(text) {
  return `##vso[task.debug]${escapeCommandText(`${BINARY_NAME}: ${text}`)}`;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch (error) {
    return false;
  }
}

// Returns { file, cleanup } for a binary that can be executed: the packaged one (exec bit restored) or,
// when the task folder cannot be changed, a private copy in the job's temp directory.
function ensureExecutable(file, env) {
  const none = () => {};
  if (process.platform === 'win32' || isExecutable(file)) return { file, cleanup: none };
  try {
    fs.chmodSync(file, 0o755);
    if (isExecutable(file)) return { file, cleanup: none };
  } catch (error) {
    // Read-only task folder (installed by another user, read-only mount): use a copy.
  }
  const tempRoot = env.AGENT_TEMPDIRECTORY || os.tmpdir();
  let dir;
  try {
    dir = fs.mkdtempSync(path.join(tempRoot, `${BINARY_NAME}-`));
    const copy = path.join(dir, path.basename(file));
    fs.copyFileSync(file, copy);
    fs.chmodSync(copy, 0o755);
    return { file: copy, cleanup: () => removeQuietly(dir) };
  } catch (error) {
    if (dir) removeQuietly(dir);
    throw new Error(`${file} is not executable and could not be made executable (chmod failed; copying it to ` +
      `${tempRoot} failed too: ${error.message}). Make the task folder writable by the agent's user or set ` +
      'AGENT_TEMPDIRECTORY to a writable directory.');
  }
}

function removeQuietly(dir) {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    // Best effort: the agent empties its temp directory at the start of every job.
  }
}

function startFailureMessage(file, error) {
  let hint = '';
  if (error.code === 'ENOENT') {
    hint = ' The file exists, so its program loader or a shared library is missing: a glibc binary cannot run in a ' +
      'musl (Alpine) container without a linux-x64-static build.';
  } else if (error.code === 'EACCES' || error.code === 'EPERM') {
    hint = ' The file system may be mounted noexec; point AGENT_TEMPDIRECTORY at an executable location.';
  }
  return `Could not start ${file}: ${error.message}.${hint}`;
}

// The error for an exit code 127 (the loader's) of a dynamic Linux build; null where 127 means nothing.
function loaderHint(platform, key, packaged) {
  if (platform !== 'linux' || key.endsWith('-static')) return null;
  const fallback = `${key}-static`;
  const missing = packaged.includes(fallback) ? '' : ` This package has no ${fallback} build (fully static) to run instead.`;
  return `${BINARY_NAME} exited with code 127: the system's program loader could not start the ${key} build (its ` +
    `message is above). That build needs glibc ${choice.DYNAMIC_GLIBC_BASELINE} or later and libgcc_s.so.1.${missing}`;
}

function noBinaryMessage(taskDir, wanted, packaged) {
  return `${BINARY_NAME} has no binary for this agent's platform (${wanted}): ${binaryPath(taskDir, wanted)} does not ` +
    `exist. This package contains: ${packaged.length ? packaged.join(', ') : 'no binaries'}. Platforms ` +
    `${BINARY_NAME} is built for: ${SUPPORTED_PLATFORMS.join(', ')}. Run the job on one of them (for a job ` +
    'container, use an image of a supported platform).';
}

// Makes bin/<key> executable or fails the step.
function executableOrFail(taskDir, key, env) {
  try {
    return ensureExecutable(binaryPath(taskDir, key), env);
  } catch (error) {
    return fail(error.message);
  }
}

// Picks the binary (binary-choice.js), probing the dynamic Linux build when a static one could stand in.
// Returns { key, reason, warning, executable, notUsed } (notUsed: why a probed build was passed over).
function chooseBinary(taskDir, env, options) {
  const packaged = packagedPlatforms(taskDir);
  const linux = process.platform === 'linux';
  const report = 'report' in options ? options.report : (linux ? hostReport() : null);
  const selection = choice.selectBinary({
    platform: process.platform, arch: process.arch, libc: choice.libcOfReport(report), packaged,
  });
  if (selection.action === 'none') fail(noBinaryMessage(taskDir, selection.wanted, packaged));
  if (selection.action === 'run') {
    return { ...selection, packaged, executable: executableOrFail(taskDir, selection.key, env), notUsed: null };
  }
  // 'probe': nothing but --version on argv, stdio piped (the loader's message is read, not shown), bounded.
  const probed = executableOrFail(taskDir, selection.key, env);
  const result = childProcess.spawnSync(probed.file, ['--version'], {
    env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL',
    windowsHide: true,
  });
  const verdict = choice.judgeProbe(result);
  const pick = choice.afterProbe(selection, verdict);
  if (pick.key === selection.key) return { ...pick, packaged, executable: probed, notUsed: null };
  probed.cleanup();
  return {
    ...pick, packaged, executable: executableOrFail(taskDir, pick.key, env),
    notUsed: `The ${selection.key} build was not used: ${verdict.reason}.`,
  };
}

// Runs one step. step: 'main' (task.json "execution") or 'prejob' ("prejobexecution").
// options (tests only; the steps pass none): taskDir; report, a diagnostic report to decide on instead
// of this host's (null: as if Node had none); cancelGraceMs instead of CANCEL_GRACE_MS.
function run(step, options) {
  const opts = options || {};
  const taskDir = opts.taskDir || __dirname;
  const graceMs = opts.cancelGraceMs === undefined ? outcome.CANCEL_GRACE_MS : opts.cancelGraceMs;
  const env = process.env;

  const runAsPreJob = readRunAsPreJob(env);
  if (!shouldRun(step, runAsPreJob)) {
    writeLines([`##vso[task.complete result=Skipped;]${escapeCommandText(skipMessage(runAsPreJob))}`]);
    process.exit(0);
  }

  // Installed before the probe: a signal that arrives during it is delivered once the binary has
  // started, and forwarded to it.
  const cancel = { signal: null, child: null, timer: null, killedAfterGrace: false };
  const windows = process.platform === 'win32';
  const onSignal = (signal) => {
    if (!cancel.child) return;
    if (!windows) {
      try {
        cancel.child.kill(signal);
      } catch (error) {
        // Already gone.
      }
    }
    if (cancel.signal) return;
    cancel.signal = signal;
    cancel.timer = setTimeout(() => {
      cancel.killedAfterGrace = true;
      try {
        cancel.child.kill(windows ? 'SIGTERM' : 'SIGKILL');
      } catch (error) {
        // Already gone.
      }
    }, graceMs);
  };
  const signals = windows ? ['SIGINT', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);

  const chosen = chooseBinary(taskDir, env, opts);
  const { executable } = chosen;
  const before = [debugLine(`running ${executable.file} (${chosen.key}): ${chosen.reason}`)];
  if (chosen.warning) before.push(`##vso[task.logissue type=warning]${escapeCommandText(chosen.warning)}`);
  writeLines(before);

  const startFailed = (error) => {
    executable.cleanup();
    fail(`${startFailureMessage(executable.file, error)}${chosen.notUsed ? ` ${chosen.notUsed}` : ''}`);
  };
  let child;
  try {
    child = childProcess.spawn(executable.file, [], { stdio: 'inherit', env, windowsHide: true });
  } catch (error) {
    startFailed(error);
  }
  cancel.child = child;

  let finished = false;
  child.on('error', (error) => {
    // Once the binary runs (it has a pid), an 'error' is a failed kill(): its 'exit' still comes, and the
    // launcher must not write while the binary may be writing.
    if (finished || child.pid !== undefined) return;
    finished = true;
    if (cancel.timer) clearTimeout(cancel.timer);
    startFailed(error);
  });
  child.on('exit', (code, signal) => {
    if (finished) return;
    finished = true;
    if (cancel.timer) clearTimeout(cancel.timer);
    executable.cleanup();
    const result = outcome.stepOutcome({ code, signal }, {
      cancelSignal: cancel.signal, killedAfterGrace: cancel.killedAfterGrace, graceMs,
      signalNumber: os.constants.signals, loaderHint: loaderHint(process.platform, chosen.key, chosen.packaged),
    });
    if (result.lines.length) writeLines(result.lines);
    process.exit(result.exitCode);
  });
}

module.exports = {
  BINARY_NAME,
  SUPPORTED_PLATFORMS,
  PROBE_TIMEOUT_MS,
  escapeCommandText,
  isMuslReport,
  platformKey,
  hostPlatformKey,
  binaryFileName,
  binaryPath,
  packagedPlatforms,
  readRunAsPreJob,
  skipMessage,
  shouldRun,
  run,
};
