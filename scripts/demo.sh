#!/usr/bin/env bash
# Runs the task end to end against the bundled local Azure fake and shows the variables it sets.
# (Filled in by the native-task issue; until then it only builds and says so.)
set -euo pipefail
cd "$(dirname "$0")/.."
echo "demo: not wired yet - it will run federated-keyvault against tests/fake-azure and print the variables."
exit 1
