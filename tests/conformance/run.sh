#!/usr/bin/env bash
# Runs the SDK conformance test inside the namespace runner against a scenario.
#   tests/conformance/run.sh FAKE_BINARY [SCENARIO]
# Then runs the fault conformance (test/sdk-faults.test.mjs) against scenarios/faults.json.
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
