#!/usr/bin/env bash
# Runs the task end to end against the bundled local Azure fake and shows what a pipeline would see.
#
# Installs only what the demo needs (scripts/setup.sh --demo: compiler, CMake, Ninja, Boost, RapidJSON,
# OpenSSL, Node; not the cross toolchains), builds the native binary and the fake in build-demo/
# (FKV_DEMO_BUILD_DIR), starts the fake in a private network namespace where it plays dev.azure.com,
# login.microsoftonline.com and the vaults (tests/e2e/ns-run), and runs federated-keyvault with the
# environment an Azure Pipelines agent gives a step (scripts/demo/run-demo.js): the YAML, the happy
# run, two failures users hit and a diagnose run. Nothing leaves the machine.
#
# FKV_BINARY and FKV_FAKE_BIN (both set): use these binaries; no setup, no build (tests/e2e/demo.test.js).
set -euo pipefail
cd "$(dirname "$0")/.."

userns_needed='The demo needs unprivileged user namespaces (unshare --net --mount --map-root-user must work); in Docker, run the container with --privileged or equivalent.'
check_userns() {
  if ! unshare --net --mount --map-root-user true 2>/dev/null; then
    echo "demo: $userns_needed" >&2
    exit 1
  fi
}

if [ -n "${FKV_BINARY:-}" ] && [ -n "${FKV_FAKE_BIN:-}" ]; then
  check_userns
  binary=$FKV_BINARY fake=$FKV_FAKE_BIN
else
  # Fail before installing anything when the machine cannot run the demo (unshare is in util-linux,
  # which Debian always has; without it setup installs it and the check runs after).
  if command -v unshare >/dev/null; then check_userns; fi
  scripts/setup.sh --demo
  check_userns
  build_dir=${FKV_DEMO_BUILD_DIR:-build-demo}
  if [ ! -f "$build_dir/build.ninja" ]; then
    echo "demo: building federated-keyvault and the Azure fake in $build_dir/ (first time: a few minutes)"
    # The native binary and the fake only: no cross, sanitizer or fuzz builds. Later runs skip this
    # (the build re-runs CMake by itself when a CMakeLists.txt changed).
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFKV_CROSS=OFF -DFKV_SANITIZE_BUILD=OFF >/dev/null
  fi
  cmake --build "$build_dir" --target federated-keyvault fake-azure --parallel "$(nproc)" >/dev/null
  binary=$build_dir/native/federated-keyvault fake=$build_dir/tests/fake-azure/fake-azure
fi
exec node scripts/demo/run-demo.js "$binary" "$fake"
