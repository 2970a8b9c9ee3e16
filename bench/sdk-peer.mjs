// A benchmark peer: the script a user writes instead of using FederatedKeyVault@1, with Microsoft's
// @azure/identity (AzurePipelinesCredential, the workload identity federation credential for Azure
// Pipelines) and @azure/keyvault-secrets, with the SDK's own defaults (retry policy, keep-alive agent).
// It lists the vault (or takes the given names), gets every enabled secret and prints the agent's
// logging command for each, as a script step would; any SDK error ends it (exit 1), like an unhandled
// rejection in a user's script. The benchmark (scripts/bench/run-bench.js) runs it inside
// tests/e2e/ns-run against the Azure fake (NODE_EXTRA_CA_CERTS names the fake's CA).
//
// Environment (what a pipeline step gets from its variables; set by the benchmark):
//   FKV_PEER_MODE          sequential | chunks20 | concurrent64
//   AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_SERVICE_CONNECTION_ID, SYSTEM_ACCESSTOKEN, SYSTEM_OIDCREQUESTURI
//   FKV_PEER_VAULT         the vault name; FKV_PEER_SECRETS  '*' or a comma-separated list of names
// Modes:
//   sequential    one getSecret after another (the simplest script);
//   chunks20      Promise.all over chunks of 20 names, one chunk after another (what AzureKeyVault@2 does);
//   concurrent64  64 workers taking the next name from a shared queue.
import { AzurePipelinesCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';

const need = (name) => {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`sdk-peer: ${name} is not set\n`);
    process.exit(2);
  }
  return value;
};

const mode = need('FKV_PEER_MODE');
const credential = new AzurePipelinesCredential(need('AZURE_TENANT_ID'), need('AZURE_CLIENT_ID'),
  need('AZURE_SERVICE_CONNECTION_ID'), need('SYSTEM_ACCESSTOKEN'));
need('SYSTEM_OIDCREQUESTURI');  // read by AzurePipelinesCredential itself
const client = new SecretClient(`https://${need('FKV_PEER_VAULT')}.vault.azure.net`, credential);
const filter = need('FKV_PEER_SECRETS');

// Values are written only inside the secret-variable command, as the agent requires.
const emit = (secret) => process.stdout.write(`##vso[task.setvariable variable=${secret.name};issecret=true]${secret.value}\n`);

async function names() {
  if (filter !== '*') return filter.split(',').map((n) => n.trim()).filter(Boolean);
  const listed = [];
  for await (const properties of client.listPropertiesOfSecrets()) {
    if (properties.enabled !== false) listed.push(properties.name);
  }
  return listed;
}

async function sequential(list) {
  for (const name of list) emit(await client.getSecret(name));
}

async function chunks(list, size) {
  for (let i = 0; i < list.length; i += size) {
    const secrets = await Promise.all(list.slice(i, i + size).map((name) => client.getSecret(name)));
    secrets.forEach(emit);
  }
}

async function pool(list, workers) {
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const name = list[next];
      next += 1;
      emit(await client.getSecret(name));
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, list.length) }, worker));
}

const modes = { sequential, chunks20: (list) => chunks(list, 20), concurrent64: (list) => pool(list, 64) };
if (!modes[mode]) {
  process.stderr.write(`sdk-peer: unknown FKV_PEER_MODE '${mode}' (have: ${Object.keys(modes).join(', ')})\n`);
  process.exit(2);
}

try {
  await modes[mode](await names());
} catch (error) {
  // The SDK's message names the status and service code; it carries no token or secret value.
  process.stdout.write(`##vso[task.logissue type=error]${String(error.message).split('\n')[0]}\n`);
  process.exit(1);
}
