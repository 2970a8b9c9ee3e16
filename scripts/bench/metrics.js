'use strict';
// Pure measurements over one run's fake request log (tests/fake-azure/README.md, "Request log") and
// over repeated runs. No I/O.
//
//   requestStats(requests, vaultHost) -> { requests, connections, vaultRequests, listPages, gets, throttled, maxInFlight, getsBeforeLastPage }
//   median([3, 1, 2]) -> 2
//   summariseRuns(runs) -> { runsOk, runsTotal, wallMsMedian, wallMsMin, wallMsMax, cpuMsMedian, rssMiBMedian, rssMiBMax,
//                            requestsMedian, connectionsMedian, maxInFlight, throttledMedian, throttledShare, lostMedian, lostMax, lostRuns }

// The most requests the fake was serving at once (any host): a sweep over start_ms (+1) / end_ms (-1),
// ends before starts at equal times so back-to-back requests on one connection do not count as two.
function maxInFlight(requests) {
  const events = requests.flatMap((r) => [[r.start_ms, 1], [r.end_ms, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let max = 0;
  for (const [, delta] of events) {
    current += delta;
    max = Math.max(max, current);
  }
  return max;
}

const pathOf = (target) => target.split('?')[0].replace(/\/+$/, '');

function requestStats(requests, vaultHost) {
  const vault = requests.filter((r) => r.host === vaultHost);
  const pages = vault.filter((r) => r.method === 'GET' && pathOf(r.target) === '/secrets');
  const gets = vault.filter((r) => r.method === 'GET' && pathOf(r.target).startsWith('/secrets/'));
  const lastPageStart = pages.reduce((latest, r) => Math.max(latest, r.start_ms), -Infinity);
  return {
    requests: requests.length,
    // Connections that carried at least one request (the fake numbers them; keep-alive reuse repeats a number).
    connections: new Set(requests.map((r) => r.conn)).size,
    vaultRequests: vault.length,
    listPages: pages.length,
    gets: gets.length,
    throttled: requests.filter((r) => r.status === 429).length,
    maxInFlight: maxInFlight(requests),
    // Secret GETs that started before the last list page was requested: the overlap of listing and fetching.
    getsBeforeLastPage: pages.length === 0 ? 0 : gets.filter((r) => r.start_ms < lastPageStart).length,
  };
}

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const minOf = (values) => (values.length ? Math.min(...values) : null);
const maxOf = (values) => (values.length ? Math.max(...values) : null);

// One tool in one cell over its runs. Each run: { ok, lost, wallMs, rssKiB, cpuMs, requests, connections,
// maxInFlight, throttled }. Times, CPU, RSS and request counts come from every run that ended (a run that
// lost secrets still took its time); `lost` counts expected secrets not set correctly, per run.
function summariseRuns(runs) {
  const pick = (key) => runs.map((r) => r[key]).filter((v) => v != null && Number.isFinite(v));
  const walls = pick('wallMs');
  const rss = pick('rssKiB').map((k) => k / 1024);
  const requests = pick('requests');
  const throttled = pick('throttled');
  const lost = pick('lost');
  return {
    runsOk: runs.filter((r) => r.ok).length,
    runsTotal: runs.length,
    wallMsMedian: median(walls),
    wallMsMin: minOf(walls),
    wallMsMax: maxOf(walls),
    cpuMsMedian: median(pick('cpuMs')),
    rssMiBMedian: median(rss),
    rssMiBMax: maxOf(rss),
    requestsMedian: median(requests),
    connectionsMedian: median(pick('connections')),
    maxInFlight: maxOf(pick('maxInFlight')),
    throttledMedian: median(throttled),
    // 429s over all requests of all runs.
    throttledShare: requests.length ? throttled.reduce((a, b) => a + b, 0) / requests.reduce((a, b) => a + b, 0) : null,
    lostMedian: median(lost),
    lostMax: maxOf(lost),
    lostRuns: lost.filter((n) => n > 0).length,
  };
}

module.exports = { maxInFlight, requestStats, median, summariseRuns };
