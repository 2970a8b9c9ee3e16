'use strict';
// The task's launcher: the agent's Node handler runs main.js (the step) or prejob.js (the "Pre-job:"
// step), and both come here. It decides whether this step runs (RunAsPreJob, as AzureKeyVault@2),
// then starts the native binary bin/<platform>-<arch>/federated-keyvault[.exe] that sits next to this
// file and exits with its exit code. All the work, and every ##vso command about secrets, is the binary's.
//
// Contract (../shared/docs/agent-task-contract.md §1-§3, §5):
// - Plain JavaScript, no dependencies, ES2021 and Node 16 APIs only: an agent that cannot run node20
//   falls back to node16 on Linux.
// - The binary inherits the environment and stdio. Nothing goes on its argv (argv is world-readable), and
//   the launcher writes nothing while the binary runs (two writers could interleave long command lines).
// - A .vsix keeps no Unix permission bits, so the exec bit is restored here; if the task folder is
//   read-only the binary is copied to AGENT_TEMPDIRECTORY and the copy runs.
// - Failures the launcher detects itself end with an error issue and ##vso[task.complete result=Failed;]
//   plus a non-zero exit code; a binary killed by a signal is one of them.

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const BINARY_NAME = 'federated-keyvault';

// Every bin/<key> folder a release may carry. The launcher runs whatever is present; this list only
// explains to users what exists.
const SUPPORTED_PLATFORMS = ['linux-x64', 'linux-arm64', 'linux-x64-musl', 'win32-x64', 'darwin-x64', 'darwin-arm64'];

// Platforms that run another platform's binary through the OS's own emulation.
const EMULATED_FALLBACKS = { 'darwin-arm64': 'darwin-x64', 'win32-arm64': 'win32-x64' };

// Agent escaping for ##vso properties and data: '%' first, then CR, LF, ';' and ']'.
function escapeCommandText(text) {
  return String(text)
    .replace(/%/g, '%AZP25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(/;/g, '%3B')
    .replace(/]/g, '%5D');
}

// A musl libc (Alpine containers) has no glibcVersionRuntime in the diagnostic report's header.
function isMuslReport(report) {
  const header = report && report.header;
  return !(header && header.glibcVersionRuntime);
}

function detectMusl() {
  try {
    if (process.report) {
      process.report.excludeNetwork = true; // Node >= 20.13 would otherwise resolve host names
      return isMuslReport(process.report.getReport());
    }
  } catch (error) {
    // No report facility: assume glibc, the common case.
  }
  return false;
}

function platformKey(platform, arch, musl) {
  return `${platform}-${arch}${platform === 'linux' && musl ? '-musl' : ''}`;
}

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

// The binary for `key`, or for the platform it emulates; null when neither is packaged.
function resolveBinary(taskDir, key) {
  for (const candidate of [key, EMULATED_FALLBACKS[key]]) {
    if (candidate && isFile(binaryPath(taskDir, candidate))) {
      return { key: candidate, file: binaryPath(taskDir, candidate) };
    }
  }
  return null;
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
  writeLines([
    `##vso[task.logissue type=error]${escapeCommandText(message)}`,
    `##vso[task.complete result=Failed;]${escapeCommandText(message)}`,
  ]);
  process.exit(exitCode === undefined ? 1 : exitCode);
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
      'musl (Alpine) container without a linux-x64-musl build.';
  } else if (error.code === 'EACCES' || error.code === 'EPERM') {
    hint = ' The file system may be mounted noexec; point AGENT_TEMPDIRECTORY at an executable location.';
  }
  return `Could not start ${file}: ${error.message}.${hint}`;
}

// Runs one step. step: 'main' (task.json "execution") or 'prejob' ("prejobexecution").
function run(step, options) {
  const taskDir = (options && options.taskDir) || __dirname;
  const env = process.env;

  const runAsPreJob = readRunAsPreJob(env);
  if (!shouldRun(step, runAsPreJob)) {
    writeLines([`##vso[task.complete result=Skipped;]${escapeCommandText(skipMessage(runAsPreJob))}`]);
    process.exit(0);
  }

  const key = hostPlatformKey();
  const binary = resolveBinary(taskDir, key);
  if (binary === null) {
    const packaged = packagedPlatforms(taskDir);
    fail(`${BINARY_NAME} has no binary for this agent's platform (${key}): ${binaryPath(taskDir, key)} does not ` +
      `exist. This package contains: ${packaged.length ? packaged.join(', ') : 'no binaries'}. Platforms ` +
      `${BINARY_NAME} is built for: ${SUPPORTED_PLATFORMS.join(', ')}. Run the job on one of them (for a job ` +
      'container, use an image of a supported platform).');
  }

  let executable;
  try {
    executable = ensureExecutable(binary.file, env);
  } catch (error) {
    fail(error.message);
  }

  writeLines([`##vso[task.debug]${escapeCommandText(`${BINARY_NAME}: running ${executable.file} (${binary.key})`)}`]);

  let child;
  try {
    child = childProcess.spawn(executable.file, [], { stdio: 'inherit', env, windowsHide: true });
  } catch (error) {
    executable.cleanup();
    fail(startFailureMessage(executable.file, error));
  }

  // The agent stops a cancelled or timed-out step with SIGINT, then SIGTERM: pass them on so the binary
  // ends too instead of being orphaned, and report what happened once it has.
  let forwardedSignal = null;
  const forward = (signal) => {
    forwardedSignal = signal;
    try {
      child.kill(signal);
    } catch (error) {
      // Already gone.
    }
  };
  const signals = process.platform === 'win32' ? ['SIGINT', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);

  let finished = false;
  child.on('error', (error) => {
    if (finished) return;
    finished = true;
    executable.cleanup();
    fail(startFailureMessage(executable.file, error));
  });
  child.on('exit', (code, signal) => {
    if (finished) return;
    finished = true;
    executable.cleanup();
    if (signal) {
      const number = os.constants.signals[signal] || 0;
      const why = forwardedSignal ? ` after the agent sent ${forwardedSignal} to the task (job cancelled or timed out)` : '';
      fail(`${BINARY_NAME} was killed by signal ${signal}${why}.`, 128 + number);
    }
    process.exit(code === null ? 1 : code);
  });
}

module.exports = {
  BINARY_NAME,
  SUPPORTED_PLATFORMS,
  escapeCommandText,
  isMuslReport,
  platformKey,
  hostPlatformKey,
  binaryFileName,
  binaryPath,
  resolveBinary,
  packagedPlatforms,
  readRunAsPreJob,
  skipMessage,
  shouldRun,
  run,
};
