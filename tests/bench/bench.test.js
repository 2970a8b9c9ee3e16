'use strict';
// Unit tests of the benchmark's pure parts (scripts/bench/): the request-log measurements, the generated
// cases and their expected variables, the per-run correctness check and the target comparison.
// No namespace, no fake, no timing: bench/smoke runs the real thing.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { maxInFlight, requestStats, median } = require('../../scripts/bench/metrics');
const { buildCases, spreadIndexes, TARGETS, VAULT } = require('../../scripts/bench/cases');
const { verify, summarise } = require('../../scripts/bench/run-bench');
const { parseAgentLog } = require('../support/agent-log');

const HOST = `${VAULT}.vault.azure.net`;
const req = (start, end, extra = {}) => ({ method: 'GET', host: HOST, target: '/secrets/x?api-version=7.5', status: 200,
  start_ms: start, end_ms: end, ...extra });

test('maxInFlight counts overlaps, not back-to-back requests', () => {
  assert.equal(maxInFlight([]), 0);
  assert.equal(maxInFlight([req(0, 10), req(10, 20), req(20, 30)]), 1);
  assert.equal(maxInFlight([req(0, 10), req(5, 15), req(6, 7), req(14, 20)]), 3);
});

test('requestStats tells list pages from secret GETs and counts 429s and the list/GET overlap', () => {
  const requests = [
    { method: 'POST', host: 'dev.azure.com', target: '/o/p/_apis/x/oidctoken', status: 200, start_ms: 0, end_ms: 1 },
    req(2, 3, { target: '/secrets?api-version=7.5&maxresults=25' }),
    req(3, 9, { target: '/secrets/gen-00000?api-version=7.5' }),
    req(4, 5, { target: '/secrets?api-version=7.5&$skiptoken=2', status: 429 }),
    req(6, 8, { target: '/secrets?api-version=7.5&$skiptoken=2' }),
    req(9, 10, { target: '/secrets/gen-00001/?api-version=7.5' }),
    req(7, 9, { target: '/secrets/gen-00002?api-version=7.5', status: 429 }),
  ];
  assert.deepEqual(requestStats(requests, HOST), {
    requests: 7, vaultRequests: 6, listPages: 3, gets: 3, throttled: 2, maxInFlight: 3, getsBeforeLastPage: 1,
  });
  assert.equal(requestStats([req(0, 1)], HOST).getsBeforeLastPage, 0, 'no list call: no overlap to speak of');
});

test('median of odd, even and empty lists', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), null);
});

test('cases expect one secret variable per selected generated secret', () => {
  const cases = buildCases({ secrets: 30, names: 10 });
  assert.deepEqual(cases.map((c) => c.name), Object.keys(TARGETS));
  const byName = Object.fromEntries(cases.map((c) => [c.name, c]));
  assert.equal(Object.keys(byName['list-0ms'].expected).length, 30);
  assert.equal(byName['list-0ms'].expected['gen-00029'], 'value-00029');
  assert.equal(byName['list-20ms'].scenario.latencyMs, 20);
  assert.equal(byName['list-20ms'].scenario.vaults[0].generate.count, 30);
  const names = byName['names-20ms'].filter.split(',');
  assert.equal(names.length, 10);
  assert.deepEqual(Object.keys(byName['names-20ms'].expected), names);
  const throttled = byName.throttled.scenario.vaults[0];
  assert.equal(throttled.generate.count, 20);
  assert.deepEqual(throttled.throttle, { limit: 10, windowSeconds: 1, retryAfter: '1' });
  assert.throws(() => buildCases({ secrets: 0, names: 1 }), /--secrets/);
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

test('summarise reports a missed target only with --check, from the successful runs', () => {
  const [listCase] = buildCases({ secrets: 1000, names: 50 });
  const run = (wallMs, rssKiB, ok = true) => ({ ok, wallMs, rssKiB, requests: 1042, listPages: 40, gets: 1000, throttled: 0,
    maxInFlight: 16, getsBeforeLastPage: 600 });
  const fast = [run(80, 11000), run(90, 12000), run(9999, 99999, false)];
  const met = summarise(listCase, fast, { check: true });
  assert.equal(met.wallMsMedian, 85);
  assert.equal(met.runsOk, 2);
  assert.deepEqual(met.targetMisses, []);

  const slow = summarise(listCase, [run(TARGETS['list-0ms'].wallMs + 1, 1024 * (TARGETS['list-0ms'].rssMiB + 1))], { check: true });
  assert.equal(slow.targetMisses.length, 2, slow.targetMisses.join('\n'));
  assert.equal(summarise(listCase, [run(1e9, 1e9)], { check: false }).targetMisses, undefined);
});
