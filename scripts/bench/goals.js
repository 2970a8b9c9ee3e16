'use strict';
// The goals of issue 9 (TARGETS in ./cases.js) checked against benchmark results. Pure; no I/O.
//
//   checkGoals(results, TARGETS) -> [{ goal, met: true | false | null (not measured), measured }]
//
// results: [{ cell: { name, secrets, latencyMs, limited, floorMs }, tools: { fkv: summary, 'sdk-seq': summary, ... } }]
// where a summary is metrics.summariseRuns' output. Ratios use median wall times.

const ms = (v) => (v == null ? '-' : `${Math.round(v)} ms`);
const x = (v, digits = 2) => `${v.toFixed(digits)}x`;

function checkGoals(results, targets) {
  const goals = [];
  const byName = new Map(results.map((r) => [r.cell.name, r]));
  const fkvOf = (r) => r && r.tools.fkv && r.tools.fkv.wallMsMedian != null ? r.tools.fkv : null;
  const add = (goal, met, measured) => goals.push({ goal, met, measured });

  for (const name of targets.floor.cells) {
    const goal = `${name}: binary within ${targets.floor.maxRatio}x the floor`;
    const r = byName.get(name);
    const fkv = fkvOf(r);
    if (!fkv) { add(goal, null, 'not measured'); continue; }
    const ratio = fkv.wallMsMedian / r.cell.floorMs;
    add(goal, ratio <= targets.floor.maxRatio, `${x(ratio, 3)} (${ms(fkv.wallMsMedian)} / floor ${ms(r.cell.floorMs)})`);
  }

  const peerCells = results.filter((r) => !r.cell.limited && r.cell.secrets >= targets.fastestPeer.minSecrets &&
    r.cell.latencyMs === targets.fastestPeer.latencyMs);
  let peerMeasured = false;
  for (const r of peerCells) {
    const fkv = fkvOf(r);
    const peers = Object.entries(r.tools).filter(([tool, s]) => tool !== 'fkv' && s.wallMsMedian != null);
    if (!fkv || peers.length === 0) continue;
    peerMeasured = true;
    const [fastest, best] = peers.reduce((a, b) => (b[1].wallMsMedian < a[1].wallMsMedian ? b : a));
    const factor = best.wallMsMedian / fkv.wallMsMedian;
    add(`${r.cell.name}: ${targets.fastestPeer.minFactor}x faster than the fastest peer`, factor >= targets.fastestPeer.minFactor,
      `${x(factor)} (${fastest} ${ms(best.wallMsMedian)} / binary ${ms(fkv.wallMsMedian)})`);
    const chunks = r.tools[targets.chunks20.peer];
    if (chunks && chunks.wallMsMedian != null) {
      const f = chunks.wallMsMedian / fkv.wallMsMedian;
      add(`${r.cell.name}: ${targets.chunks20.minFactor}x faster than ${targets.chunks20.peer}`, f >= targets.chunks20.minFactor,
        `${x(f)} (${ms(chunks.wallMsMedian)} / ${ms(fkv.wallMsMedian)})`);
    }
  }
  if (!peerMeasured) {
    add(`N >= ${targets.fastestPeer.minSecrets}, L = ${targets.fastestPeer.latencyMs} ms: ${targets.fastestPeer.minFactor}x faster ` +
      `than the fastest peer, ${targets.chunks20.minFactor}x faster than ${targets.chunks20.peer}`, null, 'not measured (run with --peers)');
  }

  const limitCells = results.filter((r) => r.cell.limited);
  if (limitCells.length === 0) add('limit cells: every secret set, near the limit\'s floor, few 429s', null, 'not measured');
  for (const r of limitCells) {
    const fkv = fkvOf(r);
    if (!fkv) { add(`${r.cell.name}: every secret set in every run`, null, 'not measured'); continue; }
    add(`${r.cell.name}: every secret set in every run`, fkv.lostRuns === 0 && fkv.runsOk === fkv.runsTotal,
      `${fkv.runsOk}/${fkv.runsTotal} runs complete, at most ${fkv.lostMax} secret(s) lost in a run`);
    const ratio = fkv.wallMsMedian / r.cell.floorMs;
    add(`${r.cell.name}: within ${targets.limit.maxRatio}x the limit's floor`, ratio <= targets.limit.maxRatio,
      `${x(ratio, 3)} (${ms(fkv.wallMsMedian)} / floor ${ms(r.cell.floorMs)})`);
    add(`${r.cell.name}: 429s under ${targets.limit.maxThrottledShare * 100} % of requests`,
      fkv.throttledShare != null && fkv.throttledShare < targets.limit.maxThrottledShare,
      fkv.throttledShare == null ? 'no requests' : `${(fkv.throttledShare * 100).toFixed(1)} % (median ${fkv.throttledMedian} 429s of ${fkv.requestsMedian} requests)`);
  }

  const rssCells = results.filter((r) => !r.cell.limited && r.cell.secrets === targets.rss.secrets && fkvOf(r));
  const rssGoal = `peak RSS <= ${targets.rss.maxMiB} MiB at N = ${targets.rss.secrets}`;
  if (rssCells.length === 0) add(rssGoal, null, 'not measured');
  else {
    const peak = Math.max(...rssCells.map((r) => r.tools.fkv.rssMiBMax));
    add(rssGoal, peak <= targets.rss.maxMiB, `${peak.toFixed(1)} MiB (highest over ${rssCells.map((r) => r.cell.name).join(', ')})`);
  }

  const single = byName.get(targets.single.cell);
  const singleGoal = `${targets.single.cell}: binary <= ${targets.single.maxMs} ms`;
  if (!fkvOf(single)) add(singleGoal, null, 'not measured');
  else add(singleGoal, single.tools.fkv.wallMsMedian <= targets.single.maxMs, `median ${ms(single.tools.fkv.wallMsMedian)}`);
  return goals;
}

module.exports = { checkGoals };
