// Conformance of the fake's injected faults (scenarios/faults.json) with the SDK's real retry policy:
// the SDK must read our 429 Retry-After (seconds and HTTP date), give up on a persistent 503 and on
// TCP resets, and surface the injected OIDC 500 and AADSTS700024 as errors. Tests run in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AzurePipelinesCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { loadScenario, oidcRequestUri, readRequestLog } from './expected.mjs';

const sc = loadScenario(process.env.FKV_SCENARIO);
process.env.SYSTEM_OIDCREQUESTURI = oidcRequestUri(sc);
const conn = sc.connections[0];
const newClient = (vault = 'fkv-faults') =>
  new SecretClient(`https://${vault}.vault.azure.net`,
    new AzurePipelinesCredential(sc.tenants[0].id, conn.clientId, conn.id, sc.jobToken));
const client = newClient();
const log = () => readRequestLog();

test('the injected OIDC 500 and AADSTS700024 reach the caller, then the flow recovers', { timeout: 60_000 }, async () => {
  const seen = [];
  for (let attempt = 0; attempt < 4; attempt += 1) {
    try {
      assert.equal((await client.getSecret('slow')).value, 'slow-value');
      break;
    } catch (e) {
      seen.push(e.message);
    }
  }
  assert.ok(seen.some((m) => /AADSTS700024/.test(m)), `errors seen: ${seen.join(' | ')}`);
  const oidc = log().filter((r) => r.host === 'dev.azure.com');
  assert.equal(oidc[0].status, 500);
  assert.equal(oidc[0].fault, 'faults[0]');
});

test('429 with Retry-After in seconds is retried after the delay', { timeout: 60_000 }, async () => {
  const t0 = Date.now();
  assert.equal((await client.getSecret('throttled-once')).value, 'after-retry');
  assert.ok(Date.now() - t0 >= 900, 'the SDK waited for Retry-After: 1');
});

test('429 with Retry-After as an HTTP date is retried', { timeout: 60_000 }, async () => {
  assert.equal((await client.getSecret('throttled-dated')).value, 'after-date');
  const hits = log().filter((r) => r.target.startsWith('/secrets/throttled-dated'));
  assert.deepEqual(hits.map((r) => r.status), [429, 200]);
});

test('a persistent 503 fails after the SDK\'s retries', { timeout: 90_000 }, async () => {
  await assert.rejects(client.getSecret('unavailable'), (e) => e.statusCode === 503);
  const hits = log().filter((r) => r.target.startsWith('/secrets/unavailable'));
  assert.ok(hits.length >= 2, `the SDK retried (${hits.length} attempts)`);
});

test('a TCP reset surfaces as a transport error', { timeout: 90_000 }, async () => {
  await assert.rejects(client.getSecret('reset-me'), (e) => /ECONNRESET|socket hang up/i.test(`${e.code} ${e.message}`));
  assert.ok(log().filter((r) => r.target.startsWith('/secrets/reset-me')).every((r) => r.status === 0));
});

test('a nextLink on a foreign host: any request that reaches it is caught in the log with its credential', { timeout: 60_000 }, async () => {
  // Observed with @azure/keyvault-secrets 4.11: the SDK follows nextLink verbatim and sends its bearer
  // token to the foreign host. Our binary must not; this test proves the log would show it if it did.
  const names = [];
  for await (const p of newClient('fkv-leaky').listPropertiesOfSecrets()) names.push(p.name);
  assert.deepEqual(names, ['one']);  // the foreign host answers an empty last page
  const issued = new Set(log().filter((r) => r.issued).map((r) => r.issued));
  const foreign = log().filter((r) => r.host === 'evil.example.com');
  assert.ok(foreign.length >= 1, 'the nextLink was followed');
  for (const r of foreign) assert.ok(r.token === 'none' || issued.has(r.token), `unclassified credential: ${JSON.stringify(r)}`);
  if (foreign.some((r) => r.token !== 'none')) console.log('# note: the SDK sent its access token to the foreign nextLink host');
});
