// Conformance for the connection schemes other than federation: Microsoft's @azure/identity
// ClientSecretCredential, ClientCertificateCredential and ManagedIdentityCredential (MSAL underneath, with
// their real defaults) + SecretClient against the fake inside tests/e2e/ns-run --imds. If the SDK and the
// fake disagree, the fake is wrong. Needs FKV_SCENARIO (tests/e2e/scenarios/schemes.json plus the app
// "fkv-conformance-cert" with FKV_CERT_PEM's certificate registered, and imds.warmupNotFound, written by run.sh)
// and FKV_CERT_PEM (the certificate and its private key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { loadScenario, readRequestLog } from './expected.mjs';

const sc = loadScenario(process.env.FKV_SCENARIO);
const pem = readFileSync(process.env.FKV_CERT_PEM, 'utf8');
const tenant = sc.tenants[0].id;
const vaultUrl = 'https://fkv-schemes.vault.azure.net';
const app = (clientId) => sc.apps.find((a) => a.clientId === clientId);
const SECRET_APP = app('dddddddd-0000-4000-8000-000000000011');
const EXPIRED_APP = app('dddddddd-0000-4000-8000-000000000012');
const CERT_APP = sc.apps.find((a) => a.certificates?.length);
const USER_IDENTITY = sc.imds.userAssigned[1].clientId;

const value = (credential) => new SecretClient(vaultUrl, credential).getSecret('db-password').then((s) => s.value);

test('ClientSecretCredential: the current secret gets a token the vault accepts', { timeout: 60_000 }, async () => {
  const current = SECRET_APP.clientSecrets.find((s) => !s.expired).value;
  assert.equal(await value(new ClientSecretCredential(tenant, SECRET_APP.clientId, current)), 'schemes-db-password-value');
});

test('ClientSecretCredential: a wrong secret is AADSTS7000215, an expired one AADSTS7000222', { timeout: 60_000 }, async () => {
  await assert.rejects(value(new ClientSecretCredential(tenant, SECRET_APP.clientId, 'not~the.right_secret-0000')),
    (e) => { assert.match(e.message, /AADSTS7000215: Invalid client secret provided/); return true; });
  await assert.rejects(value(new ClientSecretCredential(tenant, EXPIRED_APP.clientId, EXPIRED_APP.clientSecrets[0].value)),
    (e) => { assert.match(e.message, /AADSTS7000222/); return true; });
});

test('ClientCertificateCredential: MSAL\'s assertion (PS256, x5t#S256) is verified against the registered certificate',
  { timeout: 60_000 }, async () => {
    const credential = new ClientCertificateCredential(tenant, CERT_APP.clientId, { certificate: pem });
    assert.equal(await value(credential), 'schemes-db-password-value');
  });

test('ClientCertificateCredential: a certificate not registered on the app is AADSTS700027', { timeout: 60_000 }, async () => {
  await assert.rejects(value(new ClientCertificateCredential(tenant, SECRET_APP.clientId, { certificate: pem })),
    (e) => { assert.match(e.message, /AADSTS700027/); return true; });
});

// The warm-up 404s come first: MSAL's IMDS retry policy must retry them.
test('ManagedIdentityCredential (system-assigned): IMDS at 169.254.169.254, warm-up 404s retried', { timeout: 120_000 }, async () => {
  assert.equal(await value(new ManagedIdentityCredential()), 'schemes-db-password-value');
});

test('ManagedIdentityCredential (user-assigned, clientId) and an identity the VM lacks', { timeout: 120_000 }, async () => {
  assert.equal(await value(new ManagedIdentityCredential({ clientId: USER_IDENTITY })), 'schemes-db-password-value');
  await assert.rejects(value(new ManagedIdentityCredential({ clientId: 'eeeeeeee-0000-4000-8000-0000000000ff' })),
    (e) => { assert.match(e.message, /Identity not found/); return true; });
});

test('the request log: IMDS got only its token route, over plain HTTP, without Authorization', () => {
  const log = readRequestLog();
  assert.ok(log.length > 0, 'no request log (run inside tests/e2e/ns-run)');
  const imds = log.filter((r) => r.plain || r.host === '169.254.169.254');
  const warmup = sc.imds.warmupNotFound ?? 0;
  assert.ok(imds.length >= warmup + 3, JSON.stringify(imds));
  for (const r of imds) {
    assert.equal(r.plain, true);
    assert.equal(r.token, 'none', JSON.stringify(r));
    assert.equal(r.target.split('?')[0], '/metadata/identity/oauth2/token', JSON.stringify(r));
  }
  assert.deepEqual(imds.slice(0, warmup).map((r) => r.status), Array(warmup).fill(404));
  assert.ok(imds.some((r) => r.status === 200 && r.target.includes(`client_id=${USER_IDENTITY}`)));
  const assertions = log.filter((r) => r.host === 'login.microsoftonline.com' && r.assertion).map((r) => r.assertion);
  assert.ok(assertions.includes('secret') && assertions.includes('certificate'), JSON.stringify(assertions));
});
