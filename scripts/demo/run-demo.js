'use strict';
// The demo: runs federated-keyvault as pipeline steps would, against the local Azure fake
// (scripts/demo/scenario.json), and shows what the Azure Pipelines agent would log (secrets masked
// as '***', the way the agent masks registered secrets) and the variables each step sets.
//
//   node scripts/demo/run-demo.js BINARY FAKE_BINARY
//
// Five parts, each one screen, each a function below: the YAML, the happy run, two failures users
// hit (a federated credential with the wrong subject, a vault without a role assignment) and a
// diagnose run (Mode: diagnose against the happy scenario). Lines starting "[demo]" are the demo's
// own notes, not the task's output. Exits 0 when every part behaved as the demo says it does.
// tests/e2e/demo.test.js runs it (through scripts/demo.sh with FKV_BINARY/FKV_FAKE_BIN) in CTest.

const fs = require('node:fs');
const path = require('node:path');
const { runTask } = require('../../tests/e2e/harness');
const { scenarioEnv } = require('../../tests/support/scenario-env');

const [binary, fake] = process.argv.slice(2).map((file) => path.resolve(file));
const scenarioFile = path.join(__dirname, 'scenario.json');
const scenario = JSON.parse(fs.readFileSync(scenarioFile, 'utf8'));

const GOOD = { connection: 0, vault: 'contoso-prod-kv' };
const WRONG_SUBJECT = { connection: 1, vault: 'contoso-prod-kv' };
const NO_ROLE = { connection: 0, vault: 'contoso-shared-kv' };

const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const say = (text = '') => console.log(text);
const note = (text) => say(`  [demo] ${text}`);
const header = (number, title) => say(bold(`\n== ${number}. ${title} ==`));

function run({ connection, vault }, set = {}) {
  return runTask({ scenarioFile, env: scenarioEnv(scenario, { connection, vault, filter: '*', set }), binary, fake });
}

// A registered secret that is no variable's value (nor a line of one) is a token. The binary gets the
// OIDC token from Azure DevOps first, then exchanges it at Entra ID for the Key Vault access token.
const TOKEN_KINDS = ['OIDC token', 'access token'];
const isCommand = (command, what) => command && `${command.area}.${command.event}`.toLowerCase() === what;

// Prints the step's log as the agent shows it. The agent does not echo logging commands; the demo
// shows each command's header (never the data of a secret) and labels what the command does.
function showLog(result) {
  const secrets = [...result.log.secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  const mask = (text) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
  const values = [...result.log.variables.values()].map((v) => v.value);
  let tokens = 0;
  let pendingSetsecrets = 0;
  const flushSetsecrets = () => {
    if (pendingSetsecrets > 0) {
      say(`  (command) ##vso[task.setsecret] ...${pendingSetsecrets > 1 ? `  x${pendingSetsecrets}` : ''}`);
      if (pendingSetsecrets > 1) note(`${pendingSetsecrets} setsecret lines: a multi-line value is masked line by line`);
    }
    pendingSetsecrets = 0;
  };
  for (const { text, command } of result.log.lines) {
    if (!text) continue;
    const header = command ? text.slice(0, text.indexOf(']') + 1) : '';
    if (isCommand(command, 'task.setsecret') && tokens < TOKEN_KINDS.length
        && !values.some((value) => value.includes(command.data))) {
      flushSetsecrets();
      note(`${TOKEN_KINDS[tokens]} registered as secret (the agent masks it from here on)`);
      say('  (command) ##vso[task.setsecret] ...');
      tokens += 1;
      continue;
    }
    if (isCommand(command, 'task.setsecret')) { pendingSetsecrets += 1; continue; }
    if (isCommand(command, 'task.setvariable') && pendingSetsecrets > 0) {
      // A value is registered for masking (each line of a multi-line one), then set: one line here.
      if (pendingSetsecrets > 1) note(`${pendingSetsecrets} setsecret lines: a multi-line value is masked line by line`);
      say(`  (command) ##vso[task.setsecret] ...${pendingSetsecrets > 1 ? ` x${pendingSetsecrets}` : ''}, then ${header} ***`);
      pendingSetsecrets = 0;
      continue;
    }
    flushSetsecrets();
    if (isCommand(command, 'task.setvariable')) {
      if (command.properties.get('variable') === 'SYSTEM_UNSAFEALLOWMULTILINESECRET') {
        note('the next secret has several lines. The agent rejects a multi-line secret value unless');
        note('SYSTEM_UNSAFEALLOWMULTILINESECRET is true: the task sets it, only when a value needs it');
        say(`  (command) ${text}`);
      } else {
        say(`  (command) ${header} ***`);
      }
    } else if (isCommand(command, 'task.logissue')) {
      // The agent shows an issue as a ##[error] / ##[warning] line.
      say(`  ##[${command.properties.get('type') || 'error'}]${mask(command.data)}`);
    } else if (isCommand(command, 'task.complete')) {
      say(`  (command) ${header} ${mask(command.data)}`);
    } else if (command) {
      say(`  (command) ${header} ...`);
    } else {
      say(`  ${mask(text)}`);
    }
  }
  flushSetsecrets();
  // ns-run's own note about its work dir is not part of the step's log.
  const stderr = result.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('ns-run: command exited'));
  if (stderr.length) say(mask(stderr.join('\n')).replace(/^/gm, '  (stderr) '));
}

function showVariables(result) {
  const rows = [...result.log.variables.values()].map((v) => [v.name, v.secret ? 'secret' : 'public',
    v.secret ? `*** (${Buffer.byteLength(v.value, 'utf8')} bytes)` : v.value]);
  if (rows.length === 0) { say('  Pipeline variables the step sets: none'); return; }
  say('  Pipeline variables the step sets (values masked; lengths shown):');
  const width = Math.max(...rows.map((r) => r[0].length), 8);
  for (const [name, kind, value] of rows) say(`    ${name.padEnd(width)}  ${kind.padEnd(6)}  ${value}`);
}

function showOutcome(result) {
  const counts = new Map();
  for (const r of result.requests) counts.set(`${r.method} ${r.host}`, (counts.get(`${r.method} ${r.host}`) || 0) + 1);
  say(bold(`  Step result: ${result.log.outcome(result.status)} (exit code ${result.status})`));
  say(`  requests the fake saw: ${[...counts].map(([what, n]) => `${n} x ${what}`).join(', ') || 'none'}`);
}

const connectionOf = (index) => scenario.connections[index];
const yamlFor = ({ connection, vault }, extra = []) => [
  '  - task: FederatedKeyVault@1          # was: AzureKeyVault@2',
  '    inputs:',
  `      azureSubscription: ${connectionOf(connection).name}`,
  `      KeyVaultName: ${vault}`,
  "      SecretsFilter: '*'",
  ...extra,
];

// ---- the five parts ----

function partYaml() {
  header(1, 'The pipeline step this demo runs');
  say(yamlFor(GOOD).join('\n'));
  say('  - script: ./deploy.sh');
  say('    env:');
  say('      DB_CONNECTION: $(db-connection-string)   # secrets reach scripts only when mapped');
  note(`the agent gives the step the service connection '${connectionOf(0).name}' (workload identity`);
  note(`federation, tenant ${connectionOf(0).tenant}) and the job's access token as environment`);
  note('variables. Here a local fake plays dev.azure.com, login.microsoftonline.com and the vault');
  note('in a private network namespace: nothing leaves this machine.');
  return true;
}

function partHappy() {
  header(2, `The happy run: vault ${GOOD.vault}, every enabled secret`);
  const result = run(GOOD);
  showLog(result);
  showVariables(result);
  showOutcome(result);
  return result.status === 0 && result.log.variables.size > 0;
}

function partWrongSubject() {
  const conn = connectionOf(WRONG_SUBJECT.connection);
  header(3, 'Failure: the federated credential has the wrong subject');
  const stale = scenario.apps.find((a) => a.clientId === conn.clientId).federatedCredentials[0].subject;
  note(`the step uses connection '${conn.name}'. Its app's federated credential was created by hand`);
  note(`before the connection was renamed: its subject is still '${stale}'.`);
  const result = run(WRONG_SUBJECT);
  showLog(result);
  showOutcome(result);
  note('the error names the issuer and subject to put into the federated credential.');
  return result.status !== 0 && result.stdout.includes('AADSTS700213');
}

function partNoRole() {
  header(4, `Failure: no role assignment on vault ${NO_ROLE.vault}`);
  note(`the connection is fine, but its identity was never given a role on ${NO_ROLE.vault}:`);
  const result = run(NO_ROLE);
  showLog(result);
  showOutcome(result);
  note('the error names the role to assign. No variable was set, no value was read.');
  return result.status !== 0 && result.stdout.includes('ForbiddenByRbac');
}

// Mode: diagnose (issue 12 item 2) against the happy scenario: every check, no variable set.
function partDiagnose() {
  header(5, `Check a connection without downloading: Mode: diagnose on ${GOOD.vault}`);
  say(yamlFor(GOOD, ['      Mode: diagnose']).join('\n'));
  const result = run(GOOD, { INPUT_MODE: 'diagnose' });
  showLog(result);
  showOutcome(result);
  const setVariables = result.log.lines.filter((l) => isCommand(l.command, 'task.setvariable'));
  if (setVariables.length > 0) {
    note(`diagnose must set no variable, but ${setVariables.length} were set.`);
    return false;
  }
  const vault = scenario.vaults.find((v) => v.name === GOOD.vault);
  const values = (vault ? vault.secrets : []).map((secret) => secret.value).filter((v) => v);
  if ([...result.log.secrets].some((registered) => values.some((value) => value.includes(registered)))) {
    note('diagnose must register no vault value, but it did.');
    return false;
  }
  note('diagnose set no variable and registered no vault value; each finding is "ok" or cause + fix.');
  return result.status === 0;
}

say(bold('federated-keyvault demo: FederatedKeyVault@1 against a local Azure fake'));
say('Lines starting "[demo]" are notes of this demo; the rest is what the pipeline log would show.');
const parts = [partYaml, partHappy, partWrongSubject, partNoRole, partDiagnose];
const failed = parts.filter((part) => !part()).map((part) => part.name);
if (failed.length > 0) {
  say(`\ndemo: these parts did not behave as described: ${failed.join(', ')}`);
  process.exit(1);
}
say(bold('\n== Done: the happy run, two failures with their fixes, and a diagnose run =='));
