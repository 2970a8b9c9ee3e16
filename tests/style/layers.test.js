// The folder charter of native/src (docs/architecture.md) held against the code: every #include "x/..."
// in a room names a room that room may include. A room is a source folder, except that the Beast/OpenSSL
// implementation of the HTTP seam (net/https_*, net/tls*, net/imds_client*, net/io_wait.hpp) is a room of
// its own, "https", above platform/. Run: node --test tests/style/layers.test.js
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const SRC = path.join(__dirname, '..', '..', 'native', 'src');

// Each room and the rooms it may include (itself always). The order is the charter's: a room includes
// only rooms listed before it.
const MAY_INCLUDE = {
  core: [],
  net: ['core'],
  platform: ['core', 'net'],
  https: ['core', 'net', 'platform'],
  auth: ['core', 'net'],
  vault: ['core', 'net', 'platform'],
  agent: ['core', 'net', 'auth', 'vault'],
  secrets: ['core', 'net', 'vault', 'agent'],
  diagnose: ['core', 'net', 'auth', 'vault', 'agent'],
  run: ['core', 'net', 'platform', 'https', 'auth', 'vault', 'agent', 'secrets', 'diagnose'],
  main: ['core', 'net', 'platform', 'https', 'agent', 'run'],
};

function roomOf(relative) {
  if (relative === 'main.cpp') return 'main';
  if (/^net\/(https_|tls|imds_client|io_wait)/.test(relative)) return 'https';
  return relative.split('/')[0];
}

function sources(dir, prefix = '') {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...sources(path.join(dir, entry.name), relative));
    else if (/\.(cpp|hpp)$/.test(entry.name)) out.push(relative);
  }
  return out;
}

test('every room of native/src includes only the rooms the charter allows', () => {
  const files = sources(SRC);
  assert.ok(files.length > 50, `native/src has ${files.length} sources`);
  const violations = [];
  const rooms = new Set();
  for (const file of files) {
    const room = roomOf(file);
    rooms.add(room);
    assert.ok(room in MAY_INCLUDE, `${file}: room '${room}' is not in the charter (docs/architecture.md)`);
    const text = fs.readFileSync(path.join(SRC, file), 'utf8');
    for (const match of text.matchAll(/^#include "([^"]+)"/gm)) {
      const target = roomOf(match[1]);
      if (target === room || !fs.existsSync(path.join(SRC, match[1]))) continue;
      if (!MAY_INCLUDE[room].includes(target)) violations.push(`${file} includes ${match[1]} (${room} -> ${target})`);
    }
  }
  assert.deepStrictEqual(violations, []);
  assert.deepStrictEqual([...rooms].sort(), Object.keys(MAY_INCLUDE).sort(), 'every room of the charter exists');
});

test('docs/architecture.md names every room of the charter', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'architecture.md'), 'utf8');
  for (const room of Object.keys(MAY_INCLUDE)) {
    if (room === 'main' || room === 'https') continue;
    assert.ok(doc.includes(`native/src/${room}/`), `docs/architecture.md describes native/src/${room}/`);
  }
});

test('no getenv below the configuration reader', () => {
  const offenders = sources(SRC).filter(
    (file) => file !== 'agent/environment.cpp' &&
      /\bgetenv\s*\(/.test(fs.readFileSync(path.join(SRC, file), 'utf8').replace(/\/\/.*$/gm, '')));
  assert.deepStrictEqual(offenders, []);
});
