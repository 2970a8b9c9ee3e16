#!/usr/bin/env node
'use strict';
// The benchmark runner behind scripts/bench.sh (read its header for what is measured and the targets).
// Runs the real binary in tests/e2e/ns-run against the Azure fake for every case of ./cases.js, N times
// each, checks every run's correctness the way the agent would read it, and prints a table.
//
//   node scripts/bench/run-bench.js --binary FILE --fake FILE [--runs N] [--secrets N] [--names N]
//        [--cases a,b] [--json FILE] [--check] [--timeout SECONDS]
//
// Exit code: 0 when every run succeeded with the expected variables (and, with --check, every target
// was met); 1 otherwise; 2 on bad usage. Secret values are never printed, only names and counts.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { runTask } = require('../../tests/e2e/harness');
const { scenarioEnv } = require('../../tests/support/scenario-env');
const { buildCases, TARGETS, DEFAULT_SIZES, VAULT } = require('./cases');
const { requestStats, median } = require('./metrics');

const MEASURE = path.join(__dirname, 'measure.sh');
const MAX_RUNS = 50;

function usage(message) {
  process.stderr.write(`run-bench: ${message}\n` +
    'usage: run-bench.js --binary FILE --fake FILE [--runs N (1..50, default 5)] [--secrets N (default 1000)]\n' +
    '       [--names N (default 50)] [--cases list-0ms,list-20ms,names-20ms,throttled] [--json FILE] [--check]\n' +
    '       [--timeout SECONDS per run (default 120)]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { runs: 5, ...DEFAULT_SIZES, cases: null, json: null, check: false, timeout: 120 };
  const integer = (flag, value, min, max) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) usage(`${flag} needs an integer ${min}..${max} (got '${value}')`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${flag} needs a value`);
      i += 1;
      return argv[i];
    };
    switch (flag) {
      case '--binary': options.binary = value(); break;
      case '--fake': options.fake = value(); break;
      case '--runs': options.runs = integer(flag, value(), 1, MAX_RUNS); break;
      case '--secrets': options.secrets = integer(flag, value(), 1, 99999); break;
      case '--names': options.names = integer(flag, value(), 1, 99999); break;
      case '--cases': options.cases = value().split(',').filter(Boolean); break;
      case '--json': options.json = value(); break;
      case '--check': options.check = true; break;
      case '--timeout': options.timeout = integer(flag, value(), 1, 3600); break;
      default: usage(`unknown option '${flag}'`);
    }
  }
  for (const flag of ['binary', 'fake']) {
    if (!options[flag] || !fs.existsSync(options[flag])) usage(`--${flag} must name an existing file (got '${options[flag] || ''}')`);
    options[flag] = path.resolve(options[flag]);  // runs start in a scratch directory
  }
  if (options.check && (options.secrets !== DEFAULT_SIZES.secrets || options.names !== DEFAULT_SIZES.names)) {
    usage(`--check compares with targets for the default sizes (--secrets ${DEFAULT_SIZES.secrets} --names ${DEFAULT_SIZES.names}) only`);
  }
  return options;
}

// What is wrong with one run, as a list of messages naming what differs (never a value).
function verify(run, expected) {
  const problems = [];
  if (run.status !== 0) problems.push(`exit code ${run.status}${run.signal ? ` (signal ${run.signal})` : ''}`);
  const outcome = run.log.outcome(run.status ?? 1);
  if (outcome !== 'Succeeded') problems.push(`step result ${outcome}`);
  if (run.log.failures.length > 0) problems.push(`${run.log.failures.length} command(s) the agent rejects`);
  for (const message of run.log.errors()) problems.push(`error: ${message}`);
  const table = run.log.variableTable();
  const names = Object.keys(table);
  const expectedNames = Object.keys(expected);
  if (names.length !== expectedNames.length) problems.push(`${names.length} variables set, expected ${expectedNames.length}`);
  const missing = expectedNames.filter((name) => !(name in table));
  if (missing.length > 0) problems.push(`missing variables: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
  const unexpected = names.filter((name) => !(name in expected));
  if (unexpected.length > 0) problems.push(`unexpected variables: ${unexpected.slice(0, 5).join(', ')}`);
  const wrong = expectedNames.filter((name) => name in table && table[name] !== expected[name]);
  if (wrong.length > 0) problems.push(`wrong value for: ${wrong.slice(0, 5).join(', ')}`);
  const notSecret = expectedNames.filter((name) => run.log.variable(name) && !run.log.variable(name).secret);
  if (notSecret.length > 0) problems.push(`not marked secret: ${notSecret.slice(0, 5).join(', ')}`);
  return problems;
}

function readMeasurement(file) {
  if (!fs.existsSync(file)) return { wallMs: null, rssKiB: null };
  const [micros, rss] = fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
  return {
    wallMs: Number.isFinite(micros) ? micros / 1000 : null,
    rssKiB: Number.isFinite(rss) ? rss : null,
  };
}

function runOnce(benchCase, scenarioFile, options, scratch, index) {
  const measureFile = path.join(scratch, `${benchCase.name}-${index}.measure`);
  const env = scenarioEnv(benchCase.scenario, { vault: VAULT, filter: benchCase.filter });
  let run;
  try {
    run = runTask({
      scenarioFile, env, binary: options.binary, fake: options.fake,
      wrapper: [MEASURE, measureFile], timeoutMs: options.timeout * 1000,
    });
  } catch (error) {
    return { ok: false, problems: [`could not run: ${error.code || error.message}`], wallMs: null, rssKiB: null };
  }
  const problems = verify(run, benchCase.expected);
  const result = {
    ok: problems.length === 0,
    problems,
    ...readMeasurement(measureFile),
    ...requestStats(run.requests, `${VAULT}.vault.azure.net`),
  };
  if (!result.ok) {
    // stderr carries diagnostics only (neither ns-run nor the binary writes secrets there); the tail helps locate a failure.
    result.stderrTail = run.stderr.split('\n').slice(-15).join('\n');
  }
  return result;
}

function summarise(benchCase, runs, options) {
  const good = runs.filter((r) => r.ok);
  const pick = (key) => good.map((r) => r[key]).filter((v) => v != null);
  const walls = pick('wallMs');
  const rss = pick('rssKiB');
  const requests = pick('requests');
  const summary = {
    name: benchCase.name,
    description: benchCase.description,
    filter: benchCase.filter === '*' ? '*' : `${benchCase.filter.split(',').length} names`,
    latencyMs: benchCase.latencyMs,
    expectedVariables: Object.keys(benchCase.expected).length,
    runsOk: good.length,
    runsTotal: runs.length,
    wallMsMedian: median(walls),
    wallMsMin: walls.length ? Math.min(...walls) : null,
    wallMsMax: walls.length ? Math.max(...walls) : null,
    rssMiBMax: rss.length ? Math.max(...rss) / 1024 : null,
    requestsMedian: median(requests),
    listPagesMedian: median(pick('listPages')),
    maxInFlight: good.length ? Math.max(...pick('maxInFlight')) : null,
    throttledMedian: median(pick('throttled')),
    getsBeforeLastPageMedian: median(pick('getsBeforeLastPage')),
    runs,
  };
  // What the same requests would cost one after another at the added latency: the concurrency's gain.
  if (benchCase.latencyMs > 0 && summary.requestsMedian && summary.wallMsMedian) {
    summary.serialLatencyMs = summary.requestsMedian * benchCase.latencyMs;
    summary.speedupVsSerial = summary.serialLatencyMs / summary.wallMsMedian;
  }
  if (options.check) {
    const target = TARGETS[benchCase.name];
    const misses = [];
    if (target) {
      if (summary.wallMsMedian == null || summary.wallMsMedian > target.wallMs) {
        misses.push(`median wall ${fmt(summary.wallMsMedian, 0)} ms > target ${target.wallMs} ms`);
      }
      if (summary.rssMiBMax == null || summary.rssMiBMax > target.rssMiB) {
        misses.push(`max RSS ${fmt(summary.rssMiBMax, 1)} MiB > target ${target.rssMiB} MiB`);
      }
    }
    summary.target = target || null;
    summary.targetMisses = misses;
  }
  return summary;
}

function fmt(value, digits) {
  return value == null ? '-' : Number(value).toFixed(digits);
}

function printTable(summaries, options) {
  const header = ['case', 'vars', 'ok', 'wall ms (median)', 'min-max', 'RSS MiB', 'requests', 'pages', 'in-flight',
    'GETs<last page', '429s', 'x serial'];
  const rows = summaries.map((s) => [
    s.name, String(s.expectedVariables), `${s.runsOk}/${s.runsTotal}`, fmt(s.wallMsMedian, 0),
    `${fmt(s.wallMsMin, 0)}-${fmt(s.wallMsMax, 0)}`, fmt(s.rssMiBMax, 1), fmt(s.requestsMedian, 0),
    fmt(s.listPagesMedian, 0), fmt(s.maxInFlight, 0), fmt(s.getsBeforeLastPageMedian, 0), fmt(s.throttledMedian, 0),
    s.speedupVsSerial ? `${fmt(s.speedupVsSerial, 1)}x` : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(`(${options.runs} run(s) per case; wall = the binary alone, median; RSS = highest peak over the runs; ` +
    'requests/pages/429s = median per run; in-flight = most concurrent requests the fake served; ' +
    'x serial = requests x latency / wall)');
  for (const s of summaries) console.log(`  ${s.name}: ${s.description}`);
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  let cases = buildCases({ secrets: options.secrets, names: options.names });
  if (options.cases) {
    const unknown = options.cases.filter((name) => !cases.some((c) => c.name === name));
    if (unknown.length > 0) usage(`unknown case(s): ${unknown.join(', ')} (have: ${cases.map((c) => c.name).join(', ')})`);
    cases = cases.filter((c) => options.cases.includes(c.name));
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fkv-bench-'));
  const summaries = [];
  let allOk = true;
  try {
    for (const benchCase of cases) {
      const scenarioFile = path.join(scratch, `${benchCase.name}.json`);
      fs.writeFileSync(scenarioFile, JSON.stringify(benchCase.scenario));
      const runs = [];
      for (let i = 1; i <= options.runs; i += 1) {
        process.stderr.write(`bench: ${benchCase.name} run ${i}/${options.runs}\n`);
        const result = runOnce(benchCase, scenarioFile, options, scratch, i);
        runs.push(result);
        if (!result.ok) {
          allOk = false;
          process.stderr.write(`bench: ${benchCase.name} run ${i} FAILED: ${result.problems.join('; ')}\n`);
          if (result.stderrTail) process.stderr.write(`--- stderr of ns-run and the binary (tail) ---\n${result.stderrTail}\n`);
        }
      }
      summaries.push(summarise(benchCase, runs, options));
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  printTable(summaries, options);
  const misses = options.check ? summaries.flatMap((s) => s.targetMisses.map((m) => `${s.name}: ${m}`)) : [];
  if (options.check) {
    if (misses.length === 0) console.log('targets: all met');
    for (const miss of misses) console.log(`target MISSED: ${miss}`);
  }
  if (!allOk) console.log('FAILED: at least one run did not succeed with the expected variables (see stderr)');

  if (options.json) {
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: os.totalmem() / 2 ** 30, kernel: os.release() },
      binary: path.resolve(options.binary),
      runsPerCase: options.runs,
      sizes: { secrets: options.secrets, names: options.names },
      checked: options.check,
      targets: options.check ? TARGETS : undefined,
      ok: allOk && misses.length === 0,
      cases: summaries,
    };
    fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  process.exit(allOk && misses.length === 0 ? 0 : 1);
}

if (require.main === module) main();

module.exports = { parseArgs, verify, summarise };
