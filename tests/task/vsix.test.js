'use strict';
// scripts/package.sh end to end, in a private copy of the packaging inputs (the repository's task/bin and
// dist/ are not touched): the .vsix holds task.json, the launcher, every binary, the icons and the
// overview; the manifest and task versions agree; after extraction (no exec bits, as the agent extracts
// it) the task still runs. The binary is the real one when FKV_BINARY names a built file, else a stand-in.

const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const h = require('./harness');
const { parseAgentLog } = require('../support/agent-log');

const HOST = h.launcher.hostPlatformKey();
const PUBLISHER = 'test-publisher';
const realBinary = process.env.FKV_BINARY && fs.existsSync(process.env.FKV_BINARY) ? process.env.FKV_BINARY : null;

for (const tool of ['unzip', 'strip']) {
  if (childProcess.spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.log(`SKIP: ${tool} is not installed (scripts/setup.sh installs it)`);
    process.exit(77);
  }
}
if (!fs.existsSync(path.join(h.ROOT, 'node_modules', '.bin', 'tfx'))) {
  console.error('tfx-cli is not installed: run scripts/setup.sh (npm ci at the repository root)');
  process.exit(1);
}

// The files package.sh reads, copied; node_modules linked.
function stage() {
  const dir = h.tempDir('stage');
  for (const entry of ['task', 'images', 'vss-extension.json', 'overview.md', 'CMakeLists.txt', 'package.json', 'LICENSE']) {
    fs.cpSync(path.join(h.ROOT, entry), path.join(dir, entry), {
      recursive: true, filter: (src) => path.relative(path.join(h.ROOT, 'task'), src) !== 'bin',
    });
  }
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.copyFileSync(path.join(h.ROOT, 'scripts', 'package.sh'), path.join(dir, 'scripts', 'package.sh'));
  fs.chmodSync(path.join(dir, 'scripts', 'package.sh'), 0o755);
  fs.symlinkSync(path.join(h.ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function packageSh(dir, args, extraEnv = {}) {
  const env = { ...process.env };
  delete env.FKV_BUILD_DIR; // the stage has no build of its own
  delete env.FKV_PACKAGE_BUILD_DIR; // ... unless a test hands one over in extraEnv
  Object.assign(env, extraEnv);
  const result = childProcess.spawnSync(path.join(dir, 'scripts', 'package.sh'), args,
    { cwd: h.tempDir('cwd'), env, encoding: 'utf8', timeout: 180000, killSignal: 'SIGKILL' });
  if (result.error) throw result.error;
  return result;
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const taskVersion = (task) => `${task.version.Major}.${task.version.Minor}.${task.version.Patch}`;

function listFiles(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => entry.isDirectory()
    ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]).sort();
}

test('package.sh builds a .vsix that holds the whole task and runs after extraction', () => {
  const dir = stage();
  const binary = realBinary || path.join(h.tempDir('standin'), 'federated-keyvault');
  if (!realBinary) fs.writeFileSync(binary, h.standIn('echo "##vso[task.setvariable variable=fromVsix;issecret=true]$INPUT_KEYVAULTNAME"'));
  // A cross-built binary already in task/bin is packaged too.
  const crossBuilt = h.launcher.binaryPath(path.join(dir, 'task'), 'win32-x64');
  fs.mkdirSync(path.dirname(crossBuilt), { recursive: true });
  fs.writeFileSync(crossBuilt, 'MZ stand-in for a Windows build');

  const out = path.join(dir, 'dist');
  const run = packageSh(dir, ['--binary', binary, '--publisher', PUBLISHER, '--out', out]);
  assert.equal(run.status, 0, run.stdout + run.stderr);

  const version = taskVersion(readJson(path.join(dir, 'task', 'task.json')));
  const vsix = path.join(out, `${PUBLISHER}.federated-keyvault-${version}.vsix`);
  assert.ok(fs.existsSync(vsix), `${vsix} exists; package.sh said:\n${run.stdout}`);

  const extracted = h.tempDir('extracted');
  const unzip = childProcess.spawnSync('unzip', ['-q', vsix, '-d', extracted], { encoding: 'utf8', timeout: 60000 });
  assert.equal(unzip.status, 0, unzip.stderr);

  // Exactly the staged task folder (with its binaries), plus the extension's own files.
  const stagedTask = listFiles(path.join(dir, 'task'));
  assert.deepEqual(listFiles(path.join(extracted, 'task')), stagedTask);
  for (const file of ['task.json', 'main.js', 'prejob.js', 'launcher.js', 'icon.png', `bin/${HOST}/federated-keyvault`,
    'bin/win32-x64/federated-keyvault.exe']) {
    assert.ok(stagedTask.includes(file), `task/${file} is packaged`);
    assert.ok(fs.readFileSync(path.join(extracted, 'task', file)).equals(fs.readFileSync(path.join(dir, 'task', file))),
      `task/${file} is intact`);
  }
  for (const file of ['extension.vsixmanifest', 'extension.vsomanifest', '[Content_Types].xml', 'overview.md',
    'images/extension-icon.png']) {
    assert.ok(fs.existsSync(path.join(extracted, file)), `${file} is in the .vsix`);
  }

  // Versions agree; the publisher is the one asked for.
  const vsixManifest = fs.readFileSync(path.join(extracted, 'extension.vsixmanifest'), 'utf8');
  const identity = vsixManifest.match(/<Identity [^>]*\/>/);
  assert.ok(identity, vsixManifest);
  for (const attribute of ['Id="federated-keyvault"', `Version="${version}"`, `Publisher="${PUBLISHER}"`]) {
    assert.ok(identity[0].includes(` ${attribute}`), `${identity[0]} has ${attribute}`);
  }
  assert.equal(taskVersion(readJson(path.join(extracted, 'task', 'task.json'))), readJson(path.join(dir, 'vss-extension.json')).version);

  // The packaged Linux binary is the stripped build (or the stand-in as given).
  const packaged = path.join(extracted, 'task', 'bin', HOST, 'federated-keyvault');
  if (realBinary) {
    assert.ok(fs.statSync(packaged).size <= fs.statSync(realBinary).size);
    const file = childProcess.spawnSync('file', ['-b', packaged], { encoding: 'utf8' });
    if (file.status === 0) assert.match(file.stdout, /ELF .*, stripped/);
  } else {
    assert.ok(fs.readFileSync(packaged).equals(fs.readFileSync(binary)));
  }

  // Extraction leaves no exec bit; the task must still run.
  assert.equal(fs.statSync(packaged).mode & 0o111, 0, 'zip entries carry no Unix permissions');
  const taskDir = path.join(extracted, 'task');
  const skipped = h.runStep(taskDir, 'prejob.js', h.agentEnv());
  assert.equal(skipped.stdout, "##vso[task.complete result=Skipped;]Skipped according to the task's configuration. RunAsPreJob: false\n");
  if (realBinary) {
    // No Azure here: an invalid vault name makes the real binary stop with its own error before any
    // network call. What matters is that it started: the errors are the binary's, not the launcher's.
    const step = h.runStep(taskDir, 'main.js', h.agentEnv({ INPUT_KEYVAULTNAME: 'not a vault name!' }));
    const log = parseAgentLog(step.stdout);
    assert.notEqual(step.status, 0, step.stdout + step.stderr);
    assert.equal(log.outcome(step.status), 'Failed');
    const messages = log.errors().concat(log.completions.map((c) => c.message));
    assert.ok(messages.some((m) => m.includes('KeyVaultName')), `the binary named the bad input:\n${step.stdout}\n${step.stderr}`);
    for (const message of messages) {
      assert.doesNotMatch(message, /^(Could not start|federated-keyvault has no binary|federated-keyvault was killed)/);
    }
  } else {
    const step = h.runStep(taskDir, 'main.js', h.agentEnv());
    assert.equal(step.status, 0, step.stderr);
    assert.deepEqual(parseAgentLog(step.stdout).variableTable(), { fromVsix: 'contoso-kv' });
  }
  assert.equal(fs.statSync(packaged).mode & 0o777, 0o755, 'the launcher restored the exec bit');
});

test('package.sh refuses to package when task.json and vss-extension.json disagree on the version', () => {
  const dir = stage();
  const manifestFile = path.join(dir, 'vss-extension.json');
  const manifest = readJson(manifestFile);
  const taskJson = readJson(path.join(dir, 'task', 'task.json'));
  manifest.version = '9.9.9';
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  const run = packageSh(dir, ['--binary', '/bin/true', '--out', path.join(dir, 'dist')]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, new RegExp(`versions disagree: task/task.json has ${taskVersion(taskJson).replace(/\./g, '\\.')}, vss-extension.json has 9\\.9\\.9`));
  assert.equal(fs.existsSync(path.join(dir, 'dist')), false, 'nothing was packaged');
});

test('package.sh --set-version writes one version everywhere', () => {
  const dir = stage();
  const run = packageSh(dir, ['--set-version', '1.4.7']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(taskVersion(readJson(path.join(dir, 'task', 'task.json'))), '1.4.7');
  assert.equal(readJson(path.join(dir, 'vss-extension.json')).version, '1.4.7');
  assert.match(fs.readFileSync(path.join(dir, 'CMakeLists.txt'), 'utf8'), /project\(federated_keyvault VERSION 1\.4\.7 /);
  assert.equal(packageSh(dir, ['--set-version', '1.4']).status, 1);
});

test('package.sh --set-publisher/--set-repository write package.json, the one place; the package gets the links', () => {
  const dir = stage();
  const url = 'https://dev.azure.com/contoso/tools/_git/federated-keyvault';
  const run = packageSh(dir, ['--set-publisher', 'contoso-tools', '--set-repository', url]);
  assert.equal(run.status, 0, run.stderr);
  const pkg = readJson(path.join(dir, 'package.json'));
  assert.equal(pkg.publisher, 'contoso-tools');
  assert.deepEqual(pkg.repository, { type: 'git', url });
  for (const bad of ['http://example.com/x', 'https://example.com/x/', 'https://example.com/x#y']) {
    const refused = packageSh(dir, ['--set-repository', bad]);
    assert.equal(refused.status, 1, bad);
    assert.match(refused.stderr, /--set-repository wants an https:\/\/ URL/);
  }
  assert.equal(readJson(path.join(dir, 'package.json')).repository.url, url, 'a refused URL changes nothing');

  // A release package from it: the publisher, the links and the helpUrl come from package.json.
  const out = path.join(dir, 'dist');
  const binary = path.join(h.tempDir('standin-release'), 'federated-keyvault');
  fs.writeFileSync(binary, h.standIn('exit 0'));
  const built = packageSh(dir, ['--release', '--binary', binary, '--out', out]);
  assert.equal(built.status, 0, built.stdout + built.stderr);
  assert.doesNotMatch(built.stdout, /local package/);
  const version = taskVersion(readJson(path.join(dir, 'task', 'task.json')));
  const extracted = h.tempDir('extracted-release');
  const unzip = childProcess.spawnSync('unzip', ['-q', path.join(out, `contoso-tools.federated-keyvault-${version}.vsix`), '-d', extracted],
    { encoding: 'utf8', timeout: 60000 });
  assert.equal(unzip.status, 0, unzip.stderr);
  const vsixManifest = fs.readFileSync(path.join(extracted, 'extension.vsixmanifest'), 'utf8');
  assert.match(vsixManifest, / Publisher="contoso-tools"/);
  for (const link of [`${url}#install`, `${url}/issues`, `${url}#license`]) assert.ok(vsixManifest.includes(link), `${link} in\n${vsixManifest}`);
  assert.ok(fs.existsSync(path.join(extracted, 'LICENSE')), 'the licence is packaged');
  assert.equal(readJson(path.join(extracted, 'task', 'task.json')).helpUrl, `${url}#readme`);
  // The task alone, for tfx build tasks upload --task-path: the same task folder as in the .vsix.
  assert.deepEqual(listFiles(path.join(out, 'task')), listFiles(path.join(extracted, 'task')));
  assert.equal(readJson(path.join(out, 'task', 'task.json')).helpUrl, `${url}#readme`);
  assert.equal(fs.existsSync(path.join(out, 'stage')), false, 'the staging folder is removed');
});

test('package.sh --release refuses placeholders; a local package builds with them, says so and links to nothing', () => {
  const dir = stage();
  const binary = path.join(h.tempDir('standin-local'), 'federated-keyvault');
  fs.writeFileSync(binary, h.standIn('exit 0'));
  const out = path.join(dir, 'dist');
  const refused = packageSh(dir, ['--release', '--binary', binary, '--out', out]);
  assert.equal(refused.status, 1);
  assert.equal(refused.stderr, "package: --release refuses placeholders: publisher 'your-publisher-id' project URL " +
    'https://github.com/your-org/federated-keyvault. Set the real ones in package.json (scripts/package.sh --set-publisher ID ' +
    '--set-repository URL) or pass --publisher/--repository.\n');
  assert.equal(fs.existsSync(out), false, 'nothing was packaged');

  // The publisher given, the URL still the placeholder: refused, and a binary naming the placeholder too.
  const url = 'https://github.com/contoso/federated-keyvault';
  fs.writeFileSync(binary, h.standIn('echo https://github.com/your-org/federated-keyvault/issues'));
  const stale = packageSh(dir, ['--release', '--publisher', 'contoso', '--repository', url, '--binary', binary, '--out', out]);
  assert.equal(stale.status, 1, stale.stdout);
  assert.match(stale.stderr, new RegExp(`these packaged files still name one \\(rebuild the binaries after setting package\\.json\\): ` +
    `\\./task/bin/${HOST}/federated-keyvault\\n$`));

  fs.writeFileSync(binary, h.standIn('exit 0'));
  const local = packageSh(dir, ['--binary', binary, '--out', out]);
  assert.equal(local.status, 0, local.stdout + local.stderr);
  assert.match(local.stdout, /^package: a local package, not for publishing: it has the placeholder publisher 'your-publisher-id' project URL https:\/\/github\.com\/your-org\/federated-keyvault, so the Marketplace links and the task's helpUrl are left out$/m);
  const version = taskVersion(readJson(path.join(dir, 'task', 'task.json')));
  const extracted = h.tempDir('extracted-local');
  const unzip = childProcess.spawnSync('unzip', ['-q', path.join(out, `your-publisher-id.federated-keyvault-${version}.vsix`), '-d', extracted],
    { encoding: 'utf8', timeout: 60000 });
  assert.equal(unzip.status, 0, unzip.stderr);
  for (const file of listFiles(extracted).filter((f) => !f.startsWith('task/bin/') && !f.endsWith('.png'))) {
    assert.doesNotMatch(fs.readFileSync(path.join(extracted, file), 'utf8'), /your-org/, `${file} links to no placeholder`);
  }
});

test('package.sh refuses an unknown bin/ folder and a package without binaries', () => {
  const dir = stage();
  fs.mkdirSync(path.join(dir, 'task', 'bin', 'linux-riscv64'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'task', 'bin', 'linux-riscv64', 'federated-keyvault'), 'x');
  const unknown = packageSh(dir, ['--no-build', '--out', path.join(dir, 'dist')]);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /task\/bin\/linux-riscv64 is not a platform the launcher knows/);
  fs.rmSync(path.join(dir, 'task', 'bin'), { recursive: true });
  const empty = packageSh(dir, ['--no-build', '--out', path.join(dir, 'dist')]);
  assert.equal(empty.status, 1);
  assert.match(empty.stderr, /task\/bin holds no binary/);
});

// Issue 5: one .vsix holds every binary this machine builds (FKV_EXPECT_PLATFORMS, from CMake), taken
// from the test build (FKV_PACKAGE_BUILD_DIR) with --no-build, each stripped for its own format.
test('package.sh packages every platform this machine builds', { skip: !process.env.FKV_EXPECT_PLATFORMS && 'no build' }, () => {
  const expected = process.env.FKV_EXPECT_PLATFORMS.split(',').sort();
  const dir = stage();
  const out = path.join(dir, 'dist');
  const run = packageSh(dir, ['--no-build', '--publisher', PUBLISHER, '--out', out],
    { FKV_PACKAGE_BUILD_DIR: process.env.FKV_PACKAGE_BUILD_DIR });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const version = taskVersion(readJson(path.join(dir, 'task', 'task.json')));
  const vsix = path.join(out, `${PUBLISHER}.federated-keyvault-${version}.vsix`);
  assert.ok(fs.statSync(vsix).size < 25 * 1024 * 1024, 'the .vsix stays under 25 MB');
  const extracted = h.tempDir('extracted-all');
  const unzip = childProcess.spawnSync('unzip', ['-q', vsix, '-d', extracted], { encoding: 'utf8', timeout: 60000 });
  assert.equal(unzip.status, 0, unzip.stderr);
  const bin = path.join(extracted, 'task', 'bin');
  assert.deepEqual(fs.readdirSync(bin).sort(), expected);
  const formats = {
    'linux-x64': /ELF 64-bit LSB .*x86-64.*dynamically linked.*stripped/,
    'linux-x64-static': /ELF 64-bit LSB .*x86-64.*statically linked.*stripped/,
    'linux-arm64': /ELF 64-bit LSB .*ARM aarch64.*stripped/,
    'win32-x64': /PE32\+ executable .*x86-64/,
  };
  for (const key of expected) {
    const file = h.launcher.binaryPath(path.join(extracted, 'task'), key);
    const kind = childProcess.spawnSync('file', ['-b', file], { encoding: 'utf8' }).stdout;
    assert.match(kind, formats[key], `${key}: ${kind}`);
  }
});
