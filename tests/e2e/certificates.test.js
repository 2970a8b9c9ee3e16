'use strict';
// Issue 18: certificates as the files their tools need, JSON secrets by field, and masking that protects
// without hiding ordinary log text. The real binary against the Azure fake inside ns-run; every run gets the
// leak scan (which here also looks for every line of the private key and the CertificatePassword) and the
// check that the agent rejects no command. The certificates are made with the openssl command at start
// (tests/support/certificates.js); written files are checked with openssl and byte for byte.
//
// Environment: FKV_BINARY, FKV_FAKE_BIN (required); FKV_BINARY_WRAPPER (optional: the Windows build runs
// this suite under scripts/cross/wine-run, see tests/e2e/CMakeLists.txt).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const nodeTest = require('node:test');

const { runTask, suiteEnv, scenarioFolder, writeScenario, assertClean } = require('./harness');
const { scenarioEnv } = require('../support/scenario-env');
const { makeChain, openssl } = require('../support/certificates');

// Under wine (the Windows build's e2e/certificates-windows-x64) every test is skipped, saying so, when the
// cross build has not made the Windows binary; everywhere else a missing binary is an error (suiteEnv).
const WINE = (process.env.FKV_BINARY_WRAPPER || '').includes('wine-run');
const ABSENT = WINE && !fs.existsSync(process.env.FKV_BINARY || '') &&
  `the Windows binary is not built (FKV_BINARY='${process.env.FKV_BINARY}')`;
const { binary, fake, wrapper } = ABSENT ? {} : suiteEnv();
function test(name, options, fn) {
  if (!fn) return nodeTest(name, { skip: ABSENT }, options);
  return nodeTest(name, { ...options, skip: ABSENT || options.skip }, fn);
}

const VAULT = 'fkv-certs';
const TENANT = '11111111-2222-4333-8444-5555555555c8';
const CONNECTION = { id: 'aaaaaaaa-0000-4000-8000-0000000000c8', name: 'fkv-certs', issuerFormat: 'azuredevops',
  tenant: TENANT, clientId: 'cccccccc-0000-4000-8000-0000000000c8' };
const dir = scenarioFolder('certs');
const CHAIN = makeChain(dir, 'fkv-certs-leaf');
const PASSWORD = 'pfx-Passw0rd-7c1e9a';

const SERVICE_JSON = '{\n  "user": "svc-deploy",\n  "password": "Zq8!json-field-secret",\n' +
  '  "port": 5432,\n  "tls": true,\n  "hosts": ["db-a.internal", "db-b.internal"],\n' +
  '  "nested": {"region": "eu", "token": "nested-token-91f2"}\n}\n';
// A PEM and a YAML value without a certificate's content type: plain multi-line secrets.
const PLAIN_PEM = CHAIN.keyPem;
const YAML = 'service:\n  name: deploy-bot\n  credentials:\n    - user: bot\n      key: |\n' +
  '        c2VjcmV0LWtleS1saW5lLW9uZQ==\n        c2VjcmV0LWtleS1saW5lLXR3bw==\n  ---\n  enabled: on\n...\n';

const SCENARIO = {
  organization: { name: 'fkv-org', id: '7a0e5b35-6c4f-4d8e-9a43-2b1f3c5d7ec8' },
  project: { name: 'fkv-project', id: '3f2c1b4a-5d6e-4f70-8a9b-0c1d2e3f4ac8' },
  jobToken: 'fkv-certs-job-token-5e0b7d21a9c3',
  tenants: [{ id: TENANT }],
  connections: [CONNECTION],
  apps: [{ clientId: CONNECTION.clientId, tenant: TENANT, federatedCredentials: [{ connection: CONNECTION.id }] }],
  vaults: [{
    name: VAULT,
    secrets: [
      { name: 'p12-cert', value: CHAIN.pfx.toString('base64'), contentType: 'application/x-pkcs12', managed: true },
      { name: 'pem-cert', value: CHAIN.pemBundle, contentType: 'application/x-pem-file', managed: true },
      ...(CHAIN.legacyPfx ? [{ name: 'legacy-cert', value: CHAIN.legacyPfx.toString('base64'),
        contentType: 'application/x-pkcs12' }] : []),
      { name: 'public-only', value: CHAIN.leafPem, contentType: 'application/x-pem-file' },
      { name: 'svc', value: SERVICE_JSON },
      { name: 'plain-pem', value: PLAIN_PEM },
      { name: 'yaml-config', value: YAML },
      { name: 'short-pin', value: '42' },
      { name: 'feature-flag', value: 'true' },
    ],
  }],
};
const SCENARIO_FILE = writeScenario(dir, SCENARIO);

const warnings = (run) => run.log.issues.filter((i) => i.type === 'warning').map((i) => i.message);
const errors = (run) => run.log.issues.filter((i) => i.type === 'error').map((i) => i.message);
const lastMessage = (run) => run.log.completions.at(-1).message;
const WEAK = ": the agent masks every occurrence of it in the job's log, so readers can locate it, and agents with " +
  'AZP_IGNORE_SECRETS_SHORTER_THAN do not mask it at all. Use a longer value.';

// One run; `files`: paths under Agent.TempDirectory to read back (as Buffers) with the run summary's text.
function run(filter, { set = {}, files = [] } = {}) {
  const env = scenarioEnv(SCENARIO, { vault: VAULT, filter, set });
  const result = runTask({
    scenarioFile: SCENARIO_FILE, env, binary, fake, wrapper, timeoutMs: 120000,
    inspectTemp: (temp) => {
      const read = (f) => (fs.existsSync(path.join(temp, f)) ? fs.readFileSync(path.join(temp, f)) : null);
      const summaries = path.join(temp, 'federated-keyvault');
      const summary = fs.existsSync(summaries) ? fs.readdirSync(summaries).filter((f) => f.endsWith('.md')) : [];
      return {
        files: Object.fromEntries(files.map((f) => [f, read(f)])),
        summary: summary.length ? fs.readFileSync(path.join(summaries, summary[0]), 'utf8') : '',
      };
    },
  });
  assertClean(result, SCENARIO, { extra: [...CHAIN.keyLines, PASSWORD] });
  return result;
}

// What openssl reads from a PKCS#12 file (key and certificates as PEM), or null when it cannot open it.
function pkcs12Contents(bytes, password) {
  const file = path.join(dir, `read-${process.hrtime.bigint()}.pfx`);
  fs.writeFileSync(file, bytes);
  try {
    return openssl(['pkcs12', '-in', file, '-passin', `pass:${password}`, '-nodes']).toString();
  } catch {
    return null;
  } finally {
    fs.rmSync(file, { force: true });
  }
}
const pemBlocks = (text) => text.match(/-----BEGIN [A-Z ]+-----\n[^-]+-----END [A-Z ]+-----\n/g) || [];

// The rows of the run summary's table "Certificates written", sorted.
function certificateRows(result) {
  const lines = result.temp.summary.split('\n');
  const start = lines.findIndex((l) => l.startsWith('#### Certificates written'));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start + 4 && !l.startsWith('|'));
  return lines.slice(start + 4, end < 0 ? lines.length : end).sort();  // in the order the downloads ended
}

// The path variable, its thumbprint and notAfter, as the agent holds them: [value, secret].
function certificateVariables(result, variable) {
  return [variable, `${variable}.thumbprint`, `${variable}.notAfter`]
    .map((name) => result.log.variable(name)).map((v) => v && [v.value, v.secret]);
}

const WANT = {
  '.pem': CHAIN.keyPem + CHAIN.leafPem + CHAIN.caPem,
  '.crt': CHAIN.leafPem + CHAIN.caPem,
  '.cer': CHAIN.leafPem + CHAIN.caPem,
  '.key': CHAIN.keyPem,
};

for (const extension of ['.pfx', '.p12', '.pem', '.crt', '.cer', '.key']) {
  test(`a PKCS#12 and a PEM certificate to ${extension}: the file, its thumbprint and notAfter, the key masked`, () => {
    const files = [`out/p12${extension}`, `out/pem${extension}`];
    const result = run(`p12-cert => file:${files[0]}, pem-cert => file:${files[1]}`, { files });
    assert.equal(result.status, 0, result.context());
    assert.deepEqual(errors(result), []);
    for (const [secret, file] of [['p12-cert', files[0]], ['pem-cert', files[1]]]) {
      const written = result.temp.files[file];
      assert.ok(written, `${file} is written\n${result.context()}`);
      if (extension === '.pfx' || extension === '.p12') {
        if (secret === 'p12-cert') assert.ok(written.equals(CHAIN.pfx), 'a PKCS#12 secret: its exact stored bytes');
        const contents = pkcs12Contents(written, '');
        assert.ok(contents, `${file} opens with the empty password`);
        assert.deepEqual(pemBlocks(contents).filter((b) => b.includes('CERTIFICATE')), [CHAIN.leafPem, CHAIN.caPem]);
        assert.ok(pemBlocks(contents).includes(CHAIN.keyPem), `${file} holds the key`);
      } else {
        const want = secret === 'pem-cert' && extension === '.pem' ? CHAIN.pemBundle : WANT[extension];
        assert.equal(written.toString(), want, `${file}: ${extension} from ${secret}`);
      }
      const where = WINE ? null : path.join(result.tempDirectory, file);
      const [pathVariable, ...facts] = certificateVariables(result, secret);
      if (where) assert.deepEqual(pathVariable, [where, false]);
      assert.deepEqual(facts, [[CHAIN.thumbprint, false], [CHAIN.notAfter, false]], result.context());
    }
    // Every base64 line of the key is registered (it is in the file and, for the PEM secret, the value); the
    // armour lines are not.
    for (const line of CHAIN.keyLines) assert.ok(result.log.secrets.has(line), `key line registered: ${line}`);
    for (const s of result.log.secrets) {
      assert.ok(s.includes('\n') || !s.startsWith('-----'), `armour line registered: ${s}`);
    }
    assert.equal(lastMessage(result), "2 secrets from vault 'fkv-certs' set as secret variables.");
    // The run summary lists both certificates (Markdown-escaped).
    const format = { '.pfx': 'PKCS\\#12', '.p12': 'PKCS\\#12', '.pem': 'PEM key \\+ certificates',
      '.crt': 'PEM certificates', '.cer': 'PEM certificates', '.key': 'PEM key' }[extension];
    assert.deepEqual(certificateRows(result), [['p12-cert', files[0]], ['pem-cert', files[1]]]
      .map(([secret, file]) => `| ${secret} | ${file} | ${format} | ${CHAIN.thumbprint} | ${CHAIN.notAfter} |`),
    result.temp.summary);
  });
}

test('CertificatePassword: the PFX opens with it and only with it; registered before anything is printed', () => {
  const files = ['signing.pfx', 'from-pem.p12'];
  const result = run(`p12-cert => file:${files[0]}, pem-cert => file:${files[1]}`,
    { set: { INPUT_CERTIFICATEPASSWORD: PASSWORD }, files });
  assert.equal(result.status, 0, result.context());
  assert.equal(result.stdout.split('\n')[0], `##vso[task.setsecret]${PASSWORD}`, 'the first line masks the password');
  for (const file of files) {
    const written = result.temp.files[file];
    assert.ok(written, `${file} is written\n${result.context()}`);
    assert.ok(!written.equals(CHAIN.pfx), 'protected: not the stored bytes');
    const contents = pkcs12Contents(written, PASSWORD);
    assert.ok(contents, `${file} opens with the password`);
    assert.ok(pemBlocks(contents).includes(CHAIN.keyPem), `${file} holds the key`);
    assert.equal(pkcs12Contents(written, ''), null, `${file} does not open without the password`);
    assert.equal(pkcs12Contents(written, 'not-the-password'), null, `${file} does not open with another password`);
  }
  assert.deepEqual(warnings(result), []);
  assert.deepEqual(certificateRows(result), [['p12-cert', files[0]], ['pem-cert', files[1]]].map(([secret, file]) =>
    `| ${secret} | ${file} | PKCS\\#12 \\(password\\) | ${CHAIN.thumbprint} | ${CHAIN.notAfter} |`));
});

test('CertificatePassword without a .pfx/.p12 target: a warning, the files are written', () => {
  const result = run('pem-cert => file:tls.pem', { set: { INPUT_CERTIFICATEPASSWORD: PASSWORD }, files: ['tls.pem'] });
  assert.equal(result.status, 0, result.context());
  assert.equal(result.temp.files['tls.pem'].toString(), CHAIN.pemBundle);
  assert.equal(warnings(result).length, 1, result.context());
  assert.match(warnings(result)[0], /CertificatePassword/);
});

test('a PKCS#12 as older Windows tools write it (RC2-40 + 3DES) converts to PEM', {
  skip: !CHAIN.legacyPfx && "this openssl has no legacy provider to write an RC2-40 PFX",
}, () => {
  const result = run('legacy-cert => file:legacy.pem', { files: ['legacy.pem'] });
  assert.equal(result.status, 0, result.context());
  assert.equal(result.temp.files['legacy.pem'].toString(), WANT['.pem']);
  assert.deepEqual(certificateVariables(result, 'legacy-cert').slice(1), [[CHAIN.thumbprint, false],
    [CHAIN.notAfter, false]]);
});

test('a conversion that cannot be done fails that secret alone, naming it and the reason; no file remains', () => {
  const result = run('public-only => file:no-key.key, p12-cert => file:ok.crt, pem-cert => json, short-pin',
    { files: ['no-key.key', 'ok.crt'] });
  assert.equal(result.status, 1, result.context());
  assert.equal(result.temp.files['no-key.key'], null, 'no file for the failed secret');
  assert.equal(result.temp.files['ok.crt'].toString(), WANT['.crt']);
  const failed = errors(result);
  assert.equal(failed.length, 2, result.context());
  assert.ok(failed.some((m) => m.startsWith("Secret 'public-only' was not written to 'no-key.key': ")), failed.join('\n'));
  assert.ok(failed.some((m) => m.startsWith("Secret 'pem-cert' was not expanded ('pem-cert => json'): it is a " +
    'certificate')), failed.join('\n'));
  assert.equal(result.log.variable('public-only'), undefined);
  assert.equal(result.log.variable('short-pin').value, '42');
  assert.match(lastMessage(result), /^2 of 4 secrets from vault 'fkv-certs' could not be set: /);
});

test('=> json: one secret variable per leaf, the whole value not set, weak fields named in one warning', () => {
  const result = run('svc => json', { set: { INPUT_VARIABLEPREFIX: 'kv.' } });
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), {
    'kv.svc.user': 'svc-deploy', 'kv.svc.password': 'Zq8!json-field-secret', 'kv.svc.port': '5432',
    'kv.svc.tls': 'true', 'kv.svc.hosts.0': 'db-a.internal', 'kv.svc.hosts.1': 'db-b.internal',
    'kv.svc.nested.region': 'eu', 'kv.svc.nested.token': 'nested-token-91f2',
  }, result.context());
  for (const v of result.log.variables.values()) assert.equal(v.secret, true, v.name);
  assert.deepEqual(warnings(result), ["Secret 'svc' has fields that are shorter than 4 characters, common words or " +
    `numbers below 10000 (port, tls, nested.region)${WEAK}`]);
  // A field printed alone is masked: every string leaf of 4 characters or more is registered.
  for (const leaf of ['svc-deploy', 'Zq8!json-field-secret', 'db-a.internal', 'db-b.internal', 'nested-token-91f2']) {
    assert.ok(result.log.secrets.has(leaf), `leaf registered: ${leaf}`);
  }
  // (The short fields are secret variables, so the agent masks them anyway: hence the warning.)
  for (const structure of ['{', '}', '],', '"hosts": [']) assert.ok(!result.log.secrets.has(structure), structure);
  const marks = result.temp.summary.split('\n').filter((l) => /^\| kv\.svc\./.test(l));
  assert.equal(marks.length, 8, result.temp.summary);
  for (const row of marks) assert.match(row, /\| secret, JSON field \| - \|$/, row);  // (no expiry date)
});

test('a JSON secret not expanded: compacted, and each string leaf registered so a field printed alone is masked', () => {
  const result = run('svc');
  assert.equal(result.status, 0, result.context());
  const compact = '{"user":"svc-deploy","password":"Zq8!json-field-secret","port":5432,"tls":true,' +
    '"hosts":["db-a.internal","db-b.internal"],"nested":{"region":"eu","token":"nested-token-91f2"}}';
  assert.deepEqual(result.log.variableTable(), { svc: compact });
  const registered = [...result.log.secrets].filter((s) => SERVICE_JSON.includes(s) || s === compact);
  assert.deepEqual(registered.sort(), [compact, 'svc-deploy', 'Zq8!json-field-secret', 'db-a.internal',
    'db-b.internal', 'nested-token-91f2'].sort());
  assert.deepEqual(warnings(result), []);
});

test('multi-line PEM and YAML secrets: their armour, punctuation, structure and short lines are not registered', () => {
  const result = run('plain-pem, yaml-config');
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), { 'plain-pem': PLAIN_PEM, 'yaml-config': YAML,
    SYSTEM_UNSAFEALLOWMULTILINESECRET: 'true' });
  const of = (value) => [...result.log.secrets].filter((s) => value.includes(s)).sort();
  assert.deepEqual(of(PLAIN_PEM), [PLAIN_PEM, ...CHAIN.keyLines].sort());
  assert.deepEqual(of(YAML), [YAML, 'name: deploy-bot', '- user: bot', 'c2VjcmV0LWtleS1saW5lLW9uZQ==',
    'c2VjcmV0LWtleS1saW5lLXR3bw==', 'enabled: on'].sort());
  assert.deepEqual(warnings(result), []);
});

test("a short value and a common word are set, each with one warning naming the secret, never the value", () => {
  const result = run('short-pin, feature-flag');
  assert.equal(result.status, 0, result.context());
  assert.deepEqual(result.log.variableTable(), { 'short-pin': '42', 'feature-flag': 'true' });
  assert.deepEqual(warnings(result).sort(), [
    `Secret 'feature-flag' is a common word${WEAK}`,
    `Secret 'short-pin' is shorter than 4 characters${WEAK}`,
  ]);
  assert.ok(result.log.secrets.has('42') && result.log.secrets.has('true'), 'still registered');
});
