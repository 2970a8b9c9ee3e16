#!/usr/bin/env bash
# Installs what building and testing need, idempotently and quietly:
# Debian packages (one apt-get update, only when something is missing) and the Node packages of
# every committed package-lock.json (npm ci, only when node_modules is older than the lockfile).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake ninja-build pkg-config make
  libboost1.81-dev rapidjson-dev doctest-dev libssl-dev
  openssl ca-certificates curl iproute2 util-linux unzip file binutils time
  # the benchmark report's chart (scripts/bench/report.js)
  gnuplot-nox
  # the fuzz and sanitizer builds: clang with libFuzzer and the ASan/UBSan/LSan runtimes
  clang libclang-rt-14-dev
  # cross builds (issue 5): Linux arm64 under qemu, Windows x64 under wine
  g++-aarch64-linux-gnu qemu-user-static g++-mingw-w64-x86-64-posix wine64 dpkg-dev
)
# arm64 OpenSSL comes from Debian's multiarch package: the architecture must be known to dpkg.
arm64_added=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd dpkg --add-architecture arm64
  arm64_added=1
fi
packages+=(libssl-dev:arm64)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
# Debian's source package of OpenSSL is what scripts/cross/openssl-mingw.sh cross-compiles for Windows.
src_list=/etc/apt/sources.list.d/fkv-debian-src.sources
src_added=0
if [ ! -f "$src_list" ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm bookworm-updates' \
    'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' | $sudo_cmd tee "$src_list" >/dev/null
  src_added=1
fi
if [ ${#missing[@]} -gt 0 ] || [ $arm64_added = 1 ] || [ $src_added = 1 ]; then
  echo "setup: apt-get update${missing[*]:+, then installing ${missing[*]}}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node 20 or later: the conformance test's Azure SDK packages and the tests' node:test features need it.
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node $(node -v) is too old; Node 20 or later is needed (the machine image has it as /usr/bin/node)" >&2
  exit 1
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
