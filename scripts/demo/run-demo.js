'use strict';
// The demo: runs federated-keyvault once, as a pipeline step would, against the local Azure fake
// (scripts/demo/scenario.json), then shows what the Azure Pipelines agent would log (secrets masked
// as '***', the way the agent masks registered secrets) and the variables the step sets.
//
//   node scripts/demo/run-demo.js BINARY FAKE_BINARY

const fs = require('node:fs');
const path = require('node:path');
const { runTask } = require('../../tests/e2e/harness');
const { scenarioEnv } = require('../../tests/support/scenario-env');

const [binary, fake] = process.argv.slice(2).map((file) => path.resolve(file));
const scenarioFile = path.join(__dirname, 'scenario.json');
const scenario = JSON.parse(fs.readFileSync(scenarioFile, 'utf8'));
const vault = scenario.vaults[0].name;

const run = runTask({ scenarioFile, env: scenarioEnv(scenario, { vault, filter: '*' }), binary, fake });

// The agent replaces every registered secret (setsecret data, issecret=true values) with ***.
const secrets = [...run.log.secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
const mask = (text) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);

const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
console.log(bold(`\n== The step's log, as the agent shows it (task: FederatedKeyVault@1, vault: ${vault}) ==`));
for (const line of run.stdout.split(/\r\n|\r|\n/)) {
  if (!line) continue;
  // The agent does not echo logging commands; the demo shows their header so you can see what
  // happened, and never their data (the secret values).
  if (line.startsWith('##vso[task.complete')) console.log(`  (command) ${mask(line)}`);
  else if (line.startsWith('##vso[')) console.log(`  (command) ${line.slice(0, line.indexOf(']') + 1)} ...`);
  else console.log(`  ${mask(line)}`);
}
if (run.stderr.trim()) console.log(mask(run.stderr.trim()).replace(/^/gm, '  (stderr) '));

console.log(bold('\n== Pipeline variables the step sets (values masked; lengths shown) =='));
const rows = [...run.log.variables.values()].map((v) => [v.name, v.secret ? 'secret' : 'public',
  v.secret ? `*** (${Buffer.byteLength(v.value, 'utf8')} bytes)` : v.value]);
const width = Math.max(...rows.map((r) => r[0].length), 8);
for (const [name, kind, value] of rows) console.log(`  ${name.padEnd(width)}  ${kind.padEnd(6)}  ${value}`);
console.log(bold(`\n== Step result: ${run.log.outcome(run.status)} (exit code ${run.status}) ==`));
const counts = new Map();
for (const r of run.requests) counts.set(`${r.method} ${r.host}`, (counts.get(`${r.method} ${r.host}`) || 0) + 1);
console.log(`  requests the fake saw: ${[...counts].map(([what, n]) => `${n} x ${what}`).join(', ')}`);
process.exit(run.status === 0 ? 0 : 1);
