// Conformance: Microsoft's own SDK (@azure/identity AzurePipelinesCredential + @azure/keyvault-secrets
// SecretClient), with its real defaults, against the fake inside tests/e2e/ns-run. If the SDK and the
// fake disagree, the fake is wrong. Needs FKV_SCENARIO (the scenario ns-run started the fake with).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AzurePipelinesCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { expectedSecrets, loadScenario, oidcRequestUri, readRequestLog } from './expected.mjs';

const sc = loadScenario(process.env.FKV_SCENARIO);
process.env.SYSTEM_OIDCREQUESTURI = oidcRequestUri(sc);
const tenant = sc.tenants[0].id;
const vault = sc.vaults.find((v) => v.name === 'fkv-multipage');
const vaultUrl = `https://${vault.name}.vault.azure.net`;
const connection = (name) => sc.connections.find((c) => c.name === name);

function client(conn, jobToken = sc.jobToken) {
  const credential = new AzurePipelinesCredential(conn.tenant ?? tenant, conn.clientId, conn.id, jobToken);
  return new SecretClient(vaultUrl, credential);
}

test('lists every secret across pages and gets every value byte for byte', { timeout: 120_000 }, async () => {
  const expected = expectedSecrets(vault);
  const c = client(connection('fkv-wif'));
  const listed = [];
  for await (const p of c.listPropertiesOfSecrets()) listed.push(p);
  assert.deepEqual(listed.map((p) => p.name).sort(), [...expected.keys()].sort());
  assert.ok(expected.size > 2 * vault.pageSize, 'the scenario must span several pages');

  let compared = 0;
  for (const p of listed) {
    const want = expected.get(p.name);
    assert.equal(p.enabled, want.enabled, `${p.name}: enabled`);
    assert.equal(p.contentType, want.contentType, `${p.name}: contentType`);
    if (want.tags) assert.deepEqual(p.tags, want.tags, `${p.name}: tags`);
    if (want.exp) assert.equal(p.expiresOn.getTime(), want.exp * 1000, `${p.name}: expiresOn`);
    if (want.nbf) assert.equal(p.notBefore.getTime(), want.nbf * 1000, `${p.name}: notBefore`);
    assert.equal(p.managed ?? false, want.managed, `${p.name}: managed`);
    if (!want.enabled) {
      await assert.rejects(c.getSecret(p.name), (e) => {
        assert.equal(e.statusCode, 403);
        assert.equal(e.code, 'Forbidden');
        assert.match(e.message, /Operation get is not allowed on a disabled secret\./);
        return true;
      });
      continue;
    }
    if (want.forbidden) {
      await assert.rejects(c.getSecret(p.name), (e) => {
        assert.equal(e.statusCode, 403);
        assert.equal(e.code, 'Forbidden');
        // The SDK deserializes the wire's "innererror" into details.error.innerError.
        assert.equal(e.details?.error?.innerError?.code, want.forbidden);
        assert.match(e.message, /Caller is not authorized to perform action on resource/);
        return true;
      });
      continue;
    }
    const s = await c.getSecret(p.name);
    assert.ok(Buffer.from(s.value, 'utf8').equals(want.bytes), `${p.name}: value differs`);
    assert.match(s.properties.version, /^[0-9a-f]{32}$/);
    if (want.managed) assert.equal(s.properties.certificateKeyId, `${vaultUrl}/keys/${p.name}/${s.properties.version}`);
    for (const old of want.previous) {
      const o = await c.getSecret(p.name, { version: old.version });
      assert.ok(Buffer.from(o.value, 'utf8').equals(old.bytes), `${p.name}/${old.version}: value differs`);
    }
    compared += 1;
  }
  assert.equal(compared, [...expected.values()].filter((w) => w.enabled && !w.forbidden).length);
});

test('a connection with the Entra issuer format works too', { timeout: 60_000 }, async () => {
  const s = await client(connection('fkv-wif-entra')).getSecret('plain');
  assert.equal(s.value, 'plain-value');
});

test('a federated credential whose subject does not match fails with AADSTS700213', { timeout: 60_000 }, async () => {
  await assert.rejects(client(connection('fkv-wif-renamed')).getSecret('plain'), (e) => {
    assert.match(e.message, /AADSTS700213: No matching federated identity record found for presented assertion subject 'sc:\/\/fkv-org\/fkv-project\/fkv-wif-renamed'/);
    return true;
  });
});

test('a wrong system access token fails at the OIDC endpoint with 401', { timeout: 60_000 }, async () => {
  await assert.rejects(client(connection('fkv-wif'), 'not-the-job-token').getSecret('plain'), (e) => {
    assert.match(e.message, /401/);
    assert.doesNotMatch(e.message, /not-the-job-token/);
    return true;
  });
});

test('the request log shows each credential going only where it belongs', () => {
  const log = readRequestLog();
  assert.ok(log.length > 0, 'no request log (run inside tests/e2e/ns-run)');
  for (const r of log) {
    if (r.host === 'dev.azure.com') assert.ok(['job', 'unknown'].includes(r.token), JSON.stringify(r));
    else if (r.host === 'login.microsoftonline.com') assert.equal(r.token, 'none', JSON.stringify(r));
    else if (r.host === `${vault.name}.vault.azure.net`) assert.ok(r.token === 'none' || r.token.startsWith('access:'), JSON.stringify(r));
    else assert.fail(`unexpected host ${r.host}`);
  }
  const exchanges = log.filter((r) => r.target.split('?')[0].endsWith('/oauth2/v2.0/token'));
  assert.ok(exchanges.length >= 3);
  for (const r of exchanges) assert.equal(r.assertion, 'oidc');
  const vaultRequests = log.filter((r) => r.host === `${vault.name}.vault.azure.net`);
  // The SDK's challenge flow: the very first vault request carries no token and gets the 401 challenge.
  const first = vaultRequests.reduce((a, b) => (a.start_ms <= b.start_ms ? a : b));
  assert.equal(first.token, 'none');
  assert.equal(first.status, 401);
  // Paging went through the nextLinks, the empty page included.
  const pages = vaultRequests.filter((r) => r.target.startsWith('/secrets?') && r.status === 200);
  const expectedPages = Math.ceil(expectedSecrets(vault).size / vault.pageSize) + (vault.emptyPages ?? []).length;
  assert.equal(pages.filter((r) => r.target.includes('skiptoken')).length, expectedPages - 1);
});
