#!/usr/bin/env node
'use strict';
// The benchmark report: docs/benchmarks.md (tables, floors, goals, missing cells) and a PNG chart beside it
// (gnuplot: median wall time vs N per tool, log-log), from one or more results files of run-bench.js --json
// (runs of the same cell and tool are merged, so a long matrix can be measured in pieces).
//
//   node scripts/bench/report.js --out docs/benchmarks.md results-a.json [results-b.json ...]
//   require('./report').writeReport(records, 'docs/benchmarks.md')
//
// Only the part between the markers <!-- generated:begin --> and <!-- generated:end --> is rewritten when
// the file exists, so the hand-written reading around it stays. gnuplot missing: the chart is skipped (warning).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const childProcess = require('node:child_process');

const cases = require('./cases');
const { summariseRuns } = require('./metrics');
const { checkGoals } = require('./goals');

const BEGIN = '<!-- generated:begin -->';
const END = '<!-- generated:end -->';

// Merges records: the same cell and tool over several files concatenate their runs; summaries are recomputed.
function mergeRecords(records) {
  const cells = new Map();
  for (const record of records) {
    for (const { cell, tools } of record.results) {
      if (!cells.has(cell.name)) cells.set(cell.name, { cell, runs: {} });
      const entry = cells.get(cell.name);
      for (const [tool, summary] of Object.entries(tools)) {
        entry.runs[tool] = [...(entry.runs[tool] || []), ...summary.runs];
      }
    }
  }
  const order = Object.keys(cases.TOOLS);
  // Cells in the matrix's order (cases.buildCells), any others after them in the order they came.
  const matrix = cases.buildCells({}).map((c) => c.name);
  const rank = (name) => (matrix.includes(name) ? matrix.indexOf(name) : matrix.length);
  return [...cells.values()].sort((a, b) => rank(a.cell.name) - rank(b.cell.name)).map(({ cell, runs }) => ({
    cell,
    tools: Object.fromEntries(order.filter((t) => runs[t]).map((t) => [t, { ...summariseRuns(runs[t]), runs: runs[t] }])),
  }));
}

// The full matrix of issue 9 (every tool, default sizes, latencies and limit cells) minus what was measured.
function missingCells(results) {
  const have = new Set(results.flatMap(({ cell, tools }) => Object.keys(tools).map((t) => `${cell.name}/${t}`)));
  const full = cases.buildCells({});
  const missing = [];
  for (const cell of full) {
    const absent = Object.keys(cases.TOOLS).filter((t) => !have.has(`${cell.name}/${t}`));
    if (absent.length > 0) missing.push(`${cell.name}: ${absent.join(', ')}`);
  }
  return missing;
}

// Measured cells and tools with fewer runs than the full run's rounds (5; 3 for the big cells).
function shortCells(results) {
  const short = [];
  for (const { cell, tools } of results) {
    const want = cases.roundsFor(cell, 5);
    for (const [tool, s] of Object.entries(tools)) if (s.runsTotal < want) short.push(`${cell.name}/${tool}: ${s.runsTotal} of ${want} rounds`);
  }
  return short;
}

const f = (v, digits = 0) => (v == null ? '–' : Number(v).toFixed(digits));
const wall = (s) => (s.wallMsMedian == null ? '–' : `${f(s.wallMsMedian)} (${f(s.wallMsMin)}–${f(s.wallMsMax)})`);

function resultsTable(results) {
  const lines = [
    '| cell | floor ms | tool | runs ok | wall ms, median (min–max) | × floor | CPU ms | peak RSS MiB | requests | connections | most in flight | 429s | secrets lost (median / max) |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { cell, tools } of results) {
    for (const [tool, s] of Object.entries(tools)) {
      const ratio = cell.floorMs > 0 && s.wallMsMedian != null ? `${f(s.wallMsMedian / cell.floorMs, 2)}` : '–';
      lines.push(`| ${cell.name} | ${f(cell.floorMs)} | ${tool} | ${s.runsOk}/${s.runsTotal} | ${wall(s)} | ${ratio} | ` +
        `${f(s.cpuMsMedian)} | ${f(s.rssMiBMax, 1)} | ${f(s.requestsMedian)} | ${f(s.connectionsMedian)} | ${f(s.maxInFlight)} | ` +
        `${f(s.throttledMedian)} | ${f(s.lostMedian)} / ${f(s.lostMax)} |`);
    }
  }
  return lines.join('\n');
}

function goalsTable(goals) {
  const mark = (met) => (met === true ? 'met' : met === false ? '**missed**' : 'not measured');
  return ['| goal | result | measured |', '|---|---|---|', ...goals.map((g) => `| ${g.goal} | ${mark(g.met)} | ${g.measured} |`)].join('\n');
}

function generated(records, results, chartName, files = []) {
  const machine = records[0].machine;
  const commands = [...new Set(records.map((r) => r.command))];
  const dates = records.map((r) => r.date).sort();
  const loads = records.map((r) => (r.machine.loadAverage || [])[0]).filter((v) => v != null);
  const missing = missingCells(results);
  const short = shortCells(results);
  return [
    BEGIN,
    `Parts finished ${dates.join(", ")}; machine: ${machine.cpus} × ${machine.model}, ` +
      `${f(machine.memGiB, 1)} GiB, Linux ${machine.kernel}` +
      (loads.length ? `; 1-minute load average at the end of each part: ${loads.map((l) => f(l, 1)).join(', ')}` : '') + '.',
    '',
    'Commands (each part of the measurement; runs of the same cell and tool are merged):',
    '',
    '```',
    ...commands,
    `node scripts/bench/report.js --out docs/benchmarks.md ${files.length ? files.join(' ') : '<the parts\' --json files>'}`,
    '```',
    '',
    `![median wall time vs N per tool, log scale](${chartName})`,
    '',
    '### Results',
    '',
    'Floor: (P + 3)·L + 2·L (P = ceil(N/25) list pages one after another, the OIDC request, the token exchange, ' +
      'the last GET; one connection setup of 2·L that pre-connecting cannot hide); the limit cells add ' +
      'floor((N + P − 1) / limit) windows. × floor = median wall / floor (– where the floor is 0). ' +
      'Wall is the tool alone: the binary for `fkv` (its Node launcher is not counted), `node bench/sdk-peer.mjs` for a peer ' +
      '(Node start-up and module loading count, as they do in a script step).',
    '',
    resultsTable(results),
    '',
    '### Goals (`scripts/bench.sh --check`, TARGETS in `scripts/bench/cases.js`)',
    '',
    goalsTable(checkGoals(results, cases.TARGETS)),
    '',
    '### Cells not measured',
    '',
    missing.length === 0 ? 'None: the whole matrix was measured.' : missing.map((m) => `- ${m}`).join('\n'),
    '',
    'Measured with fewer rounds than the full run:',
    '',
    short.length === 0 ? 'None.' : short.map((m) => `- ${m}`).join('\n'),
    END,
  ].join('\n');
}

// gnuplot: one line per tool and latency (median wall vs N, log-log), the floor at the largest latency.
function writeChart(results, pngFile) {
  const plain = results.filter(({ cell }) => !cell.limited);
  const latencies = [...new Set(plain.map(({ cell }) => cell.latencyMs))].sort((a, b) => a - b);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fkv-chart-'));
  try {
    const series = [];
    for (const latency of latencies) {
      for (const tool of Object.keys(cases.TOOLS)) {
        const points = plain.filter(({ cell, tools }) => cell.latencyMs === latency && tools[tool] && tools[tool].wallMsMedian != null)
          .map(({ cell, tools }) => [cell.secrets, tools[tool].wallMsMedian]).sort((a, b) => a[0] - b[0]);
        if (points.length === 0) continue;
        const file = path.join(dir, `${tool}-${latency}.dat`);
        fs.writeFileSync(file, points.map((p) => p.join(' ')).join('\n') + '\n');
        series.push({ file, title: `${tool}, L = ${latency} ms`, dashed: latency !== latencies[latencies.length - 1] });
      }
    }
    if (series.length === 0) return false;
    const top = latencies[latencies.length - 1];
    const floors = plain.filter(({ cell }) => cell.latencyMs === top && cell.floorMs > 0).map(({ cell }) => [cell.secrets, cell.floorMs])
      .sort((a, b) => a[0] - b[0]);
    if (floors.length > 0) {
      const file = path.join(dir, 'floor.dat');
      fs.writeFileSync(file, floors.map((p) => p.join(' ')).join('\n') + '\n');
      series.push({ file, title: `floor, L = ${top} ms`, floor: true });
    }
    const colours = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a'];
    const plots = series.map((s) => {
      const tool = path.basename(s.file).split('-').slice(0, -1).join('-');
      const colour = s.floor ? '#000000' : colours[Object.keys(cases.TOOLS).indexOf(tool) % colours.length];
      return `'${s.file}' using 1:2 with linespoints lw 2 dt ${s.floor ? 3 : s.dashed ? 2 : 1} lc rgb '${colour}' title '${s.title}'`;
    });
    const script = [
      `set terminal pngcairo size 1000,640 font 'sans,11'`,
      `set output '${pngFile}'`,
      `set title 'Median wall time vs number of secrets (fake with latency L per answer and 2L per new connection)'`,
      'set logscale xy', 'set grid', `set xlabel 'N secrets (1 = one explicit name)'`, `set ylabel 'wall time, ms'`,
      'set key top left', `plot ${plots.join(', \\\n  ')}`,
    ].join('\n');
    const scriptFile = path.join(dir, 'chart.gp');
    fs.writeFileSync(scriptFile, `${script}\n`);
    const run = childProcess.spawnSync('gnuplot', [scriptFile], { encoding: 'utf8' });
    if (run.error || run.status !== 0) {
      process.stderr.write(`report: gnuplot failed, no chart: ${run.error ? run.error.message : run.stderr}\n`);
      return false;
    }
    return true;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const TEMPLATE_HEAD = '# Benchmarks\n\nWritten by `scripts/bench.sh --report docs/benchmarks.md` (or `scripts/bench/report.js`); ' +
  'only the generated part between the markers is rewritten.\n\n';

function writeReport(records, mdFile, files = []) {
  const results = mergeRecords(records);
  const pngFile = mdFile.replace(/\.md$/, '') + '.png';
  writeChart(results, pngFile);
  const body = generated(records, results, path.basename(pngFile), files);
  const old = fs.existsSync(mdFile) ? fs.readFileSync(mdFile, 'utf8') : '';
  const text = old.includes(BEGIN) && old.includes(END)
    ? old.slice(0, old.indexOf(BEGIN)) + body + old.slice(old.indexOf(END) + END.length)
    : `${TEMPLATE_HEAD}${body}\n`;
  fs.writeFileSync(mdFile, text);
}

function main() {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--out');
  if (at < 0 || at + 1 >= argv.length) {
    process.stderr.write('usage: report.js --out docs/benchmarks.md results.json [more.json ...]\n');
    process.exit(2);
  }
  const out = argv[at + 1];
  const files = argv.filter((_, i) => i !== at && i !== at + 1);
  if (files.length === 0) {
    process.stderr.write('report.js: give at least one results file (run-bench.js --json)\n');
    process.exit(2);
  }
  writeReport(files.map((file) => JSON.parse(fs.readFileSync(file, 'utf8'))), out, files);
}

if (require.main === module) main();

module.exports = { mergeRecords, missingCells, shortCells, writeReport, generated, BEGIN, END };
