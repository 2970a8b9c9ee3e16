'use strict';
// The benchmark matrix (issue 9): the tools, the cells (each an Azure fake scenario, tests/fake-azure/README.md,
// with the task inputs and the variables a correct run sets), the floors a cell allows and the goals.
//
//   const { buildCells, TOOLS, TARGETS } = require('./cases');
//   buildCells({ sizes: [1, 100], latencies: [0, 20], limit: LIMIT_DEFAULT })
//     -> [{ name, secrets, latencyMs, connectDelayMs, limited, retryAfter, big, floorMs, scenario, filter, expected }]
//
// Generated secrets are gen-00000 = value-00000, ... (the fake's `generate`), all enabled and unexpired,
// single-line, so a correct run sets exactly one secret variable per selected secret with that value.

const TENANT = '11111111-2222-4333-8444-555555555555';
const CONNECTION = 'aaaaaaaa-0000-4000-8000-0000000000b1';
const CLIENT = 'cccccccc-0000-4000-8000-0000000000b1';
const VAULT = 'fkv-bench';
const NAME_PREFIX = 'gen-';
const VALUE_PREFIX = 'value-';
const PAGE_SIZE = 25;  // Key Vault's page size for the secrets list

// The tools, in their round-0 order (each round rotates it by one). `kind`: 'binary' is our task's binary;
// 'sdk' is bench/sdk-peer.mjs in the given mode (Microsoft's JS SDK, written the way users write it).
const TOOLS = {
  fkv: { label: 'federated-keyvault', kind: 'binary' },
  'sdk-seq': { label: 'SDK, sequential', kind: 'sdk', mode: 'sequential' },
  'sdk-chunks20': { label: 'SDK, chunks of 20', kind: 'sdk', mode: 'chunks20' },
  'sdk-c64': { label: 'SDK, 64 concurrent', kind: 'sdk', mode: 'concurrent64' },
};
const PEERS = Object.keys(TOOLS).filter((t) => t !== 'fkv');

const DEFAULT_SIZES = [1, 100, 1000, 5000];  // 1 is one explicit name (no list call); the rest list '*'
const DEFAULT_LATENCIES = [0, 20];
// The limit cells: Key Vault's documented secret GET limit (4000 per 10 s per vault), emulated by the fake
// as a sliding window, answered 429 without Retry-After (like the captured real answer) and with one.
const LIMIT_DEFAULT = { secrets: 6000, limit: 4000, windowSeconds: 10, retryAfter: '1', latencyMs: 0 };
const CONNECT_FACTOR = 2;  // a new connection costs 2·L before its TLS handshake completes (TCP + TLS 1.3)
const BIG = 5000;          // cells with at least this many secrets run fewer rounds (3 of 5 by default)
const BIG_ROUNDS = 3;

// Goals (issue 9), checked by --check (./goals.js); ratios are median wall / floor.
const TARGETS = {
  floor: { cells: ['n1000-L20', 'n5000-L20'], maxRatio: 1.1 },            // binary within 1.1x the floor
  fastestPeer: { minSecrets: 100, latencyMs: 20, minFactor: 1.5 },        // >= 1.5x faster than the fastest peer
  chunks20: { minSecrets: 100, latencyMs: 20, minFactor: 3, peer: 'sdk-chunks20' },  // >= 3x faster than chunks of 20
  limit: { maxLost: 0, maxRatio: 1.15, maxThrottledShare: 0.05 },        // limit cells: nothing lost, near the limit's floor, <5% 429s
  rss: { secrets: 5000, maxMiB: 16 },                                     // peak RSS at N = 5000
  single: { cell: 'n1-L0', maxMs: 20 },                                   // one explicit name at L = 0
};

const pad = (i) => String(i).padStart(5, '0');
const secretName = (i) => `${NAME_PREFIX}${pad(i)}`;
const secretValue = (i) => `${VALUE_PREFIX}${pad(i)}`;
const range = (n) => Array.from({ length: n }, (_, i) => i);

function baseScenario({ latencyMs, connectDelayMs, vault }) {
  return {
    organization: { name: 'fkv-org', id: '7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7e91' },
    project: { name: 'fkv-project', id: '3f2c1b4a-5d6e-4f70-8a9b-0c1d2e3f4a5c' },
    jobToken: 'fkv-bench-job-token-6d2f0b9a41c7e385',
    latencyMs,
    connectDelayMs,
    tenants: [{ id: TENANT }],
    connections: [{ id: CONNECTION, name: 'fkv-bench-wif', issuerFormat: 'azuredevops', tenant: TENANT, clientId: CLIENT }],
    apps: [{ clientId: CLIENT, tenant: TENANT, federatedCredentials: [{ connection: CONNECTION }] }],
    vaults: [{ name: VAULT, tenant: TENANT, secrets: [], ...vault }],
  };
}

function expectedFor(indexes) {
  const table = {};
  for (const i of indexes) table[secretName(i)] = secretValue(i);
  return table;
}

// `names` evenly spread over `total` generated secrets (never more than there are).
function spreadIndexes(total, names) {
  const count = Math.min(names, total);
  return range(count).map((k) => Math.floor((k * total) / count));
}

// The list pages a '*' run must read one after another (nextLink); 0 for explicit names.
const pagesFor = (secrets, explicit) => (explicit ? 0 : Math.ceil(secrets / PAGE_SIZE));

// The latency floor: OIDC request, Entra exchange, P pages one after another and the last GET after the
// last page: (P + 3)·L, plus one connection setup (2·L) that pre-connecting cannot hide.
function latencyFloorMs({ pages, latencyMs, connectDelayMs }) {
  return (pages + 3) * latencyMs + connectDelayMs;
}

// The limit's floor: the k-th admitted vault request cannot start before floor((k-1)/limit) windows,
// so R = N GETs + P pages need floor((R-1)/limit)·window at least (plus the latency floor).
function limitFloorMs({ secrets, pages, limit, windowSeconds }) {
  return Math.floor((secrets + pages - 1) / limit) * windowSeconds * 1000;
}

function cell({ name, secrets, latencyMs, explicit = false, throttle = null }) {
  const connectDelayMs = CONNECT_FACTOR * latencyMs;
  const vaultSecrets = explicit ? Math.max(secrets, 100) : secrets;  // an explicit name is looked up in a larger vault
  const picked = explicit ? spreadIndexes(vaultSecrets, secrets) : range(secrets);
  const pages = pagesFor(secrets, explicit);
  const vault = { pageSize: PAGE_SIZE, generate: { count: vaultSecrets, namePrefix: NAME_PREFIX, valuePrefix: VALUE_PREFIX } };
  // Without a throttle the emulation is off (limit 0), so the plain cells measure latency alone.
  vault.throttle = throttle || { limit: 0, windowSeconds: 10, retryAfter: null };
  const floorMs = latencyFloorMs({ pages, latencyMs, connectDelayMs }) +
    (throttle ? limitFloorMs({ secrets, pages, limit: throttle.limit, windowSeconds: throttle.windowSeconds }) : 0);
  return {
    name,
    description: `${explicit ? `${secrets} explicit name${secrets === 1 ? '' : 's'}` : `'*' over ${secrets} secrets`}, ` +
      `L = ${latencyMs} ms, connection setup ${connectDelayMs} ms` +
      (throttle ? `, limit ${throttle.limit} requests / ${throttle.windowSeconds} s, 429 ${throttle.retryAfter ? `Retry-After: ${throttle.retryAfter}` : 'without Retry-After'}` : ''),
    secrets,
    latencyMs,
    connectDelayMs,
    pages,
    limited: Boolean(throttle),
    retryAfter: throttle ? throttle.retryAfter : null,
    big: secrets >= BIG,
    floorMs,
    scenario: baseScenario({ latencyMs, connectDelayMs, vault }),
    filter: explicit ? picked.map(secretName).join(',') : '*',
    expected: expectedFor(picked),
  };
}

const checkInteger = (what, n, min, max) => {
  if (!(Number.isInteger(n) && n >= min && n <= max)) throw new Error(`${what} must be an integer ${min}..${max} (got ${n})`);
};

// sizes: 1 means one explicit name, others '*' over that many; limit: null for no limit cells.
function buildCells({ sizes = DEFAULT_SIZES, latencies = DEFAULT_LATENCIES, limit = LIMIT_DEFAULT } = {}) {
  const cells = [];
  for (const secrets of sizes) {
    checkInteger('a size', secrets, 1, 99999);
    for (const latencyMs of latencies) {
      checkInteger('a latency', latencyMs, 0, 1000);
      cells.push(cell({ name: `n${secrets}-L${latencyMs}`, secrets, latencyMs, explicit: secrets === 1 }));
    }
  }
  if (limit) {
    checkInteger('the limit cells\' secrets', limit.secrets, 1, 99999);
    checkInteger('the limit', limit.limit, 1, 100000);
    checkInteger('the limit window', limit.windowSeconds, 1, 3600);
    for (const retryAfter of [null, limit.retryAfter]) {
      cells.push(cell({
        name: retryAfter ? 'limit-ra' : 'limit', secrets: limit.secrets, latencyMs: limit.latencyMs,
        throttle: { limit: limit.limit, windowSeconds: limit.windowSeconds, retryAfter },
      }));
    }
  }
  return cells;
}

// Rounds for a cell: the big ones run at most BIG_ROUNDS.
const roundsFor = (c, rounds) => (c.big ? Math.min(rounds, BIG_ROUNDS) : rounds);

// The tools in round `round`'s order: the list rotated by `round`.
function rotation(tools, round) {
  const k = tools.length === 0 ? 0 : round % tools.length;
  return [...tools.slice(k), ...tools.slice(0, k)];
}

module.exports = {
  buildCells, rotation, roundsFor, spreadIndexes, latencyFloorMs, limitFloorMs, pagesFor,
  TOOLS, PEERS, TARGETS, DEFAULT_SIZES, DEFAULT_LATENCIES, LIMIT_DEFAULT, CONNECT_FACTOR, BIG, BIG_ROUNDS,
  VAULT, TENANT, CONNECTION, CLIENT, secretName, secretValue,
};
