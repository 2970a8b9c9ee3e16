'use strict';
// Issue 12: the run summary. Every run (success, partial failure, fatal failure, a config error, a cancelled
// run, one that reached its time limit) writes a
// Markdown file under Agent.TempDirectory, owner-only, and attaches it with ##vso[task.uploadsummary] just
// before task.complete. Its content is checked against the run (variables, skips, failures, request counts
// per phase against the fake's request log), leak-scanned, and rendered with markdown-it (as is every
// expected file of the unit tests): each table must come out as a table, nothing as raw HTML.
//
// Environment: FKV_BINARY, FKV_FAKE_BIN (required); FKV_BINARY_WRAPPER (optional).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const MarkdownIt = require('markdown-it');

const { runTask, startTask, leaks, suiteEnv, scenarioFolder, writeScenario, assertClean } = require('./harness');
const { scenarioEnv } = require('../support/scenario-env');

const { binary, fake, wrapper } = suiteEnv();

const TENANT = '11111111-2222-4333-8444-5555555555e5';
const ORG = { name: 'fkv-org', id: '7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7ee5' };
const GOOD = { id: 'aaaaaaaa-0000-4000-8000-0000000000e5', name: 'fkv-sum', issuerFormat: 'azuredevops',
  tenant: TENANT, clientId: 'cccccccc-0000-4000-8000-0000000000e5' };
const BAD = { id: 'aaaaaaaa-0000-4000-8000-0000000000e6', name: 'fkv-sum-bad', issuerFormat: 'azuredevops',
  tenant: TENANT, clientId: 'cccccccc-0000-4000-8000-0000000000e6' };
const SECRETS = [
  { name: 'app-key', value: 'sum-value-app-key-91f3' },
  { name: 'db-password', value: 'sum-value-db-password-91f3' },
  { name: 'legacy-key', value: 'sum-value-legacy-91f3' },
  { name: 'old-key', value: 'sum-value-old-key-91f3', enabled: false },
  { name: 'gone-key', value: 'sum-value-gone-key-91f3', exp: 1600000000 },
];
const SCENARIO = {
  organization: ORG,
  project: { name: 'fkv-project', id: '3f2c1b4a-5d6e-4f70-8a9b-0c1d2e3f4ae5' },
  jobToken: 'fkv-sum-job-token-0b7d3e',
  tenants: [{ id: TENANT }],
  connections: [GOOD, BAD],
  apps: [
    { clientId: GOOD.clientId, tenant: TENANT, federatedCredentials: [{ connection: GOOD.id }] },
    { clientId: BAD.clientId, tenant: TENANT,
      federatedCredentials: [{ connection: BAD.id, subject: 'sc://fkv-org/fkv-project/old-name' }] },
  ],
  vaults: [
    { name: 'fkv-sum', secrets: SECRETS },
    { name: 'fkv-sum-partial', secrets: [
      { name: 'app-key', value: 'sum-value-p-app-key-91f3' },
      { name: 'db-password', value: 'sum-value-p-db-91f3', forbidden: 'ForbiddenByRbac' }] },
    { name: 'fkv-sum-slow', secrets: [
      { name: 'app-key', value: 'sum-value-s-app-key-91f3' },
      { name: 'db-password', value: 'sum-value-s-db-91f3' }] },
  ],
  // db-password of fkv-sum-slow never answers in time: the run is cancelled or reaches its time limit.
  faults: [{ host: 'fkv-sum-slow.vault.azure.net', path: '/secrets/db-password', delayMs: 120000 }],
};
const scenarioDir = scenarioFolder('summary');
const SCENARIO_FILE = writeScenario(scenarioDir, SCENARIO);

const markdown = new MarkdownIt();
const rendered = [];  // every summary seen, rendered once more at the end

// Runs the task and returns it with `summary` ({ path, text, mode, folderMode }) read from the temp directory.
function run(vault, { connection = 0, filter = '*', set = {} } = {}) {
  const env = scenarioEnv(SCENARIO, { vault, connection, filter, set });
  const result = runTask({ scenarioFile: SCENARIO_FILE, env, binary, fake, wrapper, timeoutMs: 90000,
    inspectTemp: (dir) => {
      const folder = path.join(dir, 'federated-keyvault');
      if (!fs.existsSync(folder)) return [];
      return fs.readdirSync(folder).map((name) => {
        const file = path.join(folder, name);
        return { name, file, text: fs.readFileSync(file, 'utf8'), mode: fs.lstatSync(file).mode & 0o777,
          folderMode: fs.lstatSync(folder).mode & 0o777, isFile: fs.lstatSync(file).isFile() };
      });
    } });
  assertClean(result, SCENARIO);
  // One summary file, attached once, right before task.complete (the last line).
  assert.equal(result.temp.length, 1, `one summary file\n${result.context()}`);
  const [summary] = result.temp;
  assert.match(summary.name, /^summary-[0-9a-z-]+-[0-9a-f]{16}\.md$/);
  assert.equal(summary.mode, 0o600, 'owner-only file');
  assert.equal(summary.folderMode, 0o700, 'owner-only folder');
  assert.ok(summary.isFile);
  const commands = result.log.commands;
  const uploads = commands.filter((c) => c.area === 'task' && c.event === 'uploadsummary');
  assert.equal(uploads.length, 1, result.context());
  assert.equal(uploads[0].data, summary.file, 'the attached path is the file written');
  assert.equal(commands.at(-2), uploads[0], 'attached just before task.complete');
  assert.equal(commands.at(-1).event, 'complete');
  // Never a value or a token: the scenario's secrets, the job token and every token the run registered.
  const forbidden = [SCENARIO.jobToken, ...SCENARIO.vaults.flatMap((v) => v.secrets.map((s) => s.value)),
    ...result.log.secrets];
  for (const value of forbidden) assert.ok(!summary.text.includes(value), 'no value or token in the summary');
  assert.ok(!/authorization|bearer/i.test(summary.text), 'no header');
  rendered.push(summary.text);
  return { result, summary: summary.text };
}

const countFor = (result, host, pattern = /./) =>
  result.requests.filter((r) => r.host === host && pattern.test(r.target)).length;

test('a successful run: vault, connection, token claims, variables with marks, skips, request counts per phase', () => {
  const { result, summary } = run('fkv-sum', { filter: '*, !legacy-*', set: { INPUT_OUTPUTVARIABLES: 'true' } });
  assert.equal(result.status, 0, result.context());
  const lines = summary.split('\n');
  assert.equal(lines[0], '### Key vault fkv-sum: succeeded');
  assert.ok(summary.includes("\n**Result:** 2 secrets from vault 'fkv-sum' set as secret variables.\n"), summary);
  for (const row of [
    '| Mode | download |',
    '| Vault | fkv-sum \\(https://fkv-sum.vault.azure.net/\\) |',
    `| Service connection | ${GOOD.id} |`,
    '| Scheme | WorkloadIdentityFederation |',
    `| Tenant ID | ${TENANT} |`,
    `| Client ID | ${GOOD.clientId} |`,
    `| OIDC token issuer | https://vstoken.dev.azure.com/${ORG.id} |`,
    '| OIDC token subject | sc://fkv-org/fkv-project/fkv-sum |',
    '#### Variables set (2)',
    '| app-key | secret, output | - |',
    '| db-password | secret, output | - |',
    '#### Skipped (3)',
    '| old-key | disabled |',
    '| gone-key | expired |',
    '| legacy-key | not selected by the secrets filter |',
  ]) assert.ok(lines.includes(row), `summary has ${row}\n${summary}\n${result.context()}`);
  // The phases' request counts are the fake's.
  const oidc = countFor(result, 'dev.azure.com');
  const entra = countFor(result, 'login.microsoftonline.com');
  const listing = countFor(result, 'fkv-sum.vault.azure.net', /^\/secrets\?/);
  const downloads = countFor(result, 'fkv-sum.vault.azure.net', /^\/secrets\/[^?]/);
  assert.deepEqual([oidc, entra, listing, downloads], [1, 1, 1, 2]);
  for (const [phase, count] of [['OIDC token', oidc], ['Entra token exchange', entra], ['Listing', listing],
    ['Downloads', downloads]]) {
    assert.match(summary, new RegExp(`\\n\\| ${phase} \\| \\d+\\.\\d s \\| ${count} \\| 0 \\| 0 \\|\\n`), summary);
  }
  assert.match(summary, /\n\| Whole run \| \d+\.\d s \| - \| - \| - \|\n\n#### Environment for scripts\n/);
  // Issue 19: the ready-to-paste env: block ends the summary, one line per secret variable set.
  assert.match(summary, /\n```yaml\nenv:\n  APP_KEY: \$\(app-key\)\n  DB_PASSWORD: \$\(db-password\)\n```\n$/);
});

test('a partly failed run: the failure with its cause and fix, the variable that was set', () => {
  const { result, summary } = run('fkv-sum-partial');
  assert.equal(result.status, 1, result.context());
  assert.ok(summary.startsWith('### Key vault fkv-sum-partial: failed\n'), summary);
  assert.ok(summary.includes('\n| app-key | secret | - |\n'), summary);
  assert.ok(summary.includes('\n#### Failures (1)\n\n| What | Cause | Fix |\n| --- | --- | --- |\n' +
    "| db-password | Access to secret 'db-password' in vault 'fkv-sum-partial' was denied by Azure RBAC. Key Vault " +
    'says: "Caller is not authorized to perform action on resource." | Assign the "Key Vault Secrets User" role on ' +
    "the vault to the service connection's app \\(role assignments can take a few minutes to apply\\). |\n"), summary);
});

test('a fatal failure: the Entra error with the issuer and subject to configure', () => {
  const { result, summary } = run('fkv-sum', { connection: 1 });
  assert.equal(result.status, 1, result.context());
  assert.ok(summary.startsWith('### Key vault fkv-sum: failed\n'), summary);
  assert.ok(summary.includes('\n| OIDC token subject | sc://fkv-org/fkv-project/fkv-sum-bad |\n'), summary);
  assert.ok(summary.includes("\n| entra | Microsoft Entra ID found no federated credential on app '" + BAD.clientId +
    "' whose subject matches the pipeline's OIDC token \\(AADSTS700213\\). | The federated credential on app '" +
    BAD.clientId + `' must have issuer 'https://vstoken.dev.azure.com/${ORG.id}', subject ` +
    "'sc://fkv-org/fkv-project/fkv-sum-bad'"), summary);
  assert.ok(!summary.includes('#### Variables set'), 'nothing was set');
  assert.match(summary, /\n\| Entra token exchange \| \d+\.\d s \| 1 \| 0 \| 0 \|\n/);
});

test('a config error: the summary still says what is wrong', () => {
  const { result, summary } = run('not_a_vault!');
  assert.equal(result.status, 1, result.context());
  assert.ok(summary.startsWith('### Key vault (unknown): failed\n'), summary);
  assert.ok(summary.includes("\n| KeyVaultName | Input KeyVaultName 'not\\_a\\_vault\\!' is not a key vault name: 3-24 " +
    "characters of 0-9, a-z, A-Z and '-'. | Use the vault's name \\(e.g. 'my-vault'\\), not its URL. |\n"), summary);
  assert.deepEqual(result.requests, [], 'nothing was sent');
});

// A stopped run still attaches its summary (right before task.complete); startTask reads the files the run
// wrote when it ends (result.files, which the leak scan reads too), so the file itself is checked as well.
async function stopped(set, stop) {
  const env = scenarioEnv(SCENARIO, { vault: 'fkv-sum-slow', filter: 'app-key, db-password', set });
  const task = startTask({ scenarioFile: SCENARIO_FILE, env, binary, fake, timeoutMs: 90000,
    command: [...wrapper, binary] });
  await task.waitForStdout((text) => text.includes('variable=app-key;issecret=true]'), 30000);
  if (stop) task.signal(stop);
  const result = await task.done;
  assert.deepEqual(leaks(result, SCENARIO), [], `leak scan\n${result.context()}`);
  assert.equal(result.status, 1, result.context());
  const commands = result.log.commands;
  assert.equal(commands.at(-2).event, 'uploadsummary', result.context());
  assert.match(commands.at(-2).data, /\/federated-keyvault\/summary-fkv-sum-slow-[0-9a-f]{16}\.md$/);
  assert.equal(commands.at(-1).event, 'complete');
  const summary = result.files.find((f) => f.path.endsWith(path.basename(commands.at(-2).data)));
  assert.ok(summary && summary.text.startsWith('### Key vault fkv-sum-slow: failed\n'), result.context());
  return result;
}

test('a cancelled run (SIGTERM) attaches its summary', async () => {
  const result = await stopped({}, 'SIGTERM');
  assert.match(result.log.completions.at(-1).message, /The run was cancelled \(SIGTERM\)/);
});

test('a run that reaches its time limit attaches its summary', async () => {
  const result = await stopped({ INPUT_TIMEOUTSECONDS: '3' }, null);
  assert.match(result.log.completions.at(-1).message, /time limit of 3 s \(TimeoutSeconds\)/);
});

// Each table in the Markdown must render as a table: one <table> per header separator line, no row left as a
// paragraph, no HTML from the text.
function checkRenders(text, where) {
  const html = markdown.render(text);
  const separators = text.split('\n').filter((l) => /^\|( --- \|)+$/.test(l)).length;
  assert.ok(separators > 0, `${where} has tables`);
  assert.equal((html.match(/<table>/g) || []).length, separators, `${where}: every table renders\n${html}`);
  assert.ok(!/<p>\|/.test(html), `${where}: no table row rendered as text\n${html}`);
  // <pre><code class="language-yaml">: the env: block (issue 19), whose lines are validated variable names.
  assert.ok(!/<(?!\/?(h3|h4|p|strong|table|thead|tbody|tr|th|td|em|pre|code)\b)[a-z]/i.test(html), `${where}: no other HTML\n${html}`);
  assert.ok(!/\\[\\`*_{}[\]()<>#+!|~&]/.test(html.replace(/<[^>]+>/g, '')), `${where}: no escape is left visible`);
}

test('the summaries render cleanly with markdown-it, as do the unit tests\' expected files', () => {
  assert.ok(rendered.length >= 4, 'the tests above ran first');
  rendered.forEach((text, i) => checkRenders(text, `summary ${i + 1}`));
  const expected = path.join(__dirname, '..', 'unit', 'agent', 'expected');
  const files = fs.readdirSync(expected).filter((n) => n.endsWith('.md'));
  assert.ok(files.length >= 4);
  for (const name of files) checkRenders(fs.readFileSync(path.join(expected, name), 'utf8'), name);
  // The escapes stand for themselves once rendered.
  const html = markdown.render(fs.readFileSync(path.join(expected, 'partial.md'), 'utf8'));
  assert.ok(html.includes('Caller is not authorized | see &lt;docs&gt;'), html);
});
