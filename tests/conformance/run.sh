#!/usr/bin/env bash
# Runs the SDK conformance test inside the namespace runner against a scenario.
#   tests/conformance/run.sh FAKE_BINARY [SCENARIO]
# Then runs the fault conformance (test/sdk-faults.test.mjs) against scenarios/faults.json, and the other
# connection schemes (test/sdk-schemes.test.mjs: client secret, certificate, managed identity through IMDS)
# against tests/e2e/scenarios/schemes.json plus a throwaway certificate (openssl) registered on one more app.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fake=${1:?usage: run.sh FAKE_BINARY [SCENARIO]}
scenario=${2:-$root/tests/fake-azure/scenarios/multipage.json}
if [ ! -d "$here/node_modules/@azure/identity" ] || [ ! -d "$here/node_modules/@azure/keyvault-secrets" ]; then
  echo "conformance: $here/node_modules is missing; run scripts/setup.sh (npm ci) first" >&2
  exit 1
fi
"$root/tests/e2e/ns-run" --fake "$fake" --scenario "$scenario" -- \
  env FKV_SCENARIO="$scenario" node --test --test-reporter=spec "$here/test/sdk.test.mjs"
faults=$root/tests/fake-azure/scenarios/faults.json
"$root/tests/e2e/ns-run" --fake "$fake" --scenario "$faults" -- \
  env FKV_SCENARIO="$faults" node --test --test-concurrency=1 --test-reporter=spec "$here/test/sdk-faults.test.mjs"

work=$(mktemp -d "${TMPDIR:-/tmp}/fkv-conformance.XXXXXX")
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
  -subj /CN=fkv-conformance >/dev/null 2>&1
cat "$work/cert.pem" "$work/key.pem" >"$work/both.pem"
node -e '
  const fs = require("node:fs");
  const [base, cert, out] = process.argv.slice(1);
  const sc = JSON.parse(fs.readFileSync(base, "utf8"));
  sc.apps.push({ clientId: "dddddddd-0000-4000-8000-0000000000c1", tenant: sc.tenants[0].id,
    certificates: [fs.readFileSync(cert, "utf8")] });
  sc.imds.warmupNotFound = 2;
  fs.writeFileSync(out, JSON.stringify(sc));
' "$root/tests/e2e/scenarios/schemes.json" "$work/cert.pem" "$work/schemes.json"
"$root/tests/e2e/ns-run" --imds --fake "$fake" --scenario "$work/schemes.json" -- \
  env FKV_SCENARIO="$work/schemes.json" FKV_CERT_PEM="$work/both.pem" \
  node --test --test-concurrency=1 --test-reporter=spec "$here/test/sdk-schemes.test.mjs"
