'use strict';
// Which packaged binary the launcher runs: pure functions, no I/O (launcher.js does the I/O and the probe).
//
// Linux hosts can get one of two builds of the same code:
// - bin/linux-<arch>/         dynamic, against glibc: needs glibc >= DYNAMIC_GLIBC_BASELINE and libgcc_s;
// - bin/linux-<arch>-static/  fully static: needs nothing from the host (Alpine, RHEL 8, Debian 11, ...).
// The choice:
// 1. no glibc in the host's diagnostic report (musl, e.g. Alpine)      -> the static build;
// 2. glibc older than the baseline (RHEL 8 has 2.28, Debian 11 2.31)   -> the static build;
// 3. otherwise (glibc new enough, or its version unknown) the dynamic build, but when a static build is
//    packaged too, the dynamic one is first probed with `--version` (see judgeProbe) and any failure of
//    the probe (a loader error above all: a missing libgcc_s, a foreign libc) selects the static build.
// Whichever is missing from the package, the other is used when it can run; a dynamic build that cannot
// work on this host is still started (with a warning) when it is all there is, so the user sees the
// loader's own message.
//
// Two Linux binaries exist because the static build resolves host names through /etc/hosts and DNS only
// (it cannot load the host's NSS modules: native/src/platform/static_nss.cpp, portability.md §1), so
// hosts that can run the dynamic build keep getting it, and with it their own NSS configuration.

// The highest GLIBC_ symbol version the dynamic Linux build references. tests/portability/check-binaries.sh
// reads this constant from here and fails a build that needs more (objdump -T, highest GLIBC_x.y);
// native/src/platform/glibc_compat.cpp and native/CMakeLists.txt are what keep the build at this level.
const DYNAMIC_GLIBC_BASELINE = '2.34';

// Platforms that run another platform's binary through the OS's own emulation.
const EMULATED_FALLBACKS = { 'darwin-arm64': 'darwin-x64', 'win32-arm64': 'win32-x64' };

// "2.28" -> [2, 28]; anything that is not <digits>.<digits>[.<digits>...] -> null.
function parseVersion(text) {
  const match = /^(\d+)\.(\d+)(?:\.\d+)*$/.exec(String(text === undefined || text === null ? '' : text).trim());
  return match ? [Number(match[1]), Number(match[2])] : null;
}

// < 0, 0 or > 0 as version a is older than, equal to or newer than b (both from parseVersion).
function compareVersions(a, b) {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

// The host's C library from process.report.getReport() (null when Node has no report facility):
//   { kind: 'glibc', version: '2.28' }  glibcVersionRuntime is set and readable;
//   { kind: 'none' }                    a report without glibcVersionRuntime: musl (Alpine);
//   { kind: 'unknown', why }            no report, or a version that cannot be read.
function libcOfReport(report) {
  if (!report || typeof report !== 'object') return { kind: 'unknown', why: 'Node gave no diagnostic report' };
  const header = report.header || {};
  const runtime = header.glibcVersionRuntime;
  if (runtime === undefined || runtime === null || runtime === '') return { kind: 'none' };
  if (!parseVersion(runtime)) return { kind: 'unknown', why: `glibc version '${runtime}' cannot be read` };
  return { kind: 'glibc', version: String(runtime).trim() };
}

function linuxKeys(arch) {
  return { dynamic: `linux-${arch}`, static: `linux-${arch}-static` };
}

// Decides from the platform, the host's libc (libcOfReport) and the platform keys that have a packaged
// binary. Returns one of
//   { action: 'run', key, reason, warning? }           run bin/<key>; warning, if set, goes to the log;
//   { action: 'probe', key, fallback, reason }         probe bin/<key> with --version; if that fails, run
//                                                       bin/<fallback>;
//   { action: 'none', wanted }                         nothing packaged can run; wanted is the key looked for.
function selectBinary({ platform, arch, libc, packaged }) {
  const has = (key) => packaged.includes(key);
  if (platform !== 'linux') {
    const key = `${platform}-${arch}`;
    if (has(key)) return { action: 'run', key, reason: `the ${key} build` };
    const emulated = EMULATED_FALLBACKS[key];
    if (emulated && has(emulated)) {
      return { action: 'run', key: emulated, reason: `the ${emulated} build, run by the OS's ${key} emulation` };
    }
    return { action: 'none', wanted: key };
  }

  const keys = linuxKeys(arch);
  const baseline = DYNAMIC_GLIBC_BASELINE;
  if (libc.kind === 'none') {
    if (has(keys.static)) return { action: 'run', key: keys.static, reason: 'this host has no glibc (musl libc, e.g. Alpine)' };
    // A glibc binary cannot start without glibc's loader: not worth trying.
    return { action: 'none', wanted: keys.static };
  }
  if (libc.kind === 'glibc' && compareVersions(parseVersion(libc.version), parseVersion(baseline)) < 0) {
    const old = `this host's glibc ${libc.version} is older than ${baseline}, which the ${keys.dynamic} build needs`;
    if (has(keys.static)) return { action: 'run', key: keys.static, reason: old };
    if (has(keys.dynamic)) {
      return {
        action: 'run', key: keys.dynamic, reason: `the only Linux build in this package (${old})`,
        warning: `${old}, and this package has no ${keys.static} build (fully static) to run instead: the ` +
          `${keys.dynamic} build will probably not start. Use a package that contains bin/${keys.static}.`,
      };
    }
    return { action: 'none', wanted: keys.static };
  }

  const known = libc.kind === 'glibc' ? `glibc ${libc.version}` : `glibc version unknown: ${libc.why}`;
  if (has(keys.dynamic) && has(keys.static)) {
    return { action: 'probe', key: keys.dynamic, fallback: keys.static, reason: known };
  }
  if (has(keys.dynamic)) return { action: 'run', key: keys.dynamic, reason: `${known}; the only Linux build in this package` };
  if (has(keys.static)) return { action: 'run', key: keys.static, reason: `${known}; this package has no ${keys.dynamic} build` };
  return { action: 'none', wanted: keys.dynamic };
}

// What the program loader writes when it cannot start a dynamic binary.
// glibc's ld.so: "<file>: error while loading shared libraries: libgcc_s.so.1: cannot open shared object
// file: ..." (exit 127), "<file>: /lib64/libc.so.6: version `GLIBC_2.34' not found (required by <file>)".
const LOADER_MESSAGE = /error while loading shared libraries|`GLIBC_[0-9.]+' not found/;

// First line of the probe's stderr, shortened: the loader's message names files and versions, never data.
function firstLine(text) {
  const line = String(text || '').split(/\r?\n/).find((l) => l.trim() !== '') || '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

// The result of spawnSync(dynamic, ['--version']) -> { ok, loader, reason }. ok only for exit code 0
// (the binary prints "federated-keyvault <version>"; its text is not checked, so a changed format cannot
// silently push every host onto the static build). Every failure selects the static build; loader says
// whether it looks like the loader's (spawn ENOENT: no such interpreter, exit 127, or the loader's
// message), reason says what happened, for the debug line.
function judgeProbe(result) {
  const error = result && result.error;
  if (error) {
    if (error.code === 'ETIMEDOUT') return { ok: false, loader: false, reason: 'it did not answer --version in time' };
    if (error.code === 'ENOENT') {
      return { ok: false, loader: true, reason: `its program loader is missing (${error.message})` };
    }
    return { ok: false, loader: false, reason: `it could not be started (${error.message})` };
  }
  if (result.status === 0) return { ok: true, loader: false, reason: 'answered --version' };
  const stderr = firstLine(result.stderr);
  const said = stderr ? `: ${stderr}` : '';
  if (result.signal) return { ok: false, loader: false, reason: `--version was killed by signal ${result.signal}${said}` };
  if (result.status === 127 || LOADER_MESSAGE.test(String(result.stderr || ''))) {
    return { ok: false, loader: true, reason: `the program loader could not start it (exit code ${result.status})${said}` };
  }
  return { ok: false, loader: false, reason: `--version exited with code ${result.status}${said}` };
}

// The binary to run after a 'probe' selection and judgeProbe's verdict -> { key, reason }.
function afterProbe(selection, verdict) {
  if (verdict.ok) return { key: selection.key, reason: `${selection.reason}; the ${selection.key} build ${verdict.reason}` };
  return { key: selection.fallback, reason: `the ${selection.key} build cannot run on this host: ${verdict.reason}` };
}

module.exports = {
  DYNAMIC_GLIBC_BASELINE, EMULATED_FALLBACKS, parseVersion, compareVersions, libcOfReport, selectBinary, judgeProbe,
  afterProbe,
};
