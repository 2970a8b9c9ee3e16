#!/usr/bin/env node
'use strict';
// A small HTTP CONNECT proxy for tests (Node, no dependencies). It never resolves the requested
// host: every tunnel goes to the configured upstream (the Azure fake at 127.0.0.1:443), so a test can
// make the real names unreachable and still prove that traffic went through the proxy.
//
//   node tests/proxy/connect-proxy.js [options] [-- command [args...]]
//
//   --listen HOST:PORT     where to listen (default 127.0.0.1:3128; port 0 = any free port)
//   --upstream HOST:PORT   where every tunnel goes (default 127.0.0.1:443)
//   --auth USER:PASSWORD   require `Proxy-Authorization: Basic` with these (else 407 with
//                          `Proxy-Authenticate: Basic realm="fkv-test-proxy"`)
//   --refuse HOST=STATUS   answer CONNECT to HOST (any port) with STATUS instead (repeatable)
//   --inspect              TLS-inspecting mode: terminate TLS with a certificate for the target host
//                          signed by the proxy's own CA (made with the openssl CLI at start, one leaf
//                          per target host on first use), and re-originate TLS to the upstream,
//                          verified against --upstream-ca
//   --upstream-ca FILE     CA bundle for the upstream in --inspect mode (default $SSL_CERT_FILE)
//   --ca-env NAME          with a command: put the path of the proxy's CA (PEM) into the command's
//                          environment as NAME (e.g. AGENT_CAINFO)
//   --set-env NAME=VALUE   with a command: set NAME in its environment (repeatable; tests/e2e/ns-run
//                          clears HTTPS_PROXY/NO_PROXY, so proxy tests set them here)
//   --state-dir DIR        where the CA and leaves go (default: a new directory under $FKV_NS_WORKDIR or /tmp)
//   --log FILE             append one JSON line per CONNECT (default $FKV_NS_WORKDIR/proxy.jsonl):
//                          {"target":"host:443","auth":"ok|missing|wrong|none","status":200}
//   --ready-file FILE      written with the listening port once the proxy accepts connections
//
// With `-- command`, the proxy starts, listens, runs the command with stdio passed through, and exits
// with its exit code (for use inside tests/e2e/ns-run). Without, it runs until SIGTERM/SIGINT.
// Every request head is bounded (16 KiB, 10 s).

const childProcess = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');

const MAX_HEAD = 16 * 1024;
const HEAD_TIMEOUT_MS = 10000;

function parseArgs(argv) {
  const options = {
    listen: '127.0.0.1:3128', upstream: '127.0.0.1:443', auth: null, refuse: new Map(), inspect: false,
    upstreamCa: process.env.SSL_CERT_FILE || '', caEnv: '', setEnv: [], stateDir: '', log: '', readyFile: '', command: [],
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      i += 1;
      return argv[i];
    };
    if (arg === '--') { options.command = argv.slice(i + 1); break; }
    if (arg === '--listen') options.listen = value();
    else if (arg === '--upstream') options.upstream = value();
    else if (arg === '--auth') options.auth = value();
    else if (arg === '--refuse') {
      const [host, status] = value().split('=');
      options.refuse.set(host.toLowerCase(), Number(status));
    } else if (arg === '--inspect') options.inspect = true;
    else if (arg === '--upstream-ca') options.upstreamCa = value();
    else if (arg === '--ca-env') options.caEnv = value();
    else if (arg === '--set-env') {
      const text = value();
      const eq = text.indexOf('=');
      if (eq <= 0) throw new Error(`--set-env needs NAME=VALUE, got '${text}'`);
      options.setEnv.push([text.slice(0, eq), text.slice(eq + 1)]);
    }
    else if (arg === '--state-dir') options.stateDir = value();
    else if (arg === '--log') options.log = value();
    else if (arg === '--ready-file') options.readyFile = value();
    else throw new Error(`unknown option ${arg}`);
  }
  const base = process.env.FKV_NS_WORKDIR || os.tmpdir();
  if (!options.log) options.log = path.join(base, 'proxy.jsonl');
  if (!options.stateDir) options.stateDir = fs.mkdtempSync(path.join(base, 'proxy-state-'));
  return options;
}

function hostPort(text) {
  const colon = text.lastIndexOf(':');
  return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
}

// ---- certificates (openssl CLI) -------------------------------------------------------------------

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::FKV_PROXY_SAN
`;

function openssl(args, env = {}) {
  childProcess.execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env },
    timeout: 20000 });
}

class Authority {
  constructor(dir) {
    this.dir = dir;
    this.config = path.join(dir, 'openssl.cnf');
    this.caCert = path.join(dir, 'ca.pem');
    this.caKey = path.join(dir, 'ca.key');
    this.leaves = new Map();
    this.serial = 1000;
    fs.writeFileSync(this.config, OPENSSL_CONFIG);
    openssl(['req', '-x509', '-config', this.config, '-extensions', 'ca_ext', '-newkey', 'ec',
      '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', this.caKey, '-out', this.caCert,
      '-subj', '/CN=fkv test inspecting proxy CA', '-days', '2'], { FKV_PROXY_SAN: 'DNS:unused' });
  }

  // A secure context presenting a certificate for `host`, signed by this CA (made on first use).
  contextFor(host) {
    if (!this.leaves.has(host)) {
      const safe = host.replace(/[^a-z0-9.-]/g, '_');
      const key = path.join(this.dir, `${safe}.key`);
      const csr = path.join(this.dir, `${safe}.csr`);
      const cert = path.join(this.dir, `${safe}.pem`);
      const san = net.isIP(host) ? `IP:${host}` : `DNS:${host}`;
      openssl(['req', '-new', '-config', this.config, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', key, '-out', csr, '-subj', `/CN=${host}`], { FKV_PROXY_SAN: san });
      this.serial += 1;
      openssl(['x509', '-req', '-in', csr, '-CA', this.caCert, '-CAkey', this.caKey, '-set_serial', String(this.serial),
        '-days', '2', '-extfile', this.config, '-extensions', 'leaf_ext', '-out', cert], { FKV_PROXY_SAN: san });
      this.leaves.set(host, tls.createSecureContext({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }));
    }
    return this.leaves.get(host);
  }
}

// ---- the proxy ----------------------------------------------------------------------------------

function authResult(options, headers) {
  if (!options.auth) return 'none';
  const value = headers['proxy-authorization'];
  if (!value) return 'missing';
  const match = /^Basic\s+(\S+)$/i.exec(value);
  if (!match) return 'wrong';
  return Buffer.from(match[1], 'base64').toString('utf8') === options.auth ? 'ok' : 'wrong';
}

function parseHead(text) {
  const lines = text.split('\r\n');
  const [method, target, version] = lines[0].split(' ');
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { method, target, version, headers };
}

const REASONS = { 200: 'Connection established', 400: 'Bad Request', 403: 'Forbidden', 405: 'Method Not Allowed',
  407: 'Proxy Authentication Required', 502: 'Bad Gateway', 503: 'Service Unavailable' };

function answer(socket, status, extra = []) {
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] || 'Status'}`, ...extra];
  if (status !== 200) lines.push('Content-Length: 0', 'Connection: close');
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (status !== 200) socket.end();
}

function startProxy(options) {
  const upstream = hostPort(options.upstream);
  const authority = options.inspect ? new Authority(options.stateDir) : null;
  const upstreamCa = options.inspect && options.upstreamCa ? fs.readFileSync(options.upstreamCa) : undefined;
  const log = (entry) => fs.appendFileSync(options.log, `${JSON.stringify(entry)}\n`);

  const server = net.createServer((client) => {
    client.on('error', () => {});
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => client.destroy(), HEAD_TIMEOUT_MS);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD) { clearTimeout(timer); client.off('data', onData); answer(client, 400); }
        return;
      }
      clearTimeout(timer);
      client.off('data', onData);
      client.pause();
      const rest = head.subarray(end + 4);
      const request = parseHead(head.subarray(0, end).toString('latin1'));
      handle(client, request, rest);
    };
    client.on('data', onData);
  });

  function handle(client, request, rest) {
    if (request.method !== 'CONNECT') {
      log({ target: request.target, auth: 'none', status: 405 });
      answer(client, 405);
      return;
    }
    const target = request.target;
    const auth = authResult(options, request.headers);
    if (auth === 'missing' || auth === 'wrong') {
      log({ target, auth, status: 407 });
      answer(client, 407, ['Proxy-Authenticate: Basic realm="fkv-test-proxy"']);
      return;
    }
    const targetHost = hostPort(target).host.toLowerCase();
    if (options.refuse.has(targetHost)) {
      const status = options.refuse.get(targetHost);
      log({ target, auth, status });
      answer(client, status);
      return;
    }
    if (!authority) {
      let established = false;
      const up = net.connect(upstream.port, upstream.host, () => {
        established = true;
        log({ target, auth, status: 200 });
        answer(client, 200);
        if (rest.length) up.write(rest);
        up.pipe(client);
        client.pipe(up);
        client.resume();
      });
      up.on('error', () => {
        if (established) { client.destroy(); return; }
        log({ target, auth, status: 502 });
        answer(client, 502);
      });
      client.on('close', () => up.destroy());
      return;
    }
    // TLS inspection: our certificate towards the client, a fresh verified TLS session upstream.
    let context;
    try {
      context = authority.contextFor(targetHost);
    } catch (error) {
      process.stderr.write(`connect-proxy: could not make a certificate for ${targetHost}: ${error.message}\n`);
      log({ target, auth, status: 502 });
      answer(client, 502);
      return;
    }
    log({ target, auth, status: 200 });
    answer(client, 200);
    if (rest.length) client.unshift(rest);
    const inner = new tls.TLSSocket(client, { isServer: true, secureContext: context });
    inner.on('error', () => { inner.destroy(); client.destroy(); });
    const up = tls.connect({ host: upstream.host, port: upstream.port, servername: targetHost, ca: upstreamCa });
    up.on('error', () => { up.destroy(); inner.destroy(); });
    inner.pipe(up);
    up.pipe(inner);
    inner.on('close', () => up.destroy());
    up.on('close', () => inner.destroy());
    client.resume();
  }

  return new Promise((resolve, reject) => {
    server.on('error', reject);
    const listen = hostPort(options.listen);
    server.listen(listen.port, listen.host, () => resolve({ server, authority }));
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { server, authority } = await startProxy(options);
  const port = server.address().port;
  if (options.readyFile) fs.writeFileSync(options.readyFile, `${port}\n`);
  if (options.command.length === 0) {
    const stop = () => server.close(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    return;
  }
  const env = { ...process.env };
  for (const [name, value] of options.setEnv) env[name] = value;
  if (options.caEnv) {
    if (!authority) throw new Error('--ca-env needs --inspect');
    env[options.caEnv] = authority.caCert;
  }
  const child = childProcess.spawn(options.command[0], options.command.slice(1), { stdio: 'inherit', env });
  child.on('error', (error) => {
    process.stderr.write(`connect-proxy: could not run ${options.command[0]}: ${error.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    server.close();
    process.exit(code === null ? 128 + (os.constants.signals[signal] || 0) : code);
  });
}

main().catch((error) => {
  process.stderr.write(`connect-proxy: ${error.message}\n`);
  process.exit(2);
});
