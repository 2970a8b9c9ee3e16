'use strict';
// task/binary-choice.js: which packaged binary the launcher runs, from synthetic diagnostic reports and
// package contents, and how a `--version` probe of the dynamic Linux build is judged. Pure tables; the
// launcher running these choices with stand-in binaries is tests/task/launcher.test.js.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { TASK_DIR, ROOT } = require('./harness');

const choice = require(path.join(TASK_DIR, 'binary-choice.js'));

const glibc = (version) => ({ kind: 'glibc', version });
const MUSL = { kind: 'none' };
const UNKNOWN = { kind: 'unknown', why: 'Node gave no diagnostic report' };
const BOTH = ['linux-x64', 'linux-x64-static'];
const DYNAMIC = ['linux-x64'];
const STATIC = ['linux-x64-static'];

test('the glibc baseline is 2.34, and check-binaries.sh reads it from binary-choice.js instead of its own copy', () => {
  assert.equal(choice.DYNAMIC_GLIBC_BASELINE, '2.34');
  const script = fs.readFileSync(path.join(ROOT, 'tests', 'portability', 'check-binaries.sh'), 'utf8');
  assert.match(script, /max_glibc=\$\(node -p .*DYNAMIC_GLIBC_BASELINE.*task\/binary-choice\.js"\)/);
  assert.doesNotMatch(script, /max_glibc=[0-9]/);
});

test('versions are compared as numbers, not strings', () => {
  for (const [text, parsed] of [['2.34', [2, 34]], ['2.9', [2, 9]], [' 2.28 ', [2, 28]], ['2.35.1', [2, 35]],
    ['3.0', [3, 0]], ['2', null], ['', null], ['2.x', null], [undefined, null], [null, null]]) {
    assert.deepEqual(choice.parseVersion(text), parsed, `'${text}'`);
  }
  for (const [a, b, sign] of [['2.9', '2.34', -1], ['2.34', '2.34', 0], ['2.35', '2.34', 1], ['3.0', '2.34', 1],
    ['1.99', '2.34', -1]]) {
    assert.equal(Math.sign(choice.compareVersions(choice.parseVersion(a), choice.parseVersion(b))), sign, `${a} vs ${b}`);
  }
});

test('the libc comes from the report header: glibcVersionRuntime, none (musl) or unknown', () => {
  for (const [report, expected] of [
    [{ header: { glibcVersionRuntime: '2.28', glibcVersionCompiler: '2.28' } }, glibc('2.28')],
    [{ header: { glibcVersionRuntime: '2.36' } }, glibc('2.36')],
    [{ header: { osName: 'Linux' } }, MUSL], // Alpine: Node built against musl reports no glibc
    [{ header: { glibcVersionRuntime: '' } }, MUSL],
    [{}, MUSL],
    [null, UNKNOWN], // no process.report
    [{ header: { glibcVersionRuntime: 'unknown' } }, { kind: 'unknown', why: "glibc version 'unknown' cannot be read" }],
  ]) {
    assert.deepEqual(choice.libcOfReport(report), expected, JSON.stringify(report));
  }
  // This machine is Debian 12: glibc 2.36.
  const host = choice.libcOfReport(process.report.getReport());
  assert.equal(host.kind, 'glibc');
  assert.ok(choice.compareVersions(choice.parseVersion(host.version), [2, 34]) >= 0);
});

const OLD = (v) => `this host's glibc ${v} is older than 2.34, which the linux-x64 build needs`;

test('selectBinary: musl and old glibc run the static build; new or unknown glibc probe the dynamic one first', () => {
  for (const [name, input, expected] of [
    ['RHEL 8 (glibc 2.28)', { libc: glibc('2.28'), packaged: BOTH }, { action: 'run', key: 'linux-x64-static', reason: OLD('2.28') }],
    ['Debian 11 (glibc 2.31)', { libc: glibc('2.31'), packaged: BOTH }, { action: 'run', key: 'linux-x64-static', reason: OLD('2.31') }],
    ['glibc 2.33', { libc: glibc('2.33'), packaged: BOTH }, { action: 'run', key: 'linux-x64-static', reason: OLD('2.33') }],
    ['glibc 2.9 (older, though "2.9" > "2.34" as strings)', { libc: glibc('2.9'), packaged: BOTH },
      { action: 'run', key: 'linux-x64-static', reason: OLD('2.9') }],
    ['glibc 2.34 (the baseline)', { libc: glibc('2.34'), packaged: BOTH },
      { action: 'probe', key: 'linux-x64', fallback: 'linux-x64-static', reason: 'glibc 2.34' }],
    ['Ubuntu 22.04 (glibc 2.35)', { libc: glibc('2.35'), packaged: BOTH },
      { action: 'probe', key: 'linux-x64', fallback: 'linux-x64-static', reason: 'glibc 2.35' }],
    ['glibc 3.0', { libc: glibc('3.0'), packaged: BOTH },
      { action: 'probe', key: 'linux-x64', fallback: 'linux-x64-static', reason: 'glibc 3.0' }],
    ['glibc unknown', { libc: UNKNOWN, packaged: BOTH },
      { action: 'probe', key: 'linux-x64', fallback: 'linux-x64-static', reason: 'glibc version unknown: Node gave no diagnostic report' }],
    ['Alpine (musl)', { libc: MUSL, packaged: BOTH },
      { action: 'run', key: 'linux-x64-static', reason: 'this host has no glibc (musl libc, e.g. Alpine)' }],
    ['new glibc, only the dynamic build', { libc: glibc('2.36'), packaged: DYNAMIC },
      { action: 'run', key: 'linux-x64', reason: 'glibc 2.36; the only Linux build in this package' }],
    ['unknown glibc, only the dynamic build', { libc: UNKNOWN, packaged: DYNAMIC },
      { action: 'run', key: 'linux-x64', reason: 'glibc version unknown: Node gave no diagnostic report; the only Linux build in this package' }],
    ['new glibc, only the static build', { libc: glibc('2.36'), packaged: STATIC },
      { action: 'run', key: 'linux-x64-static', reason: 'glibc 2.36; this package has no linux-x64 build' }],
    ['old glibc, static build missing: dynamic with a warning', { libc: glibc('2.28'), packaged: DYNAMIC },
      { action: 'run', key: 'linux-x64', reason: `the only Linux build in this package (${OLD('2.28')})`,
        warning: `${OLD('2.28')}, and this package has no linux-x64-static build (fully static) to run instead: the ` +
          'linux-x64 build will probably not start. Use a package that contains bin/linux-x64-static.' }],
    ['old glibc, only the static build', { libc: glibc('2.28'), packaged: STATIC }, { action: 'run', key: 'linux-x64-static', reason: OLD('2.28') }],
    ['musl, only the dynamic build: it cannot start without glibc', { libc: MUSL, packaged: DYNAMIC }, { action: 'none', wanted: 'linux-x64-static' }],
    ['old glibc, nothing for Linux', { libc: glibc('2.28'), packaged: ['win32-x64'] }, { action: 'none', wanted: 'linux-x64-static' }],
    ['new glibc, nothing for Linux', { libc: glibc('2.36'), packaged: ['win32-x64', 'darwin-x64'] }, { action: 'none', wanted: 'linux-x64' }],
    ['arm64 never runs the x64 static build', { arch: 'arm64', libc: glibc('2.28'), packaged: BOTH }, { action: 'none', wanted: 'linux-arm64-static' }],
    ['arm64 with its own dynamic build', { arch: 'arm64', libc: glibc('2.36'), packaged: ['linux-arm64', ...BOTH] },
      { action: 'run', key: 'linux-arm64', reason: 'glibc 2.36; the only Linux build in this package' }],
    ['Windows x64', { platform: 'win32', libc: UNKNOWN, packaged: ['win32-x64', ...BOTH] }, { action: 'run', key: 'win32-x64', reason: 'the win32-x64 build' }],
    ['Windows arm64 runs x64 emulated', { platform: 'win32', arch: 'arm64', libc: UNKNOWN, packaged: ['win32-x64'] },
      { action: 'run', key: 'win32-x64', reason: "the win32-x64 build, run by the OS's win32-arm64 emulation" }],
    ['macOS arm64 runs x64 under Rosetta 2', { platform: 'darwin', arch: 'arm64', libc: UNKNOWN, packaged: ['darwin-x64'] },
      { action: 'run', key: 'darwin-x64', reason: "the darwin-x64 build, run by the OS's darwin-arm64 emulation" }],
    ['macOS arm64 prefers its own build', { platform: 'darwin', arch: 'arm64', libc: UNKNOWN, packaged: ['darwin-arm64', 'darwin-x64'] },
      { action: 'run', key: 'darwin-arm64', reason: 'the darwin-arm64 build' }],
    ['macOS x64 without a build', { platform: 'darwin', libc: UNKNOWN, packaged: BOTH }, { action: 'none', wanted: 'darwin-x64' }],
  ]) {
    const got = choice.selectBinary({ platform: 'linux', arch: 'x64', ...input });
    assert.deepEqual(got, expected, name);
  }
});

const GONE_LIB = '/t/bin/linux-x64/federated-keyvault: error while loading shared libraries: libgcc_s.so.1: ' +
  'cannot open shared object file: No such file or directory';
const OLD_GLIBC = "/t/bin/linux-x64/federated-keyvault: /lib64/libc.so.6: version `GLIBC_2.34' not found " +
  '(required by /t/bin/linux-x64/federated-keyvault)';

test('judgeProbe: only exit code 0 passes; loader failures are named as such', () => {
  for (const [name, result, expected] of [
    ['answers --version', { status: 0, signal: null, stdout: 'federated-keyvault 1.0.0\n', stderr: '' },
      { ok: true, loader: false, reason: 'answered --version' }],
    ['exit 0 with another text still passes', { status: 0, signal: null, stdout: 'fkv 2\n', stderr: '' },
      { ok: true, loader: false, reason: 'answered --version' }],
    ['a missing shared library (exit 127)', { status: 127, signal: null, stdout: '', stderr: `${GONE_LIB}\n` },
      { ok: false, loader: true, reason: `the program loader could not start it (exit code 127): ${GONE_LIB}` }],
    ['glibc too old (the loader exits 1)', { status: 1, signal: null, stdout: '', stderr: `${OLD_GLIBC}\n${OLD_GLIBC}\n` },
      { ok: false, loader: true, reason: `the program loader could not start it (exit code 1): ${OLD_GLIBC}` }],
    ['exit 127 without a message', { status: 127, signal: null, stdout: '', stderr: '' },
      { ok: false, loader: true, reason: 'the program loader could not start it (exit code 127)' }],
    ['no program interpreter (glibc binary on musl)', { error: Object.assign(new Error('spawnSync /t/fkv ENOENT'), { code: 'ENOENT' }) },
      { ok: false, loader: true, reason: 'its program loader is missing (spawnSync /t/fkv ENOENT)' }],
    ['hangs', { error: Object.assign(new Error('spawnSync /t/fkv ETIMEDOUT'), { code: 'ETIMEDOUT' }), status: null, signal: 'SIGKILL' },
      { ok: false, loader: false, reason: 'it did not answer --version in time' }],
    ['noexec mount', { error: Object.assign(new Error('spawnSync /t/fkv EACCES'), { code: 'EACCES' }) },
      { ok: false, loader: false, reason: 'it could not be started (spawnSync /t/fkv EACCES)' }],
    ['crashes', { status: null, signal: 'SIGSEGV', stdout: '', stderr: '' },
      { ok: false, loader: false, reason: '--version was killed by signal SIGSEGV' }],
    ['does not know --version', { status: 2, signal: null, stdout: '', stderr: '\nusage: federated-keyvault\n' },
      { ok: false, loader: false, reason: '--version exited with code 2: usage: federated-keyvault' }],
  ]) {
    assert.deepEqual(choice.judgeProbe(result), expected, name);
  }
  const long = choice.judgeProbe({ status: 127, signal: null, stdout: '', stderr: 'x'.repeat(1000) });
  assert.ok(long.reason.length < 400 && long.reason.endsWith('...'), 'the loader message is shortened');
});

test('afterProbe: a passed probe keeps the dynamic build, a failed one switches to the static build', () => {
  const selection = { action: 'probe', key: 'linux-x64', fallback: 'linux-x64-static', reason: 'glibc 2.36' };
  assert.deepEqual(choice.afterProbe(selection, { ok: true, loader: false, reason: 'answered --version' }),
    { key: 'linux-x64', reason: 'glibc 2.36; the linux-x64 build answered --version' });
  assert.deepEqual(choice.afterProbe(selection, { ok: false, loader: true, reason: 'the program loader could not start it (exit code 127)' }),
    { key: 'linux-x64-static', reason: 'the linux-x64 build cannot run on this host: the program loader could not start it (exit code 127)' });
});
