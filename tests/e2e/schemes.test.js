'use strict';
// End-to-end tests of issue 10: the service connection schemes other than workload identity federation,
// with the real binary inside tests/e2e/ns-run against the Azure fake (tests/e2e/scenarios/schemes.json).
// Each test asserts the exact variable table, the exact error or warning text, what reached the fake,
// and the leak scan, which here also covers the connection's client secrets.
//
// Environment: FKV_BINARY, FKV_FAKE_BIN (required), FKV_BINARY_WRAPPER (optional).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { runTask, suiteEnv, assertClean } = require('./harness');
const { scenarioEnv } = require('../support/scenario-env');

const os = require('node:os');
const childProcess = require('node:child_process');

// Certificates are made here with the openssl command (test-side only): one registered on the app of
// connection 3, one that is not registered anywhere (connection 4's app has a different one).
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'fkv-schemes-'));
process.on('exit', () => fs.rmSync(WORK, { recursive: true, force: true }));
function makeCertificate(name) {
  const key = path.join(WORK, `${name}.key`);
  const cert = path.join(WORK, `${name}.crt`);
  childProcess.execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', `/CN=${name}`], { stdio: 'ignore', timeout: 30000 });
  const pkcs1 = childProcess.execFileSync('openssl', ['rsa', '-in', key, '-traditional'],
    { stdio: ['ignore', 'pipe', 'ignore'], timeout: 30000 }).toString();
  const der = childProcess.execFileSync('openssl', ['x509', '-in', cert, '-outform', 'DER'], { timeout: 30000 });
  return {
    certificate: fs.readFileSync(cert, 'utf8'), pkcs8: fs.readFileSync(key, 'utf8'), pkcs1,
    thumbprint: require('node:crypto').createHash('sha1').update(der).digest('hex').toUpperCase(),
  };
}
const GOOD_CERT = makeCertificate('fkv-good');
const UNREGISTERED_CERT = makeCertificate('fkv-unregistered');
const OTHER_CERT = makeCertificate('fkv-other');

const scenario = JSON.parse(fs.readFileSync(path.join(__dirname, 'scenarios', 'schemes.json'), 'utf8'));
scenario.connections.push(
  { id: 'bbbbbbbb-0000-4000-8000-000000000013', name: 'fkv-spn-cert', tenant: scenario.tenants[0].id,
    clientId: 'dddddddd-0000-4000-8000-000000000013' },
  { id: 'bbbbbbbb-0000-4000-8000-000000000014', name: 'fkv-spn-cert-other', tenant: scenario.tenants[0].id,
    clientId: 'dddddddd-0000-4000-8000-000000000014' });
scenario.apps.push(
  { clientId: 'dddddddd-0000-4000-8000-000000000013', tenant: scenario.tenants[0].id, certificates: [GOOD_CERT.certificate] },
  { clientId: 'dddddddd-0000-4000-8000-000000000014', tenant: scenario.tenants[0].id, certificates: [OTHER_CERT.certificate] });
const SCENARIO_FILE = path.join(WORK, 'schemes.json');
fs.writeFileSync(SCENARIO_FILE, JSON.stringify(scenario));
// Every base64 line of the private keys: key material that must never show.
const KEY_LINES = [GOOD_CERT, UNREGISTERED_CERT].flatMap((c) => [c.pkcs8, c.pkcs1])
  .flatMap((pem) => pem.split('\n')).filter((l) => l.length >= 8 && !l.startsWith('-----'));
const { binary, fake, wrapper } = suiteEnv();

const CLIENT_SECRETS = scenario.apps.flatMap((a) => (a.clientSecrets || []).map((s) => s.value));
const byName = (name) => scenario.connections.find((c) => c.name === name);
const [SECRET_CONN, EXPIRED_CONN, CERT_CONN, OTHER_CERT_CONN, MSI_CONN] =
  ['fkv-spn-secret', 'fkv-spn-expired', 'fkv-spn-cert', 'fkv-spn-cert-other', 'fkv-msi'].map(byName);
const GOOD_SECRET = scenario.apps[0].clientSecrets[1].value;
const SETTINGS_URL = (conn) => `https://dev.azure.com/fkv-org/fkv-project/_settings/adminservices?resourceId=${conn.id}`;

// The agent's environment for a connection of another scheme: the WIF variables of scenarioEnv with
// the scheme, its parameters, and no job token or OIDC URL (the task must not need them).
function schemeEnv(conn, { scheme = 'ServicePrincipal', params = {}, filter = '*' } = {}) {
  const set = {
    [`ENDPOINT_AUTH_SCHEME_${conn.id}`]: scheme,
    [`ENDPOINT_AUTH_${conn.id}`]: JSON.stringify({ parameters: { serviceprincipalid: conn.clientId, tenantid: conn.tenant }, scheme }),
    ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: undefined,
    ENDPOINT_AUTH_SYSTEMVSSCONNECTION: undefined,
    SYSTEM_OIDCREQUESTURI: undefined,
  };
  for (const [key, value] of Object.entries(params)) set[`ENDPOINT_AUTH_PARAMETER_${conn.id}_${key}`] = value;
  return scenarioEnv(scenario, { connection: conn.id, vault: 'fkv-schemes', filter, set, oidcRequestUri: false });
}

// `imds`: the fake plays IMDS at 169.254.169.254 (ns-run --imds); `nsArgs`, `wrap`: more ns-run options and
// a program in front of the binary (the proxy); `scenarioFile`: another scenario than SCENARIO_FILE.
function run(env, { imds = false, nsArgs = [], wrap = [], scenarioFile = SCENARIO_FILE } = {}) {
  // The task's temporary folders are ours, so we can see that it leaves nothing there (AzureKeyVault@2
  // leaves the certificate with its key in Agent.TempDirectory).
  const temp = fs.mkdtempSync(path.join(WORK, 'tmp-'));
  const result = runTask({ scenarioFile, env: { ...env, TMPDIR: temp, TMP: temp, TEMP: temp }, binary, fake,
    wrapper: [...wrap, ...wrapper], nsArgs: [...(imds ? ['--imds'] : []), ...nsArgs] });
  assertClean(result, scenario, { extra: [...CLIENT_SECRETS, ...KEY_LINES] });
  // (wine, the Windows build's wrapper, keeps its own wineserver folder wine-* there)
  assert.deepEqual(fs.readdirSync(temp).filter((f) => !(wrapper.length && f.startsWith('wine-'))), [],
    'no temporary file is left');
  return result;
}

const byHost = (requests, host) => requests.filter((r) => r.host === host);
const errorMessages = (result) => result.log.issues.filter((i) => i.type === 'error').map((i) => i.message);
const warningMessages = (result) => result.log.issues.filter((i) => i.type === 'warning').map((i) => i.message);

const NUDGE = (conn) => `The service connection ${conn.id} authenticates with a client secret stored in Azure DevOps, ` +
  'which must be rotated before it expires and can leak. Workload identity federation needs no stored secret and ' +
  `this task supports it unchanged: open the service connection (${SETTINGS_URL(conn)}) and choose Convert ` +
  '(https://aka.ms/azdo-rm-workload-identity-conversion).';

test('ServicePrincipal with a client secret (spnKey is the default) gets every secret, with one warning to convert', () => {
  const result = run(schemeEnv(SECRET_CONN, { params: { SERVICEPRINCIPALKEY: GOOD_SECRET } }));
  assert.equal(result.status, 0, result.context());
  assert.equal(result.log.outcome(result.status), 'Succeeded');
  assert.deepEqual(result.log.variableTable(),
    { 'db-password': 'schemes-db-password-value', 'api-key': 'schemes-api-key-value' }, result.context());
  assert.deepEqual(warningMessages(result), [NUDGE(SECRET_CONN)]);
  assert.ok(result.log.secrets.has(GOOD_SECRET), 'the client secret is registered with the masker');
  const entra = byHost(result.requests, 'login.microsoftonline.com');
  assert.equal(entra.length, 1, 'one Entra request');
  assert.equal(entra[0].assertion, 'secret', 'authenticated with a configured client secret');
  assert.equal(entra[0].target, `/${SECRET_CONN.tenant}/oauth2/v2.0/token`);
  assert.equal(byHost(result.requests, 'dev.azure.com').length, 0, 'no OIDC request for a secret');
});

test("authenticationType 'SPNKEY' in any case is the client secret", () => {
  const result = run(schemeEnv(SECRET_CONN, {
    scheme: 'serviceprincipal', params: { SERVICEPRINCIPALKEY: GOOD_SECRET, AUTHENTICATIONTYPE: 'SPNKEY' },
    filter: 'api-key',
  }));
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), { 'api-key': 'schemes-api-key-value' });
});

test('AADSTS7000215: a wrong client secret names the cause and the fix', () => {
  const result = run(schemeEnv(SECRET_CONN, { params: { SERVICEPRINCIPALKEY: 'not~the.right_secret-0000' } }));
  assert.equal(result.status, 1, result.context());
  assert.equal(result.log.outcome(result.status), 'Failed');
  assert.deepEqual(result.log.variableTable(), {});
  const errors = errorMessages(result);
  assert.equal(errors.length, 1, result.context());
  assert.ok(errors[0].startsWith(`Microsoft Entra ID rejected the client secret of app '${SECRET_CONN.clientId}' ` +
    "(AADSTS7000215): it is not a current secret of this app. Update the service connection with the secret's " +
    "Value (not its Secret ID) from the app registration's Certificates & secrets page. To stop managing secrets, " +
    `open the service connection (${SETTINGS_URL(SECRET_CONN)}) and choose Convert to move it to workload identity ` +
    'federation (https://aka.ms/azdo-rm-workload-identity-conversion). (entra, HTTP 401, AADSTS7000215, trace_id: '),
  errors[0]);
  assert.equal(byHost(result.requests, 'login.microsoftonline.com').length, 1, 'a wrong secret is not retried');
  assert.equal(byHost(result.requests, 'fkv-schemes.vault.azure.net').length, 0);
});

test('AADSTS7000222: an expired client secret names the cause and the fix', () => {
  const expired = scenario.apps[1].clientSecrets[0].value;
  const result = run(schemeEnv(EXPIRED_CONN, { params: { SERVICEPRINCIPALKEY: expired } }));
  assert.equal(result.status, 1, result.context());
  const errors = errorMessages(result);
  assert.equal(errors.length, 1, result.context());
  assert.ok(errors[0].startsWith(`The client secret of app '${EXPIRED_CONN.clientId}' has expired (AADSTS7000222). ` +
    "Create a new client secret under the app registration's Certificates & secrets and enter its Value in the " +
    `service connection. To stop managing secrets, open the service connection (${SETTINGS_URL(EXPIRED_CONN)}) and ` +
    'choose Convert to move it to workload identity federation (https://aka.ms/azdo-rm-workload-identity-conversion). ' +
    '(entra, HTTP 401, AADSTS7000222, trace_id: '), errors[0]);
  assert.equal(byHost(result.requests, 'login.microsoftonline.com').length, 1, 'an expired secret is not retried');
});

test('a ServicePrincipal connection without its secret fails before any request', () => {
  const result = run(schemeEnv(SECRET_CONN));
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(errorMessages(result), ['The service connection uses a client secret (ServicePrincipal, spnKey) ' +
    'but gives none (ENDPOINT_AUTH_PARAMETER_<id>_SERVICEPRINCIPALKEY is not set). Edit the service connection and ' +
    'enter the client secret\'s value, or convert the connection to workload identity federation. (config)']);
  assert.equal(result.requests.length, 0);
});

test('an unknown scheme (PublishProfile) says which schemes are supported', () => {
  const result = run(schemeEnv(SECRET_CONN, { scheme: 'PublishProfile' }));
  assert.equal(result.status, 1, result.context());
  assert.deepEqual(errorMessages(result), ["The service connection uses the authentication scheme 'PublishProfile', " +
    'which is not supported; supported are WorkloadIdentityFederation, ServicePrincipal (client secret or ' +
    'certificate) and ManagedServiceIdentity. Use an Azure Resource Manager service connection, preferably with ' +
    'workload identity federation. (config)']);
  assert.equal(result.requests.length, 0);
});

const CERT_NUDGE = (conn) => `The service connection ${conn.id} authenticates with a certificate with its private key ` +
  'stored in Azure DevOps, which must be rotated before it expires and can leak. Workload identity federation needs ' +
  `no stored secret and this task supports it unchanged: open the service connection (${SETTINGS_URL(conn)}) and ` +
  'choose Convert (https://aka.ms/azdo-rm-workload-identity-conversion).';

const decodePart = (jwt, i) => JSON.parse(Buffer.from(jwt.split('.')[i], 'base64url').toString('utf8'));

for (const [layout, pem] of [['certificate then PKCS#8 key', GOOD_CERT.certificate + GOOD_CERT.pkcs8],
  ['PKCS#1 key then certificate', GOOD_CERT.pkcs1 + GOOD_CERT.certificate]]) {
  test(`ServicePrincipal with a certificate (${layout}): a signed assertion of at most 10 minutes gets the secrets`, () => {
    const result = run(schemeEnv(CERT_CONN, {
      params: { AUTHENTICATIONTYPE: 'spnCertificate', SERVICEPRINCIPALCERTIFICATE: pem } }));
    assert.equal(result.status, 0, result.context());
    assert.deepEqual(result.log.variableTable(),
      { 'db-password': 'schemes-db-password-value', 'api-key': 'schemes-api-key-value' }, result.context());
    assert.deepEqual(warningMessages(result), [CERT_NUDGE(CERT_CONN)]);
    const entra = byHost(result.requests, 'login.microsoftonline.com');
    assert.equal(entra.length, 1);
    assert.equal(entra[0].assertion, 'certificate', 'the fake verified the assertion against the registered certificate');
    const assertion = [...result.log.secrets].find((s) => s.startsWith('eyJ'));
    assert.ok(assertion, 'the assertion is registered as a secret');
    const header = decodePart(assertion, 0);
    assert.equal(header.alg, 'RS256');
    assert.equal(Buffer.from(header.x5t, 'base64url').toString('hex').toUpperCase(), GOOD_CERT.thumbprint);
    const claims = decodePart(assertion, 1);
    assert.equal(claims.aud, `https://login.microsoftonline.com/${CERT_CONN.tenant}/oauth2/v2.0/token`);
    assert.equal(claims.iss, CERT_CONN.clientId);
    assert.equal(claims.sub, CERT_CONN.clientId);
    assert.ok(claims.exp - claims.nbf <= 600 && claims.exp > claims.nbf, `lifetime ${claims.exp - claims.nbf} s`);
    for (const line of KEY_LINES.filter((l) => pem.includes(l))) {
      assert.ok(result.log.secrets.has(line), 'every key line is registered with the masker');
    }
  });
}

test('AADSTS700027: a certificate not registered on the app names the thumbprint to upload', () => {
  const result = run(schemeEnv(OTHER_CERT_CONN, { params: { AUTHENTICATIONTYPE: 'spnCertificate',
    SERVICEPRINCIPALCERTIFICATE: UNREGISTERED_CERT.certificate + UNREGISTERED_CERT.pkcs8 } }));
  assert.equal(result.status, 1, result.context());
  const errors = errorMessages(result);
  assert.equal(errors.length, 1, result.context());
  assert.ok(errors[0].startsWith("Microsoft Entra ID does not accept the service connection's certificate for app " +
    `'${OTHER_CERT_CONN.clientId}' (AADSTS700027): no certificate with thumbprint ${UNREGISTERED_CERT.thumbprint} is ` +
    `registered on the app. Upload the certificate (its public part, thumbprint ${UNREGISTERED_CERT.thumbprint}) under ` +
    "the app registration's Certificates & secrets, or put the certificate that is registered there into the service " +
    'connection.'), errors[0]);
});

test('a certificate PEM without its key, or with the key of another certificate, fails before any request', () => {
  for (const [pem, message] of [
    [GOOD_CERT.certificate, 'holds no private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----).'],
    [OTHER_CERT.certificate + GOOD_CERT.pkcs8,
      `holds a private key that does not belong to its certificate (thumbprint ${OTHER_CERT.thumbprint}).`]]) {
    const result = run(schemeEnv(CERT_CONN, { params: { AUTHENTICATIONTYPE: 'spnCertificate', SERVICEPRINCIPALCERTIFICATE: pem } }));
    assert.equal(result.status, 1, result.context());
    const errors = errorMessages(result);
    assert.equal(errors.length, 1, result.context());
    assert.ok(errors[0].startsWith(`The service connection's certificate (servicePrincipalCertificate) ${message}`), errors[0]);
    assert.equal(byHost(result.requests, 'login.microsoftonline.com').length, 0);
  }
});

// ---- ManagedServiceIdentity: the Azure Instance Metadata Service at 169.254.169.254 -----------------------

const IMDS = '169.254.169.254';
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const SYSTEM_IDENTITY = scenario.imds.systemAssigned.clientId;
const USER_IDENTITY = scenario.imds.userAssigned[1].clientId;
const IMDS_PATH = '/metadata/identity/oauth2/token';
const IMDS_TARGET = `${IMDS_PATH}?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net`;
const EXPECTED_TABLE = { 'db-password': 'schemes-db-password-value', 'api-key': 'schemes-api-key-value' };

// A managed identity connection as the agent gives it: tenant id, no service principal id, no secret;
// msiclientId in the connection's data for a user-assigned identity.
function msiEnv({ msiClientId, set = {} } = {}) {
  return scenarioEnv(scenario, {
    connection: MSI_CONN.id, vault: 'fkv-schemes', oidcRequestUri: false,
    set: {
      [`ENDPOINT_AUTH_SCHEME_${MSI_CONN.id}`]: 'ManagedServiceIdentity',
      [`ENDPOINT_AUTH_${MSI_CONN.id}`]: JSON.stringify({ parameters: { tenantid: MSI_CONN.tenant }, scheme: 'ManagedServiceIdentity' }),
      [`ENDPOINT_AUTH_PARAMETER_${MSI_CONN.id}_SERVICEPRINCIPALID`]: undefined,
      [`ENDPOINT_DATA_${MSI_CONN.id}_MSICLIENTID`]: msiClientId,
      ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: undefined,
      ENDPOINT_AUTH_SYSTEMVSSCONNECTION: undefined,
      ...set,
    },
  });
}

// What reached 169.254.169.254: only the token route, over plain HTTP, without any Authorization header;
// and nothing reached Entra or Azure DevOps (a managed identity needs neither).
function assertImdsOnly(result, expectedTargets) {
  const imds = result.requests.filter((r) => r.plain || r.host === IMDS);
  assert.deepEqual(imds.map((r) => r.target), expectedTargets, result.context());
  for (const r of imds) {
    assert.equal(r.plain, true, 'IMDS is reached over plain HTTP, on its own listener');
    assert.equal(r.host, IMDS, 'Host: 169.254.169.254');
    assert.equal(r.method, 'GET');
    assert.equal(r.token, 'none', 'no Authorization header is sent to IMDS');
  }
  assert.equal(byHost(result.requests, 'login.microsoftonline.com').length, 0, 'no Entra request');
  assert.equal(byHost(result.requests, 'dev.azure.com').length, 0, 'no Azure DevOps request');
  return imds;
}

test('ManagedServiceIdentity (system-assigned) gets every secret with the token from IMDS, and no warning', () => {
  const result = run(msiEnv(), { imds: true });
  assert.equal(result.status, 0, result.context());
  assert.equal(result.log.outcome(result.status), 'Succeeded');
  assert.deepEqual(result.log.variableTable(), EXPECTED_TABLE, result.context());
  assert.deepEqual(warningMessages(result), [], 'a managed identity stores no secret: nothing to convert');
  const [imds] = assertImdsOnly(result, [IMDS_TARGET]);
  const vault = byHost(result.requests, 'fkv-schemes.vault.azure.net').filter((r) => r.token !== 'none');
  assert.ok(vault.length > 0 && vault.every((r) => r.token === imds.issued), 'the vault got the IMDS token');
  assert.ok([...result.log.secrets].some((s) => s.startsWith('fkvat.')), 'the token is registered with the masker');
});

test('ManagedServiceIdentity (user-assigned): msiclientId is sent as client_id', () => {
  const result = run(msiEnv({ msiClientId: USER_IDENTITY.toUpperCase() }), { imds: true });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), EXPECTED_TABLE, result.context());
  assertImdsOnly(result, [`${IMDS_TARGET}&client_id=${USER_IDENTITY}`]);
});

test('ManagedServiceIdentity: IMDS answers 404 while the identity is attached; retried until it answers', () => {
  const warm = { ...scenario, imds: { ...scenario.imds, warmupNotFound: 3 } };
  const file = path.join(WORK, 'schemes-warmup.json');
  fs.writeFileSync(file, JSON.stringify(warm));
  const result = run(msiEnv(), { imds: true, scenarioFile: file });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), EXPECTED_TABLE, result.context());
  const imds = assertImdsOnly(result, Array(4).fill(IMDS_TARGET));
  assert.deepEqual(imds.map((r) => r.status), [404, 404, 404, 200]);
});

test('ManagedServiceIdentity: an identity the VM does not have ("Identity not found") names the fix, not retried', () => {
  const missing = 'eeeeeeee-0000-4000-8000-0000000000ff';
  const result = run(msiEnv({ msiClientId: missing }), { imds: true });
  assert.equal(result.status, 1, result.context());
  assert.equal(result.log.outcome(result.status), 'Failed');
  assert.deepEqual(result.log.variableTable(), {});
  assert.deepEqual(errorMessages(result), ['The Azure Instance Metadata Service found no user-assigned managed ' +
    `identity with client id '${missing}' on this agent's VM (HTTP 400: Identity not found). Assign the ` +
    "user-assigned identity with this client id to the agent's VM or scale set (Identity > User assigned in the " +
    "Azure portal), or fix the service connection's msiclientId: it must be the Client ID of an identity assigned " +
    'to the VM. (imds, HTTP 400, invalid_request)']);
  assertImdsOnly(result, [`${IMDS_TARGET}&client_id=${missing}`]);
  assert.equal(byHost(result.requests, 'fkv-schemes.vault.azure.net').length, 0);
});

test('ManagedServiceIdentity without IMDS (not an Azure VM): unreachable, said at once with the fix', () => {
  const result = run(msiEnv());
  assert.equal(result.status, 1, result.context());
  // The socket error's text is the platform's (Linux: strerror; the Windows build under wine: its own).
  const reason = wrapper.length ? '[^.]+' : 'Network is unreachable';
  const errors = errorMessages(result);
  assert.equal(errors.length, 1, result.context());
  assert.match(errors[0], new RegExp('^' + escapeRegExp('The Azure Instance Metadata Service (169.254.169.254) cannot be ' +
    'reached, so the agent has no managed identity: could not connect to 169.254.169.254:80: ') + reason +
    escapeRegExp('. A ManagedServiceIdentity service connection works only on a self-hosted agent that runs on an ' +
    'Azure VM or virtual machine scale set with a managed identity. Run the job on such an agent, or use a service ' +
    'connection with workload identity federation (recommended) or a service principal. (imds)') + '$'));
  assert.equal(result.requests.length, 0, result.context());
});

test('ManagedServiceIdentity behind a proxy: the vault goes through it, IMDS never does', () => {
  const PROXY = path.join(__dirname, '..', 'proxy', 'connect-proxy.js');
  const proxyUrl = 'http://127.0.0.1:3128';
  const result = run(msiEnv({ set: { AGENT_PROXYURL: proxyUrl, https_proxy: proxyUrl, http_proxy: proxyUrl,
    HTTP_PROXY: proxyUrl, ALL_PROXY: proxyUrl } }), {
    imds: true, nsArgs: ['--unreachable'], wrap: [process.execPath, PROXY, '--listen', '127.0.0.1:3128', '--'],
  });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), EXPECTED_TABLE, result.context());
  assert.deepEqual([...new Set(result.proxyLog.map((e) => e.target))], ['fkv-schemes.vault.azure.net:443'],
    'the proxy saw only the vault');
  assertImdsOnly(result, [IMDS_TARGET]);
});

test('ManagedServiceIdentity: a 401 challenge from the vault gets a fresh token from IMDS, once', () => {
  const challenged = { ...scenario, faults: [{ host: 'fkv-schemes.vault.azure.net', path: '/secrets/db-password*', nth: [1],
    status: 401, errorCode: 'Unauthorized', errorMessage: 'AKV10021: Token has expired.',
    headers: { 'WWW-Authenticate': `Bearer authorization="https://login.microsoftonline.com/${MSI_CONN.tenant}", ` +
      'resource="https://vault.azure.net"' } }] };
  const file = path.join(WORK, 'schemes-challenge.json');
  fs.writeFileSync(file, JSON.stringify(challenged));
  const result = run({ ...msiEnv(), INPUT_SECRETSFILTER: 'db-password' }, { imds: true, scenarioFile: file });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), { 'db-password': 'schemes-db-password-value' }, result.context());
  const imds = assertImdsOnly(result, [IMDS_TARGET, IMDS_TARGET]);
  const gets = byHost(result.requests, 'fkv-schemes.vault.azure.net');
  assert.deepEqual(gets.map((r) => r.status), [401, 200]);
  assert.equal(gets[1].token, imds[1].issued, 'the retry carries the second IMDS token');
});
