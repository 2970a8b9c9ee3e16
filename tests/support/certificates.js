'use strict';
// Certificates for tests, made with the openssl command when a suite starts (no key is committed):
//
//   const { makeChain } = require('../support/certificates');
//   const c = makeChain(dir, 'fkv-leaf');
//   c.caPem, c.leafPem, c.keyPem (PKCS#8, as `openssl req -nodes` writes it), c.pfx (password-less PKCS#12 of
//   key + leaf + CA, OpenSSL 3's defaults), c.pemBundle (key, leaf, CA: as Key Vault keeps a PEM certificate),
//   c.legacyPfx (RC2-40 + 3DES, as older Windows tools write it; null when this openssl has no legacy
//   provider), c.thumbprint (SHA-1 of the leaf, upper-case hex), c.notAfter (UTC, YYYY-MM-DDThh:mm:ssZ),
//   c.keyLines (the key's base64 lines: key material that must never show unmasked).
//   facts(pem): { thumbprint, notAfter } of a PEM certificate (its first).
//   openssl(args, input) runs the command (30 s at most) and returns its stdout (a Buffer).

const childProcess = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

function openssl(args, input) {
  return childProcess.execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30000 });
}

// What the task sets for a certificate: { thumbprint, notAfter } of a PEM certificate.
function facts(pem) {
  const certificate = new crypto.X509Certificate(pem);
  return {
    thumbprint: certificate.fingerprint.replace(/:/g, '').toUpperCase(),
    notAfter: new Date(certificate.validTo).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

function makeChain(dir, name) {
  const at = (file) => path.join(dir, `${name}-${file}`);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.crt'),
    '-days', '30', '-subj', `/CN=${name}-ca`]);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('leaf.key'), '-out', at('leaf.csr'),
    '-subj', `/CN=${name}`]);
  openssl(['x509', '-req', '-in', at('leaf.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-set_serial', '7',
    '-days', '20', '-out', at('leaf.crt')]);
  const pkcs12 = (extra) => openssl(['pkcs12', '-export', '-in', at('leaf.crt'), '-inkey', at('leaf.key'),
    '-certfile', at('ca.crt'), '-passout', 'pass:', ...extra]);
  let legacyPfx = null;
  try { legacyPfx = pkcs12(['-legacy']); } catch { legacyPfx = null; }
  const caPem = fs.readFileSync(at('ca.crt'), 'utf8');
  const leafPem = fs.readFileSync(at('leaf.crt'), 'utf8');
  const keyPem = fs.readFileSync(at('leaf.key'), 'utf8');
  return {
    caPem, leafPem, keyPem, pemBundle: keyPem + leafPem + caPem, pfx: pkcs12([]), legacyPfx, ...facts(leafPem),
    keyLines: keyPem.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----')),
  };
}

module.exports = { makeChain, facts, openssl };
