#!/usr/bin/env node
'use strict';
// The benchmark runner behind scripts/bench.sh (read its header for the matrix, what is measured and the goals).
// For every cell of ./cases.js and every round, runs each tool (rotated order per round) once inside
// tests/e2e/ns-run against a fresh Azure fake, checks the run the way the agent reads it, prints a table,
// and optionally checks the goals (--check), writes JSON (--json) and the report (--report, ./report.js).
//
//   node scripts/bench/run-bench.js --binary FILE --fake FILE [--peers | --tools a,b] [--rounds N]
//        [--sizes 1,100,...] [--latencies 0,20] [--limit SECRETS/LIMIT/WINDOW/LATENCY | --no-limit]
//        [--cells a,b] [--json FILE] [--report FILE.md] [--check] [--timeout SECONDS]
//
// Exit code: 0 when every run that must be correct was (the binary's every run; a peer's outside the limit
// cells) and, with --check, no goal was missed; 1 otherwise; 2 on bad usage. Secret values are never printed.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { runTask, leaks } = require('../../tests/e2e/harness');
const { scenarioEnv } = require('../../tests/support/scenario-env');
const cases = require('./cases');
const { requestStats, summariseRuns } = require('./metrics');
const { checkGoals } = require('./goals');

const MEASURE = path.join(__dirname, 'measure.sh');
const PEER_SCRIPT = path.join(__dirname, '..', '..', 'bench', 'sdk-peer.mjs');
const PEER_MODULES = path.join(__dirname, '..', '..', 'bench', 'node_modules', '@azure', 'keyvault-secrets');
const MAX_ROUNDS = 50;

function usage(message) {
  process.stderr.write(`run-bench: ${message}\n` +
    'usage: run-bench.js --binary FILE --fake FILE [--peers | --tools fkv,sdk-seq,sdk-chunks20,sdk-c64] [--rounds N (default 5)]\n' +
    '       [--sizes 1,100,1000,5000] [--latencies 0,20] [--limit 6000/4000/10/0 | --no-limit] [--cells a,b]\n' +
    '       [--json FILE] [--report FILE.md] [--check] [--timeout SECONDS per run (default 600)]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const options = {
    rounds: 5, tools: ['fkv'], sizes: cases.DEFAULT_SIZES, latencies: cases.DEFAULT_LATENCIES,
    limit: { ...cases.LIMIT_DEFAULT }, cells: null, json: null, report: null, check: false, timeout: 600,
  };
  const integer = (flag, value, min, max) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) usage(`${flag} needs an integer ${min}..${max} (got '${value}')`);
    return n;
  };
  const list = (flag, value) => value.split(',').filter(Boolean).map((v) => integer(flag, v, 0, 99999));
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
      case '--peers': options.tools = Object.keys(cases.TOOLS); break;
      case '--tools': options.tools = value().split(',').filter(Boolean); break;
      case '--rounds': options.rounds = integer(flag, value(), 1, MAX_ROUNDS); break;
      case '--sizes': options.sizes = list(flag, value()); break;
      case '--latencies': options.latencies = list(flag, value()); break;
      case '--limit': {
        const parts = value().split('/');
        if (parts.length < 3 || parts.length > 4) usage('--limit needs SECRETS/LIMIT/WINDOW_SECONDS[/LATENCY_MS]');
        const [secrets, limit, windowSeconds, latencyMs = '0'] = parts;
        options.limit = { ...cases.LIMIT_DEFAULT, secrets: integer('--limit secrets', secrets, 1, 99999),
          limit: integer('--limit limit', limit, 1, 100000), windowSeconds: integer('--limit window', windowSeconds, 1, 3600),
          latencyMs: integer('--limit latency', latencyMs, 0, 1000) };
        break;
      }
      case '--no-limit': options.limit = null; break;
      case '--cells': options.cells = value().split(',').filter(Boolean); break;
      case '--json': options.json = value(); break;
      case '--report': options.report = value(); break;
      case '--check': options.check = true; break;
      case '--timeout': options.timeout = integer(flag, value(), 1, 3600); break;
      default: usage(`unknown option '${flag}'`);
    }
  }
  const unknownTools = options.tools.filter((t) => !cases.TOOLS[t]);
  if (unknownTools.length > 0) usage(`unknown tool(s): ${unknownTools.join(', ')} (have: ${Object.keys(cases.TOOLS).join(', ')})`);
  for (const flag of ['binary', 'fake']) {
    if (!options[flag] || !fs.existsSync(options[flag])) usage(`--${flag} must name an existing file (got '${options[flag] || ''}')`);
    options[flag] = path.resolve(options[flag]);  // runs start in a scratch directory
  }
  if (options.tools.some((t) => cases.TOOLS[t].kind === 'sdk') && !fs.existsSync(PEER_MODULES)) {
    usage('the SDK peers need bench/node_modules: run scripts/setup.sh (npm ci in bench/) first');
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

// Expected secrets a run did not set as a secret variable with the right value.
function lostSecrets(run, expected) {
  const table = run.log.variableTable();
  return Object.keys(expected).filter((name) => table[name] !== expected[name] || !run.log.variable(name).secret).length;
}

function readMeasurement(file) {
  const none = { wallMs: null, rssKiB: null, cpuMs: null };
  if (!fs.existsSync(file)) return none;
  const [micros, rss, user, sys] = fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
  return {
    wallMs: Number.isFinite(micros) ? micros / 1000 : null,
    rssKiB: Number.isFinite(rss) ? rss : null,
    cpuMs: Number.isFinite(user) && Number.isFinite(sys) ? (user + sys) * 1000 : null,
  };
}

// The environment a user's script step would have: the connection's IDs as pipeline variables, the job's
// access token and the OIDC request URI the agent sets (the same one the binary gets).
function peerEnv(cell, mode) {
  const agent = scenarioEnv(cell.scenario, { vault: cases.VAULT, filter: cell.filter });
  return {
    PATH: process.env.PATH, HOME: process.env.HOME || '/root',
    FKV_PEER_MODE: mode, FKV_PEER_VAULT: cases.VAULT, FKV_PEER_SECRETS: cell.filter,
    AZURE_TENANT_ID: cases.TENANT, AZURE_CLIENT_ID: cases.CLIENT, AZURE_SERVICE_CONNECTION_ID: cases.CONNECTION,
    SYSTEM_ACCESSTOKEN: cell.scenario.jobToken, SYSTEM_OIDCREQUESTURI: agent.SYSTEM_OIDCREQUESTURI,
  };
}

function runOnce(tool, cell, scenarioFile, options, measureFile) {
  const spec = cases.TOOLS[tool];
  const common = { scenarioFile, fake: options.fake, timeoutMs: options.timeout * 1000 };
  let run;
  try {
    run = spec.kind === 'binary'
      ? runTask({ ...common, env: scenarioEnv(cell.scenario, { vault: cases.VAULT, filter: cell.filter }),
        binary: options.binary, wrapper: [MEASURE, measureFile] })
      : runTask({ ...common, env: peerEnv(cell, spec.mode), binary: PEER_SCRIPT, wrapper: [MEASURE, measureFile, process.execPath] });
  } catch (error) {
    return { ok: false, problems: [`could not run: ${error.code || error.message}`], lost: Object.keys(cell.expected).length,
      wallMs: null, rssKiB: null, cpuMs: null };
  }
  const problems = verify(run, cell.expected);
  // The binary's every run also gets the e2e leak scan: no secret value or token outside setsecret /
  // issecret=true data, nothing in stderr (the peers are users' scripts: what they print is theirs).
  if (spec.kind === 'binary') {
    for (const leak of leaks(run, cell.scenario, { extra: Object.values(cell.expected) })) problems.push(`leak: ${leak}`);
  }
  const result = {
    ok: problems.length === 0,
    problems,
    lost: lostSecrets(run, cell.expected),
    ...readMeasurement(measureFile),
    ...requestStats(run.requests, `${cases.VAULT}.vault.azure.net`),
  };
  // stderr carries diagnostics only (neither ns-run, the binary nor the peer writes secrets there).
  if (!result.ok) result.stderrTail = run.stderr.split('\n').slice(-15).join('\n');
  return result;
}

// A run that must be correct: every run of our binary; a peer's outside the limit cells (there, what a
// peer loses is the measurement).
const mustSucceed = (tool, cell) => tool === 'fkv' || !cell.limited;

// The cell as recorded in JSON: everything but the scenario and the expected table.
const cellRecord = ({ scenario, expected, filter, ...rest }) => ({ ...rest, filter: filter === '*' ? '*' : `${filter.split(',').length} name(s)` });

function fmt(value, digits) {
  return value == null ? '-' : Number(value).toFixed(digits);
}

function printTable(results) {
  const header = ['cell', 'tool', 'ok', 'wall ms', 'min-max', 'x floor', 'CPU ms', 'RSS MiB', 'requests', 'conns',
    'in-flight', '429s', 'lost'];
  const rows = [];
  for (const { cell, tools } of results) {
    for (const [tool, s] of Object.entries(tools)) {
      rows.push([cell.name, tool, `${s.runsOk}/${s.runsTotal}`, fmt(s.wallMsMedian, 0), `${fmt(s.wallMsMin, 0)}-${fmt(s.wallMsMax, 0)}`,
        cell.floorMs > 0 && s.wallMsMedian != null ? fmt(s.wallMsMedian / cell.floorMs, 2) : '-', fmt(s.cpuMsMedian, 0),
        fmt(s.rssMiBMax, 1), fmt(s.requestsMedian, 0), fmt(s.connectionsMedian, 0), fmt(s.maxInFlight, 0),
        fmt(s.throttledMedian, 0), s.lostMax ? `${s.lostMedian}/${s.lostMax}` : '0']);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log('(wall: median; CPU user+sys, requests, conns, 429s: median per run; RSS: highest peak; in-flight: most at once; ' +
    'lost: median/max secrets not set)');
  for (const { cell } of results) console.log(`  ${cell.name}: ${cell.description}; floor ${fmt(cell.floorMs, 0)} ms`);
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  let cells = cases.buildCells({ sizes: options.sizes, latencies: options.latencies, limit: options.limit });
  if (options.cells) {
    const unknown = options.cells.filter((name) => !cells.some((c) => c.name === name));
    if (unknown.length > 0) usage(`unknown cell(s): ${unknown.join(', ')} (have: ${cells.map((c) => c.name).join(', ')})`);
    cells = cells.filter((c) => options.cells.includes(c.name));
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fkv-bench-'));
  const results = [];
  let allOk = true;
  try {
    for (const cell of cells) {
      const scenarioFile = path.join(scratch, `${cell.name}.json`);
      fs.writeFileSync(scenarioFile, JSON.stringify(cell.scenario));
      const runs = Object.fromEntries(options.tools.map((t) => [t, []]));
      const rounds = cases.roundsFor(cell, options.rounds);
      for (let round = 0; round < rounds; round += 1) {
        for (const tool of cases.rotation(options.tools, round)) {
          const result = runOnce(tool, cell, scenarioFile, options, path.join(scratch, `${cell.name}-${tool}-${round}.measure`));
          runs[tool].push(result);
          process.stderr.write(`bench: ${cell.name} round ${round + 1}/${rounds} ${tool}: ${fmt(result.wallMs, 0)} ms` +
            `${result.ok ? '' : `, ${result.lost} lost: ${result.problems.slice(0, 3).join('; ')}`}\n`);
          if (!result.ok && mustSucceed(tool, cell)) {
            allOk = false;
            if (result.stderrTail) process.stderr.write(`--- stderr of ns-run and ${tool} (tail) ---\n${result.stderrTail}\n`);
          }
        }
      }
      const tools = {};
      for (const tool of options.tools) {
        tools[tool] = { ...summariseRuns(runs[tool]), runs: runs[tool].map(({ stderrTail, ...r }) => r) };
      }
      results.push({ cell: cellRecord(cell), tools });
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  printTable(results);
  const goals = options.check ? checkGoals(results, cases.TARGETS) : [];
  for (const g of goals) console.log(`goal ${g.met === true ? 'MET    ' : g.met === false ? 'MISSED ' : 'NOT RUN'} ${g.goal}: ${g.measured}`);
  const missed = goals.filter((g) => g.met === false).length;
  if (!allOk) console.log('FAILED: at least one run that must be correct was not (see stderr)');

  const record = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: os.totalmem() / 2 ** 30, kernel: os.release(),
      loadAverage: os.loadavg() },
    command: `scripts/bench.sh ${process.argv.slice(2).filter((a, i, all) => !['--binary', '--fake'].includes(a) &&
      !['--binary', '--fake'].includes(all[i - 1])).join(' ')}`.trim(),
    tools: options.tools,
    rounds: options.rounds,
    ok: allOk,
    results,
  };
  if (options.json) fs.writeFileSync(options.json, `${JSON.stringify(record, null, 2)}\n`);
  if (options.report) require('./report').writeReport([record], options.report);
  process.exit(allOk && missed === 0 ? 0 : 1);
}

if (require.main === module) main();

module.exports = { parseArgs, verify, lostSecrets, peerEnv, mustSucceed };
