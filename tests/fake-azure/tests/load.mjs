// fake/load: the fake under load through its real network shell, inside tests/e2e/ns-run.
// 250 keep-alive connections issue 3000 Key Vault GETs concurrently; every one must succeed, and the
// request log must account for each request and connection. Bounded: aborts after 60 s.
import https from 'node:https';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const CONNECTIONS = 250, REQUESTS = 3000;
setTimeout(() => { console.error('fake/load: timed out after 60 s'); process.exit(1); }, 60_000).unref();
const agent = new https.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function send(method, host, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const r = https.request({ method, host, path, headers, agent, timeout: 20_000 }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    r.on('timeout', () => r.destroy(new Error('request timed out')));
    r.on('error', reject);
    if (body) r.write(body);
    r.end();
  });
}

const oidc = await send('POST', 'dev.azure.com',
  '/fkv-org/3f2c1b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken' +
  '?api-version=7.1&serviceConnectionId=aaaaaaaa-0000-4000-8000-000000000001', { authorization: 'Bearer fkv-job-token-basic' });
assert.equal(oidc.status, 200);
const form = new URLSearchParams({
  grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  client_id: 'cccccccc-0000-4000-8000-000000000001', scope: 'https://vault.azure.net/.default',
  client_assertion: JSON.parse(oidc.body).oidcToken,
}).toString();
const token = await send('POST', 'login.microsoftonline.com', '/11111111-2222-4333-8444-555555555555/oauth2/v2.0/token',
  { 'content-type': 'application/x-www-form-urlencoded' }, form);
assert.equal(token.status, 200);
const auth = { authorization: `Bearer ${JSON.parse(token.body).access_token}` };

const started = Date.now();
const statuses = {};
let issued = 0;
await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
  while (issued < REQUESTS) {
    issued += 1;
    const r = await send('GET', 'fkv-basic.vault.azure.net', '/secrets/db-password/?api-version=7.5', auth);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status === 200) assert.equal(JSON.parse(r.body).value, 's3cr3t-value');
  }
}));
const elapsed = Date.now() - started;
assert.deepEqual(statuses, { 200: REQUESTS });

const log = readFileSync(`${process.env.FKV_NS_WORKDIR}/requests.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const gets = log.filter((r) => r.host === 'fkv-basic.vault.azure.net');
assert.equal(gets.length, REQUESTS);
const connections = new Set(gets.map((r) => r.conn)).size;
assert.ok(connections >= CONNECTIONS / 2 && connections <= CONNECTIONS, `connections used: ${connections}`);
assert.ok(gets.every((r) => r.token.startsWith('access:') && r.end_ms >= r.start_ms));
console.log(`fake/load: ${REQUESTS} requests over ${connections} keep-alive connections in ${elapsed} ms`);
