#!/usr/bin/env bash
# Runs the task end to end against the bundled local Azure fake and shows the variables it sets.
#
# Builds what it needs (the binary and the fake, in build/), starts the fake in a private network
# namespace where it plays dev.azure.com, login.microsoftonline.com and contoso-prod-kv.vault.azure.net
# (tests/e2e/ns-run), runs federated-keyvault with the environment an Azure Pipelines agent gives a
# step (a workload identity federation service connection), and prints the step's log as the agent
# would show it plus the table of pipeline variables (values masked). Nothing leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir=${FKV_BUILD_DIR:-build}
echo "demo: building federated-keyvault and the Azure fake in $build_dir/ (first time: a few minutes)"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" --target federated-keyvault fake-azure --parallel "$(nproc)" >/dev/null
node scripts/demo/run-demo.js "$build_dir/native/federated-keyvault" "$build_dir/tests/fake-azure/fake-azure"
