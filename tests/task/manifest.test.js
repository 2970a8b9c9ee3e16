'use strict';
// The manifests and the launcher's source, checked statically:
// - task/task.json validates against the official tasks.schema.json (draft-04) and passes tfx's own task
//   checks; inputs are those of AzureKeyVault@2; Node20_1 + Node24 handlers for main and pre-job steps,
//   every target present; minimumAgentVersion as the handlers need (agent-task-contract.md §2, §4, §5).
// - vss-extension.json is a task extension tfx accepts, and its version is task.json's (and CMake's);
//   its repository and links and task.json's helpUrl point at README sections that exist.
// - The launcher (every task/*.js) parses as ES2021, requires only Node built-ins and its own modules,
//   and calls no API newer than Node 16.
// - The icons are the PNGs scripts/make-icons.js draws, at the sizes the Marketplace and the agent use.

const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const { builtinModules } = require('node:module');
const path = require('node:path');
const { test } = require('node:test');

const { ROOT, TASK_DIR, SHARED_DIR } = require('./harness');

function requireDev(name) {
  try {
    return require(require.resolve(name, { paths: [ROOT] }));
  } catch (error) {
    throw new Error(`${name} is missing: run scripts/setup.sh (npm ci at the repository root). ${error.message}`);
  }
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const task = readJson(path.join(TASK_DIR, 'task.json'));
const manifest = readJson(path.join(ROOT, 'vss-extension.json'));
const HANDLER_SECTIONS = ['execution', 'prejobexecution', 'postjobexecution'];

test('task.json validates against the official tasks.schema.json (draft-04)', () => {
  const Ajv = requireDev('ajv-draft-04');
  const schemaFile = path.join(SHARED_DIR, 'schemas', 'tasks.schema.json');
  assert.ok(fs.existsSync(schemaFile), `${schemaFile} is missing (tests/fixtures holds a copy of the official schema)`);
  const schema = readJson(schemaFile);
  delete schema.id; // a remote URL; validate locally
  const ajv = new Ajv({ unicodeRegExp: false, strict: false, allErrors: true });
  const validate = ajv.compile(schema);
  assert.ok(validate(task), JSON.stringify(validate.errors, null, 2));
  // The validator is live: a broken copy must fail.
  assert.equal(validate({ ...task, name: 'Federated_KeyVault', execution: { Process: { target: 'x' } } }), false);
});

test('task.json passes the checks tfx makes when packaging', () => {
  assert.match(task.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(task.id, '9b0824f4-71d9-4890-818e-bea46cec0d3d', 'the task id never changes');
  assert.equal(task.name, 'FederatedKeyVault');
  assert.match(task.name, /^[A-Za-z0-9-]+$/);
  assert.ok(task.friendlyName.length >= 1 && task.friendlyName.length <= 40);
  assert.equal(task.instanceNameFormat, 'Azure Key Vault: $(KeyVaultName)');
  assert.equal(task.category, 'Deploy');
  assert.deepEqual(task.visibility, ['Build', 'Release']);
  for (const key of ['Major', 'Minor', 'Patch']) assert.equal(typeof task.version[key], 'number');
});

test('inputs are AzureKeyVault@2\'s, so switching is a rename; our own inputs are optional, under Advanced', () => {
  const ours = task.inputs.filter((input) => input.groupName === 'advanced');
  assert.deepEqual(ours.map(({ name, type, defaultValue, required }) => ({ name, type, defaultValue, required })), [
    { name: 'TimeoutSeconds', type: 'string', defaultValue: '300', required: false },
    { name: 'VariablePrefix', type: 'string', defaultValue: '', required: false },
    { name: 'OutputVariables', type: 'boolean', defaultValue: false, required: false },
    { name: 'CertificatePassword', type: 'string', defaultValue: '', required: false },
    { name: 'MissingSecrets', type: 'pickList', defaultValue: 'fail', required: false },
    { name: 'Mode', type: 'pickList', defaultValue: 'download', required: false },
    { name: 'ExpiryWarningDays', type: 'string', defaultValue: '30', required: false },
    { name: 'VariableNameStyle', type: 'pickList', defaultValue: 'secret', required: false },
    { name: 'AccessWaitSeconds', type: 'string', defaultValue: '0', required: false },
  ]);
  const missing = task.inputs.find((input) => input.name === 'MissingSecrets');
  assert.deepEqual(missing.options, { fail: 'Fail the step', warn: 'Warn and continue' });
  assert.deepEqual(Object.keys(task.inputs.find((input) => input.name === 'Mode').options), ['download', 'diagnose']);
  assert.deepEqual(task.groups, [{ name: 'advanced', displayName: 'Advanced', isExpanded: false }]);
  const shape = task.inputs.filter((input) => input.groupName === undefined).map(({ name, aliases, type, defaultValue, required, properties }) =>
    ({ name, aliases, type, defaultValue, required, properties }));
  assert.deepEqual(shape, [
    { name: 'ConnectedServiceName', aliases: ['azureSubscription'], type: 'connectedService:AzureRM', defaultValue: '', required: true, properties: undefined },
    { name: 'KeyVaultName', aliases: undefined, type: 'pickList', defaultValue: undefined, required: true, properties: { EditableOptions: 'True' } },
    { name: 'SecretsFilter', aliases: undefined, type: 'string', defaultValue: '*', required: true, properties: { EditableOptions: 'True' } },
    { name: 'RunAsPreJob', aliases: undefined, type: 'boolean', defaultValue: false, required: true, properties: undefined },
  ]);
  for (const input of task.inputs) {
    assert.ok(input.label && input.label.length > 0, `${input.name} has a label`);
    assert.ok(input.helpMarkDown && input.helpMarkDown.length >= 80, `${input.name} has real help`);
    assert.equal(input.visibleRule, undefined);
  }
  assert.match(task.inputs[0].helpMarkDown, /workload identity federation/);
  assert.match(task.inputs[0].helpMarkDown, /Key Vault Secrets User/);
});

test('main and pre-job steps use the Node20_1 and Node24 handlers; every target exists', () => {
  assert.deepEqual(Object.keys(task.execution).sort(), ['Node20_1', 'Node24']);
  assert.deepEqual(Object.keys(task.prejobexecution).sort(), ['Node20_1', 'Node24']);
  assert.equal(task.postjobexecution, undefined, 'no (empty) post-job section');
  assert.equal(task.execution.Node20_1.target, 'main.js');
  assert.equal(task.prejobexecution.Node20_1.target, 'prejob.js');
  for (const section of HANDLER_SECTIONS) {
    for (const [handler, { target }] of Object.entries(task[section] || {})) {
      assert.ok(fs.statSync(path.join(TASK_DIR, target)).isFile(), `${section}.${handler}.target ${target} exists`);
    }
  }
  // Node20_1 needs agent 3.232.1 (Microsoft's guidance); Node24 is ignored by older agents.
  const [major, minor, patch] = task.minimumAgentVersion.split('.').map(Number);
  assert.ok(major * 1e6 + minor * 1e3 + (patch || 0) >= 3 * 1e6 + 232 * 1e3 + 1, task.minimumAgentVersion);
});

test('vss-extension.json is a task extension tfx accepts, carrying the task folder', () => {
  assert.equal(manifest.manifestVersion, 1);
  assert.equal(manifest.id, 'federated-keyvault');
  assert.match(manifest.id, /^[A-Za-z0-9_-]+$/);
  assert.match(manifest.publisher, /^[A-Za-z0-9][A-Za-z0-9_-]*$/);
  assert.ok(manifest.name && manifest.description && manifest.description.length <= 200);
  assert.deepEqual(manifest.categories, ['Azure Pipelines']);
  assert.deepEqual(manifest.targets, [{ id: 'Microsoft.VisualStudio.Services' }]);
  const contributions = manifest.contributions.filter((c) => c.type === 'ms.vss-distributed-task.task');
  assert.equal(contributions.length, 1);
  assert.deepEqual(contributions[0].targets, ['ms.vss-distributed-task.tasks']);
  const folder = contributions[0].properties.name;
  assert.equal(path.resolve(ROOT, folder), TASK_DIR);
  assert.ok(manifest.files.some((f) => path.resolve(ROOT, f.path) === TASK_DIR), 'files include the task folder');
  assert.ok(fs.existsSync(path.join(ROOT, manifest.content.details.path)), 'overview exists');
  assert.ok(fs.existsSync(path.join(ROOT, manifest.icons.default)), 'icon exists');
});

// GitHub's anchor for a heading: lower case, punctuation but '-' dropped, spaces to '-'.
const anchorOf = (heading) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

test('who publishes has one place (package.json); the committed manifests link to no placeholder; the licence is MIT', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.license, 'MIT');
  assert.match(pkg.publisher, /^[A-Za-z0-9][A-Za-z0-9_-]*$/);
  assert.match(pkg.repository.url, /^https:\/\/[^\s#?]+[^/]$/);
  // scripts/package.sh adds repository, links and helpUrl to a staged copy, from package.json only.
  assert.equal(manifest.repository, undefined, 'vss-extension.json names no repository of its own');
  assert.equal(manifest.links, undefined, 'vss-extension.json has no links of its own');
  assert.equal(task.helpUrl, undefined, 'task.json has no helpUrl of its own');
  for (const file of ['task/task.json', 'vss-extension.json', 'overview.md']) {
    assert.doesNotMatch(fs.readFileSync(path.join(ROOT, file), 'utf8'), /your-org|your-publisher-id/, `${file} names no placeholder`);
  }
  // The links package.sh writes point at README sections that exist (GitHub-style anchors).
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const anchors = new Set(readme.split('\n').filter((l) => /^#{1,3} /.test(l)).map((l) => anchorOf(l.replace(/^#+ /, ''))));
  for (const anchor of ['install', 'license']) assert.ok(anchors.has(anchor), `README has a heading for #${anchor}`);
  assert.match(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) the federated-keyvault authors\n/);
  assert.deepEqual(manifest.content.license, { path: 'LICENSE' });
  assert.ok(typeof task.releaseNotes === 'string' && task.releaseNotes.startsWith(
    `${task.version.Major}.${task.version.Minor}.${task.version.Patch}: `), 'releaseNotes start with the version');
  const changelog = fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
  assert.match(changelog, new RegExp(`^## ${manifest.version.replace(/\./g, '\\.')}\\b`, 'm'), 'CHANGELOG.md has the version');
});

test('no text of the task or the Marketplace page says the connection must use workload identity federation', () => {
  const texts = [task.description, task.helpMarkDown, ...task.inputs.map((i) => i.helpMarkDown), manifest.description,
    fs.readFileSync(path.join(ROOT, 'overview.md'), 'utf8'), fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')];
  for (const text of texts) {
    assert.doesNotMatch(text, /must use \**workload identity federation|no (client )?secret (or certificate )?is stored anywhere/i, text.slice(0, 200));
  }
});

test('one version: task.json, vss-extension.json and the CMake project agree', () => {
  const version = `${task.version.Major}.${task.version.Minor}.${task.version.Patch}`;
  assert.equal(manifest.version, version);
  const cmake = fs.readFileSync(path.join(ROOT, 'CMakeLists.txt'), 'utf8').match(/project\(federated_keyvault VERSION ([0-9.]+)/);
  assert.ok(cmake, 'CMakeLists.txt names the project version');
  assert.equal(cmake[1], version);
});

function pngInfo(file) {
  const png = fs.readFileSync(file);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${file} is a PNG`);
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colourType: png[25] };
}

test('icons: 128x128 extension icon, 32x32 task icon with alpha, as scripts/make-icons.js draws them', () => {
  assert.deepEqual(pngInfo(path.join(ROOT, manifest.icons.default)), { width: 128, height: 128, colourType: 6 });
  assert.deepEqual(pngInfo(path.join(TASK_DIR, 'icon.png')), { width: 32, height: 32, colourType: 6 });
  const check = childProcess.spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'make-icons.js'), '--check'],
    { encoding: 'utf8', timeout: 60000 });
  assert.equal(check.status, 0, check.stderr);
});

// APIs added after Node 16 (or experimental in it) that the launcher must not touch: the agent runs it
// with node16 when node20/24 cannot start on the host.
const POST_NODE16_GLOBALS = ['structuredClone', 'fetch', 'Blob', 'BroadcastChannel', 'Headers', 'Request', 'Response',
  'FormData', 'File', 'CustomEvent', 'WebSocket', 'navigator', 'crypto', 'DOMException', 'Iterator'];
const POST_NODE16_MEMBERS = ['findLast', 'findLastIndex', 'toSorted', 'toReversed', 'toSpliced', 'with', 'groupBy',
  'withResolvers', 'isWellFormed', 'toWellFormed', 'fromAsync', 'cp', 'cpSync', 'statfs', 'statfsSync', 'openAsBlob',
  'glob', 'globSync', 'parseArgs', 'styleText', 'getBuiltinModule', 'loadEnvFile', 'permission', 'union',
  'intersection', 'symmetricDifference', 'isSubsetOf', 'isSupersetOf', 'isDisjointFrom'];

test('the launcher is ES2021, needs only Node built-ins and no API newer than Node 16', () => {
  const acorn = requireDev('acorn');
  const walk = requireDev('acorn-walk');
  // Every script of the task folder (the launcher's modules too), and every handler target among them.
  const files = fs.readdirSync(TASK_DIR).filter((file) => file.endsWith('.js')).sort();
  for (const target of new Set(HANDLER_SECTIONS.flatMap((s) => Object.values(task[s] || {}).map((h) => h.target)))) {
    assert.ok(files.includes(target), `handler target ${target} is in task/`);
  }
  assert.ok(files.includes('launcher.js') && files.includes('binary-choice.js') && files.includes('step-outcome.js'));
  for (const file of files) {
    const source = fs.readFileSync(path.join(TASK_DIR, file), 'utf8');
    const ast = acorn.parse(source, { ecmaVersion: 2021, sourceType: 'script', allowHashBang: true });
    const declared = new Set();
    walk.full(ast, (node) => {
      if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier') declared.add(node.id.name);
    });
    walk.full(ast, (node) => {
      if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'require') {
        const name = node.arguments[0] && node.arguments[0].value;
        assert.ok(typeof name === 'string', `${file}: require() with a literal`);
        const ok = name.startsWith('./') || builtinModules.includes(name.replace(/^node:/, ''));
        assert.ok(ok, `${file}: require('${name}') is not a Node built-in`);
        if (name.startsWith('./')) assert.ok(fs.existsSync(path.join(TASK_DIR, `${name}.js`)), `${file}: ${name} exists`);
      }
      if (node.type === 'MemberExpression' && !node.computed && POST_NODE16_MEMBERS.includes(node.property.name)) {
        assert.fail(`${file}: uses .${node.property.name}, which Node 16 lacks`);
      }
      if (node.type === 'Identifier' && POST_NODE16_GLOBALS.includes(node.name) && !declared.has(node.name)) {
        assert.fail(`${file}: uses the global ${node.name}, which Node 16 lacks`);
      }
    });
  }
  // The check is live: newer syntax and APIs are caught.
  assert.throws(() => acorn.parse('class A { #x = 1 }', { ecmaVersion: 2021 }));
  assert.ok(POST_NODE16_MEMBERS.includes('findLast'));
});
