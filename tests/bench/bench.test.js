'use strict';
// Unit tests of the benchmark's pure parts (scripts/bench/): the request-log measurements, the generated
// cells and their expected variables and floors, the round rotation, the per-run correctness check, the
// goals and the report's merging. No namespace, no fake, no timing: bench/smoke runs the real thing.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { maxInFlight, requestStats, median, summariseRuns } = require('../../scripts/bench/metrics');
const { buildCells, rotation, roundsFor, spreadIndexes, TARGETS, VAULT } = require('../../scripts/bench/cases');
const { verify, lostSecrets, mustSucceed } = require('../../scripts/bench/run-bench');
const { checkGoals } = require('../../scripts/bench/goals');
const { mergeRecords, missingCells } = require('../../scripts/bench/report');
const { parseAgentLog } = require('../support/agent-log');

const HOST = `${VAULT}.vault.azure.net`;
const req = (start, end, extra = {}) => ({ method: 'GET', host: HOST, target: '/secrets/x?api-version=7.5', status: 200,
  start_ms: start, end_ms: end, conn: 1, ...extra });

test('maxInFlight counts overlaps, not back-to-back requests', () => {
  assert.equal(maxInFlight([]), 0);
  assert.equal(maxInFlight([req(0, 10), req(10, 20), req(20, 30)]), 1);
  assert.equal(maxInFlight([req(0, 10), req(5, 15), req(6, 7), req(14, 20)]), 3);
});

test('requestStats tells list pages from secret GETs and counts 429s and the list/GET overlap', () => {
  const requests = [
    { method: 'POST', host: 'dev.azure.com', target: '/o/p/_apis/x/oidctoken', status: 200, start_ms: 0, end_ms: 1, conn: 7 },
    req(2, 3, { target: '/secrets?api-version=7.5&maxresults=25' }),
    req(3, 9, { target: '/secrets/gen-00000?api-version=7.5' }),
    req(4, 5, { target: '/secrets?api-version=7.5&$skiptoken=2', status: 429 }),
    req(6, 8, { target: '/secrets?api-version=7.5&$skiptoken=2' }),
    req(9, 10, { target: '/secrets/gen-00001/?api-version=7.5' }),
    req(7, 9, { target: '/secrets/gen-00002?api-version=7.5', status: 429, conn: 2 }),
  ];
  assert.deepEqual(requestStats(requests, HOST), {
    requests: 7, connections: 3, vaultRequests: 6, listPages: 3, gets: 3, throttled: 2, maxInFlight: 3, getsBeforeLastPage: 1,
  });
  assert.equal(requestStats([req(0, 1)], HOST).getsBeforeLastPage, 0, 'no list call: no overlap to speak of');
});

test('median of odd, even and empty lists', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), null);
});

test('cells: one explicit name or a list, latency with its connection cost, the limit cells, the floors', () => {
  const cells = buildCells({ sizes: [1, 30], latencies: [0, 20], limit: { secrets: 60, limit: 40, windowSeconds: 1, retryAfter: '1', latencyMs: 0 } });
  assert.deepEqual(cells.map((c) => c.name), ['n1-L0', 'n1-L20', 'n30-L0', 'n30-L20', 'limit', 'limit-ra']);
  const byName = Object.fromEntries(cells.map((c) => [c.name, c]));
  const one = byName['n1-L20'];
  assert.equal(one.filter, 'gen-00000');
  assert.deepEqual(one.expected, { 'gen-00000': 'value-00000' });
  assert.equal(one.pages, 0);
  assert.equal(one.scenario.connectDelayMs, 40, 'a new connection costs 2 L');
  assert.equal(one.floorMs, 3 * 20 + 40, 'OIDC, exchange, one GET, one connection setup');
  const list = byName['n30-L20'];
  assert.equal(list.filter, '*');
  assert.equal(Object.keys(list.expected).length, 30);
  assert.equal(list.expected['gen-00029'], 'value-00029');
  assert.equal(list.scenario.vaults[0].generate.count, 30);
  assert.equal(list.scenario.vaults[0].throttle.limit, 0, 'limit emulation off outside the limit cells');
  assert.equal(list.floorMs, (2 + 3) * 20 + 40);
  assert.equal(byName['n30-L0'].floorMs, 0);
  assert.deepEqual(byName.limit.scenario.vaults[0].throttle, { limit: 40, windowSeconds: 1, retryAfter: null });
  assert.deepEqual(byName['limit-ra'].scenario.vaults[0].throttle, { limit: 40, windowSeconds: 1, retryAfter: '1' });
  assert.equal(byName.limit.floorMs, 1000, '60 GETs + 3 pages over 40 per second: one more window');
  assert.ok(byName.limit.limited && !list.limited);
  assert.throws(() => buildCells({ sizes: [0] }), /size/);
  // The default matrix: issue 9's.
  const full = buildCells({});
  assert.deepEqual(full.map((c) => c.name), ['n1-L0', 'n1-L20', 'n100-L0', 'n100-L20', 'n1000-L0', 'n1000-L20',
    'n5000-L0', 'n5000-L20', 'limit', 'limit-ra']);
  const fullLimit = full.find((c) => c.name === 'limit');
  assert.equal(fullLimit.secrets, 6000);
  assert.deepEqual(fullLimit.scenario.vaults[0].throttle, { limit: 4000, windowSeconds: 10, retryAfter: null });
  assert.equal(full.find((c) => c.name === 'n1000-L20').floorMs, (40 + 3) * 20 + 40);
  assert.equal(roundsFor(full.find((c) => c.name === 'n5000-L0'), 5), 3);
  assert.equal(roundsFor(full.find((c) => c.name === 'n100-L0'), 5), 5);
});

test('rotation starts each round with the next tool', () => {
  const tools = ['a', 'b', 'c'];
  assert.deepEqual([0, 1, 2, 3].map((r) => rotation(tools, r).join('')), ['abc', 'bca', 'cab', 'abc']);
  assert.deepEqual(rotation([], 3), []);
});

test('spreadIndexes picks distinct indexes within range, at most as many as there are', () => {
  assert.deepEqual(spreadIndexes(1000, 4), [0, 250, 500, 750]);
  assert.deepEqual(spreadIndexes(3, 50), [0, 1, 2]);
});

const setSecret = (name, value) => `##vso[task.setvariable variable=${name};issecret=true]${value}`;
const runOf = (status, lines) => ({ status, signal: null, log: parseAgentLog(`${lines.join('\n')}\n`) });

test('verify accepts exactly the expected secret variables and names every difference', () => {
  const expected = { 'gen-00000': 'value-00000', 'gen-00001': 'value-00001' };
  assert.deepEqual(verify(runOf(0, [setSecret('gen-00000', 'value-00000'), setSecret('gen-00001', 'value-00001')]), expected), []);

  const problems = verify(runOf(0, [setSecret('gen-00000', 'other'), '##vso[task.setvariable variable=extra]x']), expected);
  assert.ok(problems.some((p) => /missing variables: gen-00001/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /unexpected variables: extra/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /wrong value for: gen-00000/.test(p)), problems.join('\n'));
  assert.ok(problems.every((p) => !p.includes('value-0000') && !p.includes('other')), 'never a value');

  const plain = verify(runOf(0, ['##vso[task.setvariable variable=gen-00000]value-00000', setSecret('gen-00001', 'value-00001')]), expected);
  assert.deepEqual(plain, ['not marked secret: gen-00000']);

  const failed = verify(runOf(1, ['##vso[task.logissue type=error]vault said no']), expected);
  assert.ok(failed.includes('exit code 1') && failed.includes('step result Failed') && failed.includes('error: vault said no'),
    failed.join('\n'));
});

test('lostSecrets counts expected secrets not set as secret variables with their value', () => {
  const expected = { 'gen-00000': 'value-00000', 'gen-00001': 'value-00001', 'gen-00002': 'value-00002' };
  const run = runOf(1, [setSecret('gen-00000', 'value-00000'), setSecret('gen-00001', 'other'),
    '##vso[task.setvariable variable=gen-00002]value-00002']);
  assert.equal(lostSecrets(run, expected), 2);
  assert.equal(lostSecrets(runOf(0, []), expected), 3);
});

test('a peer may lose secrets in a limit cell (that is the measurement); the binary never may', () => {
  assert.equal(mustSucceed('fkv', { limited: true }), true);
  assert.equal(mustSucceed('sdk-c64', { limited: true }), false);
  assert.equal(mustSucceed('sdk-c64', { limited: false }), true);
});

const run = (wallMs, extra = {}) => ({ ok: true, lost: 0, wallMs, rssKiB: 12 * 1024, cpuMs: 50, requests: 100, connections: 3,
  maxInFlight: 16, throttled: 0, ...extra });

test('summariseRuns: median and min-max wall, highest RSS, 429 share, lost runs', () => {
  const s = summariseRuns([run(100), run(300, { rssKiB: 14 * 1024, throttled: 10, lost: 5, ok: false }), run(200)]);
  assert.equal(s.wallMsMedian, 200);
  assert.equal(s.wallMsMin, 100);
  assert.equal(s.wallMsMax, 300);
  assert.equal(s.rssMiBMax, 14);
  assert.equal(s.runsOk, 2);
  assert.equal(s.lostMax, 5);
  assert.equal(s.lostRuns, 1);
  assert.equal(s.throttledShare, 10 / 300);
  assert.equal(summariseRuns([]).wallMsMedian, null);
});

test('checkGoals: met, missed and not measured, with the measured value', () => {
  const cells = Object.fromEntries(buildCells({ sizes: [1, 1000, 5000], latencies: [0, 20] }).map((c) => [c.name, c]));
  const entry = (name, tools) => ({ cell: cells[name], tools: Object.fromEntries(Object.entries(tools).map(([t, runs]) => [t, summariseRuns(runs)])) });
  const floor1000 = cells['n1000-L20'].floorMs;
  const results = [
    entry('n1-L0', { fkv: [run(12)] }),
    entry('n1000-L20', { fkv: [run(floor1000 * 1.05)], 'sdk-c64': [run(floor1000 * 1.05 * 2)], 'sdk-chunks20': [run(floor1000 * 1.05 * 2.5)] }),
    entry('n5000-L20', { fkv: [run(cells['n5000-L20'].floorMs * 1.5, { rssKiB: 17 * 1024 })] }),
    entry('limit', { fkv: [run(cells.limit.floorMs * 1.1, { requests: 6300, throttled: 100 })] }),
    entry('limit-ra', { fkv: [run(cells['limit-ra'].floorMs, { ok: false, lost: 3, requests: 6300, throttled: 400 })] }),
  ];
  const goals = Object.fromEntries(checkGoals(results, TARGETS).map((g) => [g.goal, g]));
  const met = (pattern) => Object.values(goals).filter((g) => pattern.test(g.goal)).map((g) => g.met);
  assert.deepEqual(met(/^n1000-L20: binary within/), [true]);
  assert.deepEqual(met(/^n5000-L20: binary within/), [false]);
  assert.deepEqual(met(/^n1000-L20: 1.5x faster/), [true]);
  assert.deepEqual(met(/^n1000-L20: 3x faster than sdk-chunks20/), [false]);
  assert.deepEqual(met(/^limit: /), [true, true, true]);
  assert.deepEqual(met(/^limit-ra: /), [false, true, false]);
  assert.deepEqual(met(/peak RSS/), [false]);
  assert.deepEqual(met(/^n1-L0/), [true]);
  assert.match(goals['n1-L0: binary <= 20 ms'].measured, /12 ms/);
  assert.deepEqual(checkGoals([], TARGETS).map((g) => g.met).filter((m) => m !== null), [], 'nothing measured: nothing met or missed');
});

test('the report merges runs of the same cell and tool from several files and lists the missing cells', () => {
  const [cell] = buildCells({ sizes: [100], latencies: [20], limit: null });
  const { scenario, expected, ...record } = cell;
  const part = (runs) => ({ results: [{ cell: record, tools: { fkv: { ...summariseRuns(runs), runs } } }] });
  const merged = mergeRecords([part([run(100), run(300)]), part([run(200)])]);
  assert.equal(merged.length, 1);
  assert.equal(merged[0].tools.fkv.runsTotal, 3);
  assert.equal(merged[0].tools.fkv.wallMsMedian, 200);
  const missing = missingCells(merged);
  assert.ok(missing.includes('n100-L20: sdk-seq, sdk-chunks20, sdk-c64'), missing.join('\n'));
  assert.ok(missing.includes('n1-L0: fkv, sdk-seq, sdk-chunks20, sdk-c64'), missing.join('\n'));
});

test('a peer gets what a script step has: the IDs, the job token and the OIDC request URI, nothing of the task', () => {
  const { peerEnv } = require('../../scripts/bench/run-bench');
  const [cell] = buildCells({ sizes: [30], latencies: [0], limit: null });
  const env = peerEnv(cell, 'chunks20');
  assert.equal(env.FKV_PEER_MODE, 'chunks20');
  assert.equal(env.FKV_PEER_SECRETS, '*');
  assert.equal(env.SYSTEM_ACCESSTOKEN, cell.scenario.jobToken);
  assert.match(env.SYSTEM_OIDCREQUESTURI, /^https:\/\/dev\.azure\.com\/fkv-org\/.*\/oidctoken$/);
  assert.deepEqual(Object.keys(env).filter((k) => k.startsWith('ENDPOINT_') || k.startsWith('INPUT_')), []);
});
