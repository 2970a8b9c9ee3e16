'use strict';
// Issue 19: secrets over time and across teams, the real binary against the Azure fake: expiry warnings,
// selection by tag and content type over several list pages, the variable name styles with the summary's
// env: block (and, with System.Debug, in the log), the User-Agent and request ids as the services see them,
// waiting for a role assignment that applies during the run (AccessWaitSeconds), and the identity that can
// list but not read, over 100 secrets. Every run gets the leak scan (harness.js assertClean).
//
// Environment: FKV_BINARY, FKV_FAKE_BIN (required); FKV_BINARY_WRAPPER (optional).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { runTask, suiteEnv, scenarioFolder, writeScenario, assertClean } = require('./harness');
const { scenarioEnv, JOB_ID } = require('../support/scenario-env');

const { binary, fake, wrapper } = suiteEnv();

const TENANT = '11111111-2222-4333-8444-5555555555c1';
const CONNECTION = { id: 'aaaaaaaa-0000-4000-8000-0000000000c1', name: 'fkv-time', issuerFormat: 'azuredevops',
  tenant: TENANT, clientId: 'cccccccc-0000-4000-8000-0000000000c1' };
const ORG = { name: 'fkv-org', id: '7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7e19' };
const PROJECT = { name: 'fkv-project', id: '3f2c1b4a-5d6e-4f70-8a9b-0c1d2e3f4a19' };
const DAY = 86400;
const NOW = Math.floor(Date.now() / 1000);
const valueOf = (name) => `value-of-${name.toLowerCase()}-19c0de`;
const secret = (name, extra = {}) => ({ name, value: valueOf(name), ...extra });
// exp a few hours past a whole number of days, so that the run's own clock gives the same count.
const SOON = NOW + 13 * DAY + 3 * 3600;
const LATER = NOW + 60 * DAY + 3 * 3600;
const PAST = NOW - 5 * DAY - 3 * 3600;
const date = (unix) => new Date(unix * 1000).toISOString().slice(0, 10);

const SCENARIO = {
  organization: ORG,
  project: PROJECT,
  jobToken: 'fkv-time-job-token-5c2e9a0b7d13',
  tenants: [{ id: TENANT }],
  connections: [CONNECTION],
  apps: [{ clientId: CONNECTION.clientId, tenant: TENANT, federatedCredentials: [{ connection: CONNECTION.id }] }],
  vaults: [
    { name: 'fkv-time', pageSize: 2, secrets: [secret('soon', { exp: SOON }), secret('later', { exp: LATER }),
      secret('past', { exp: PAST }), secret('plain')] },
    { name: 'fkv-tags', pageSize: 2, secrets: [
      secret('app-a', { tags: { env: 'prod', team: 'payments' } }),
      secret('app-b', { tags: { env: 'dev', team: 'payments' } }),
      secret('app-c', { tags: { ENV: 'prod' } }),
      secret('db-x', { tags: { env: 'prod' }, contentType: 'Text/Plain; charset=utf-8' }),
      secret('cert', { contentType: 'application/x-pkcs12' }),
      secret('legacy', { tags: { deprecated: '' } }),
      secret('app-old', { tags: { env: 'prod' }, exp: PAST }),
      secret('app-off', { tags: { env: 'prod' }, enabled: false }),
      secret('other'),
    ] },
    { name: 'fkv-names', secrets: [secret('db-password'), secret('ConnectionStrings--Default'), secret('9-lives')] },
    // A role assignment made moments before the run: every request is refused until it "applies".
    { name: 'fkv-late', forbidden: 'ForbiddenByRbac', accessAppliesAfterMs: 20000,
      secrets: [secret('late-one'), secret('late-two')] },
    { name: 'fkv-wall', forbidden: 'ForbiddenByFirewall', accessAppliesAfterMs: 1000, secrets: [secret('walled')] },
    // Key Vault Reader: the list works, every GET is 403 ForbiddenByRbac.
    { name: 'fkv-reader', getForbidden: 'ForbiddenByRbac',
      generate: { count: 100, namePrefix: 'gen-', valuePrefix: 'reader-value-' } },
  ],
};
const scenarioDir = scenarioFolder('over-time');
const SCENARIO_FILE = writeScenario(scenarioDir, SCENARIO);

const errors = (run) => run.log.issues.filter((i) => i.type === 'error').map((i) => i.message);
const warnings = (run) => run.log.issues.filter((i) => i.type === 'warning').map((i) => i.message);
const lastMessage = (run) => run.log.completions.at(-1).message;
const host = (vault) => `${vault}.vault.azure.net`;
const getNames = (run, vault) => run.requests.filter((r) => r.host === host(vault) && /^\/secrets\/[^?]+/.test(r.target))
  .map((r) => r.target.split('?')[0].slice('/secrets/'.length).toLowerCase()).sort();
const listRequests = (run, vault) => run.requests.filter((r) => r.host === host(vault) && /^\/secrets\?/.test(r.target));

function run(vault, { filter = '*', set = {}, timeoutMs = 90000 } = {}) {
  const env = scenarioEnv(SCENARIO, { vault, filter, set });
  const result = runTask({ scenarioFile: SCENARIO_FILE, env, binary, fake, wrapper, timeoutMs,
    inspectTemp: (dir) => {
      const folder = path.join(dir, 'federated-keyvault');
      if (!fs.existsSync(folder)) return [];
      return fs.readdirSync(folder).map((name) => fs.readFileSync(path.join(folder, name), 'utf8'));
    } });
  assertClean(result, SCENARIO);
  const generated = (SCENARIO.vaults.find((v) => v.name === vault).generate || {});
  for (let i = 0; i < (generated.count || 0); i += 1) {
    const value = `${generated.valuePrefix}${String(i).padStart(5, '0')}`;
    assert.ok(!result.stdout.includes(value), `no generated value in the output\n${result.context()}`);
  }
  result.summary = result.temp.length === 1 ? result.temp[0] : '';
  return result;
}

test("expiry: a warning for each secret set that expires soon; '*' skips the expired one; a named one is set", () => {
  const all = run('fkv-time');
  assert.equal(all.status, 0, all.context());
  assert.deepEqual(Object.keys(all.log.variableTable()).sort(), ['later', 'plain', 'soon']);
  assert.deepEqual(warnings(all), [`Secret 'soon' expires on ${date(SOON)} (in 13 days).`], all.context());
  assert.ok(all.log.text.includes('Skipped 1 expired secrets: past.'), all.context());
  assert.deepEqual(getNames(all, 'fkv-time'), ['later', 'plain', 'soon'], 'the expired secret is never fetched');
  assert.ok(listRequests(all, 'fkv-time').length >= 2, 'two list pages');
  assert.match(all.summary, new RegExp(`\\| soon \\|[^\\n]*${date(SOON)}`), all.summary);

  const named = run('fkv-time', { filter: 'past, soon, later', set: { INPUT_EXPIRYWARNINGDAYS: '90' } });
  assert.equal(named.status, 0, named.context());
  assert.deepEqual(named.log.variableTable(), { past: valueOf('past'), soon: valueOf('soon'), later: valueOf('later') });
  assert.deepEqual(warnings(named).sort(), [
    `Secret 'later' expires on ${date(LATER)} (in 60 days).`,
    `Secret 'past' expired on ${date(PAST)} (5 days ago); it is set anyway, as Key Vault still serves it.`,
    `Secret 'soon' expires on ${date(SOON)} (in 13 days).`,
  ], named.context());
  assert.equal(listRequests(named, 'fkv-time').length, 0, 'named secrets: no listing, no extra request for expiry');

  const off = run('fkv-time', { filter: 'past, soon', set: { INPUT_EXPIRYWARNINGDAYS: '0' } });
  assert.equal(off.status, 0, off.context());
  assert.deepEqual(warnings(off), [], 'ExpiryWarningDays 0 turns every expiry warning off');
});

test('tag and content-type selectors, with & and exclusions, over several list pages; only the chosen are read', () => {
  const cases = [
    ['app-* & tag:env=prod', ['app-a', 'app-c']],  // tag names case-insensitive; app-old expired, app-off disabled
    ['tag:env=prod, !tag:team', ['app-c', 'db-x']],
    ['tag:team=pay*', ['app-a', 'app-b']],
    ['type:application/x-pkcs12, type:text/plain*', ['cert', 'db-x']],
    ['tag:deprecated=', ['legacy']],
    ['*, !tag:env, !type:*', ['legacy', 'other']],
  ];
  for (const [filter, expected] of cases) {
    const result = run('fkv-tags', { filter });
    assert.equal(result.status, 0, `${filter}\n${result.context()}`);
    assert.deepEqual(Object.keys(result.log.variableTable()).sort(), expected, `${filter}\n${result.context()}`);
    assert.deepEqual(getNames(result, 'fkv-tags'), expected, `${filter}: only the selected secrets are read`);
    assert.equal(listRequests(result, 'fkv-tags').length, 5, `${filter}: 9 secrets at 2 a page, every page once`);
  }
  const bad = run('fkv-tags', { filter: 'tag:env*=prod' });
  assert.equal(bad.status, 1, bad.context());
  assert.equal(bad.requests.filter((r) => r.host === host('fkv-tags')).length, 0, 'no request for an invalid item');
  assert.equal(errors(bad).length, 1, bad.context());
  assert.match(errors(bad)[0], /tag:env\*=prod/);
});

test('name styles: the variables and the summary\'s env: block for each; with System.Debug the log shows it too', () => {
  const envName = (variable) => {
    const upper = variable.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    return /^[0-9]/.test(upper) ? `_${upper}` : upper;
  };
  const styles = {
    secret: ['db-password', 'ConnectionStrings--Default', '9-lives'],
    env: ['DB_PASSWORD', 'CONNECTIONSTRINGS__DEFAULT', '9_LIVES'],
    dotnet: ['db-password', 'ConnectionStrings.Default', '9-lives'],
  };
  const secrets = ['db-password', 'ConnectionStrings--Default', '9-lives'];
  for (const [style, variables] of Object.entries(styles)) {
    const result = run('fkv-names', { set: { INPUT_VARIABLENAMESTYLE: style, SYSTEM_DEBUG: style === 'env' ? 'true' : undefined } });
    assert.equal(result.status, 0, `${style}\n${result.context()}`);
    assert.deepEqual(result.log.variableTable(),
      Object.fromEntries(variables.map((v, i) => [v, valueOf(secrets[i])])), `${style}\n${result.context()}`);
    const block = ['env:', ...variables.map((v) => [envName(v), v]).sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([e, v]) => `  ${e}: $(${v})`)];
    assert.ok(result.summary.endsWith(`\`\`\`yaml\n${block.join('\n')}\n\`\`\`\n`), `${style}\n${result.summary}`);
    const debugBlock = result.log.debug.filter((line) => line === 'env:' || line.startsWith('  '));
    assert.deepEqual(debugBlock, style === 'env' ? block : [], `${style}: the env: block in the log with System.Debug only`);
  }
});

test('User-Agent with the pipeline ids and a fresh request id on every request, as the services log them', () => {
  const ids = { SYSTEM_COLLECTIONID: ORG.id, SYSTEM_DEFINITIONID: '42', BUILD_BUILDID: '1234',
    BUILD_DEFINITIONNAME: 'db-password pipeline' };
  const result = run('fkv-names', { set: ids });
  assert.equal(result.status, 0, result.context());
  const expected = new RegExp(`^federated-keyvault/\\d+\\.\\d+\\.\\d+ \\(linux; (x64|arm64)\\) AzurePipelines \\(org=${ORG.id}; ` +
    `project=${PROJECT.id}; pipeline=42; run=1234; job=${JOB_ID}\\)$`);
  assert.ok(result.requests.length >= 5, result.context());
  for (const request of result.requests) {
    assert.match(request.user_agent || '', expected, JSON.stringify(request));
    const idHeader = request.host === 'login.microsoftonline.com' ? 'client-request-id' : 'x-ms-client-request-id';
    assert.match(request[idHeader] || '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      JSON.stringify(request));
  }
  const requestIds = result.requests.map((r) => r['x-ms-client-request-id'] || r['client-request-id']);
  assert.equal(new Set(requestIds).size, requestIds.length, 'a fresh id per request');
  assert.ok(!result.requests.some((r) => /db-password/.test(r.user_agent)), 'no name from the environment');
  const markdown = (text) => text.replace(/[\\`*_{}[\]()<>#+!|~&]/g, (c) => `\\${c}`);  // run_summary's markdown_text
  assert.ok(result.summary.includes(`| User-Agent | ${markdown(result.requests[0].user_agent)} |`),
    `the summary shows the User-Agent sent\n${result.summary}`);
});

test('AccessWaitSeconds: a role that applies 20 s into the run; the log says so once; the secrets are set', () => {
  const result = run('fkv-late', { set: { INPUT_ACCESSWAITSECONDS: '60' }, timeoutMs: 120000 });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), { 'late-one': valueOf('late-one'), 'late-two': valueOf('late-two') });
  const waiting = result.log.text.filter((line) => line.includes('AccessWaitSeconds'));
  assert.deepEqual(waiting, ["Access to vault 'fkv-late' was denied (HTTP 403 ForbiddenByRbac): waiting up to 60 s " +
    '(AccessWaitSeconds) for a recent role assignment to apply.'], result.context());
  const lists = listRequests(result, 'fkv-late');
  assert.ok(lists.filter((r) => r.status === 403).length >= 3, 'the list was sent again with pauses');
  assert.equal(lists.filter((r) => r.status === 403).length + 1, lists.length, 'until it succeeded');
  assert.ok(result.seconds >= 20 && result.seconds < 45, `20 s for the role, growing pauses: ${result.seconds} s`);
  assert.deepEqual(errors(result), []);

  // Without AccessWaitSeconds the same refusal fails at once.
  const now = run('fkv-late', {});
  assert.equal(now.status, 1, now.context());
  assert.equal(listRequests(now, 'fkv-late').length, 1);
  assert.ok(!now.log.text.some((line) => line.includes('AccessWaitSeconds')));
});

test('AccessWaitSeconds never waits for a firewall refusal', () => {
  const result = run('fkv-wall', { set: { INPUT_ACCESSWAITSECONDS: '60' } });
  assert.equal(result.status, 1, result.context());
  assert.equal(listRequests(result, 'fkv-wall').length, 1, 'one request: a firewall is not a role assignment');
  assert.ok(!result.log.text.some((line) => line.includes('AccessWaitSeconds')));
  assert.ok(result.seconds < 15, `${result.seconds} s`);
});

test('AccessWaitSeconds: an input out of range is an error before any request, word for word', () => {
  const result = run('fkv-late', { set: { INPUT_ACCESSWAITSECONDS: '120', INPUT_TIMEOUTSECONDS: '60' } });
  assert.equal(result.status, 1, result.context());
  assert.equal(result.requests.length, 0);
  assert.deepEqual(errors(result), ['Input AccessWaitSeconds must be a whole number of seconds from 0 to ' +
    "TimeoutSeconds (60), got '120'. Leave it empty for 0 (an access denial fails at once), or write e.g. 300 to " +
    'wait up to 5 minutes for a new role assignment to apply (raise TimeoutSeconds with it). (config)'],
  result.context());
});

test('an identity that can list but not read, over 100 secrets: one error, every secret named, fast', () => {
  const result = run('fkv-reader');
  assert.equal(result.status, 1, result.context());
  const names = Array.from({ length: 100 }, (_, i) => `gen-${String(i).padStart(5, '0')}`);
  assert.equal(errors(result).length, 1, result.context());
  assert.ok(errors(result)[0].startsWith("The service connection's identity can list the secrets of vault " +
    "'fkv-reader' but not read their values (Azure RBAC refused every secret with 403 ForbiddenByRbac): that is " +
    'what the Key Vault Reader role grants.'), errors(result)[0]);
  assert.ok(errors(result)[0].includes(`--assignee ${CONNECTION.clientId}`), errors(result)[0]);
  const notSet = result.log.text.filter((line) => line.startsWith('Not set (100 secrets): '));
  assert.equal(notSet.length, 1, result.context());
  for (const name of names) assert.ok(notSet[0].includes(name), `${name} is named`);
  assert.equal(getNames(result, 'fkv-reader').length, 100, 'each secret asked for once');
  assert.ok(result.seconds < 20, `${result.seconds} s`);
  assert.equal(Object.keys(result.log.variableTable()).length, 0);
  assert.match(lastMessage(result), /list the secrets/);
});
