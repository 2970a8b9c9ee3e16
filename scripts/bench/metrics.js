'use strict';
// Pure measurements over one run's fake request log (tests/fake-azure/README.md, "Request log") and
// over repeated runs. No I/O.
//
//   requestStats(requests, vaultHost) -> { requests, vaultRequests, listPages, gets, throttled, maxInFlight, getsBeforeLastPage }
//   median([3, 1, 2]) -> 2

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

module.exports = { maxInFlight, requestStats, median };
