// Reads a fake-azure scenario and computes what Key Vault must return for it, using the same rules
// as the fake's scenario loader (tests/fake-azure/src/scenario.cpp): value | valueBase64, valueRepeat,
// previousVersions, generate {count, namePrefix, valuePrefix}.
import { readFileSync } from 'node:fs';

export function loadScenario(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function versionBytes(v) {
  let bytes = v.valueBase64 !== undefined ? Buffer.from(v.valueBase64, 'base64') : Buffer.from(v.value ?? '', 'utf8');
  const repeat = v.valueRepeat ?? 1;
  return repeat > 1 ? Buffer.concat(Array(repeat).fill(bytes)) : bytes;
}

// Map name -> {bytes, enabled, forbidden, contentType, tags, managed, exp, nbf, previous: [{version, bytes}]}
export function expectedSecrets(vault) {
  const out = new Map();
  for (const s of vault.secrets ?? []) {
    out.set(s.name, {
      bytes: versionBytes(s),
      enabled: s.enabled ?? true,
      forbidden: s.forbidden ?? '',
      contentType: s.contentType,
      tags: s.tags,
      managed: s.managed ?? false,
      exp: s.exp,
      nbf: s.nbf,
      previous: (s.previousVersions ?? []).map((p) => ({ version: p.version, bytes: versionBytes(p) })),
    });
  }
  const g = vault.generate;
  for (let i = 0; g && i < g.count; ++i) {
    const n = String(i).padStart(5, '0');
    out.set((g.namePrefix ?? 'gen-') + n, {
      bytes: Buffer.from((g.valuePrefix ?? 'value-') + n, 'utf8'), enabled: true, forbidden: '', managed: false, previous: [],
    });
  }
  return out;
}

export function oidcRequestUri(sc) {
  const org = sc.organization?.name ?? 'fkv-org';
  const project = sc.project?.id ?? '3f2c1b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';
  return `https://dev.azure.com/${org}/${project}/_apis/distributedtask/hubs/build/plans/` +
    `4c2b1e0a-1111-4222-8333-944455556666/jobs/5d3c2f1b-7777-4888-9999-aaaabbbbcccc/oidctoken`;
}

export function readRequestLog() {
  const dir = process.env.FKV_NS_WORKDIR;
  if (!dir) return [];
  return readFileSync(`${dir}/requests.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
