'use strict';
// The benchmark cases: each is an Azure fake scenario (tests/fake-azure/README.md) generated from the
// sizes given on the command line, the task inputs to run it with, and the variables a correct run sets.
//
//   const { buildCases, TARGETS, DEFAULT_SIZES } = require('./cases');
//   buildCases({ secrets: 1000, names: 50 }) -> [{ name, description, scenario, filter, latencyMs, expected }]
//
// Generated secrets are gen-00000 = value-00000, ... (the fake's `generate`), all enabled and unexpired,
// single-line, so a correct run sets exactly one secret variable per selected secret with that value.

const TENANT = '11111111-2222-4333-8444-555555555555';
const CONNECTION = 'aaaaaaaa-0000-4000-8000-0000000000b1';
const CLIENT = 'cccccccc-0000-4000-8000-0000000000b1';
const VAULT = 'fkv-bench';
const NAME_PREFIX = 'gen-';
const VALUE_PREFIX = 'value-';

const DEFAULT_SIZES = { secrets: 1000, names: 50 };

// Targets checked by --check, for the default sizes only (see scripts/bench.sh for the measurements
// behind them). wallMs: median wall time of the binary; rssMiB: the highest peak RSS over the runs.
const TARGETS = {
  'list-0ms': { wallMs: 1000, rssMiB: 32 },
  'list-20ms': { wallMs: 3000, rssMiB: 32 },
  'names-20ms': { wallMs: 500, rssMiB: 32 },
  throttled: { wallMs: 4000, rssMiB: 32 },
};

const pad = (i) => String(i).padStart(5, '0');
const secretName = (i) => `${NAME_PREFIX}${pad(i)}`;
const secretValue = (i) => `${VALUE_PREFIX}${pad(i)}`;

function baseScenario({ latencyMs = 0, vault }) {
  return {
    organization: { name: 'fkv-org', id: '7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7e91' },
    project: { name: 'fkv-project', id: '3f2c1b4a-5d6e-4f70-8a9b-0c1d2e3f4a5c' },
    jobToken: 'fkv-bench-job-token-6d2f0b9a41c7e385',
    latencyMs,
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

const range = (n) => Array.from({ length: n }, (_, i) => i);

// `names` evenly spread over `total` generated secrets (never more than there are).
function spreadIndexes(total, names) {
  const count = Math.min(names, total);
  return range(count).map((k) => Math.floor((k * total) / count));
}

function buildCases({ secrets, names }) {
  if (!(secrets >= 1 && secrets <= 99999)) throw new Error(`--secrets must be 1..99999 (got ${secrets})`);
  if (!(names >= 1 && names <= 99999)) throw new Error(`--names must be 1..99999 (got ${names})`);
  const generate = (count) => ({ count, namePrefix: NAME_PREFIX, valuePrefix: VALUE_PREFIX });
  const listVault = (count, extra = {}) => ({ pageSize: 25, generate: generate(count), ...extra });

  const picked = spreadIndexes(secrets, names);
  const throttledCount = Math.max(20, Math.round(secrets / 5));
  const throttleLimit = Math.ceil(throttledCount / 2);

  return [
    {
      name: 'list-0ms',
      description: `'*' over ${secrets} secrets, page size 25, no added latency`,
      scenario: baseScenario({ latencyMs: 0, vault: listVault(secrets) }),
      filter: '*', latencyMs: 0, expected: expectedFor(range(secrets)),
    },
    {
      name: 'list-20ms',
      description: `'*' over ${secrets} secrets, page size 25, 20 ms per request`,
      scenario: baseScenario({ latencyMs: 20, vault: listVault(secrets) }),
      filter: '*', latencyMs: 20, expected: expectedFor(range(secrets)),
    },
    {
      name: 'names-20ms',
      description: `${picked.length} explicit names out of ${secrets}, 20 ms per request`,
      scenario: baseScenario({ latencyMs: 20, vault: listVault(secrets) }),
      filter: picked.map(secretName).join(','), latencyMs: 20, expected: expectedFor(picked),
    },
    {
      name: 'throttled',
      description: `'*' over ${throttledCount} secrets, vault admits ${throttleLimit} requests/s, then 429 Retry-After: 1`,
      scenario: baseScenario({
        latencyMs: 0,
        vault: listVault(throttledCount, { throttle: { limit: throttleLimit, windowSeconds: 1, retryAfter: '1' } }),
      }),
      filter: '*', latencyMs: 0, expected: expectedFor(range(throttledCount)),
    },
  ];
}

module.exports = { buildCases, TARGETS, DEFAULT_SIZES, VAULT, secretName, secretValue, spreadIndexes };
