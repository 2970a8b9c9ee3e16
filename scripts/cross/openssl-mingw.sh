#!/usr/bin/env bash
# Builds a static OpenSSL for Windows x64 (mingw-w64) from Debian's source package, once, into a
# cache directory outside the clone, and prints the install prefix.
#
#   scripts/cross/openssl-mingw.sh            -> prints the prefix, ~/.cache/federated-keyvault/openssl-mingw64
#
# Debian has no mingw OpenSSL package, so the upstream tarball that Debian ships as its source is
# cross-compiled (~2 min on 2 cores). The prefix is fixed (so a build can name it before it exists);
# its .complete file records the version, and a finished build of the current version is reused.
# Hardening: no-module (no legacy.dll), no-engine; the binary itself must also call
# OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG) because the build-host OPENSSLDIR is baked in.
set -euo pipefail
cache=${FKV_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/federated-keyvault}
mkdir -p "$cache"

if [ -z "$(apt-cache showsrc openssl 2>/dev/null)" ]; then
  echo "openssl-mingw: apt knows no source package for openssl; run scripts/setup.sh (it adds Debian's deb-src entry)" >&2
  exit 1
fi
version=$(apt-cache showsrc openssl | awk '/^Version:/{print $2}' | sort -V | tail -1)
upstream=${version%%-*}
prefix="$cache/openssl-mingw64"
if [ "$(cat "$prefix/.complete" 2>/dev/null)" = "$upstream" ]; then echo "$prefix"; exit 0; fi
rm -rf "$prefix"

work=$(mktemp -d "$cache/openssl-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  apt-get source --download-only "openssl=$version" >/dev/null 2>&1 || true
  tarball=$(ls openssl_"$upstream".orig.tar.gz 2>/dev/null || true)
  [ -n "$tarball" ] || { echo "openssl-mingw: could not download openssl $version source" >&2; exit 1; }
  tar xzf "$tarball"
  cd "openssl-$upstream"
  log="$work/build.log"
  echo "openssl-mingw: building OpenSSL $upstream for Windows x64 into $prefix (once; about two minutes)"
  { ./Configure mingw64 --cross-compile-prefix=x86_64-w64-mingw32- no-shared no-tests no-module no-engine \
      --prefix="$prefix" --libdir=lib &&
    make -j"$(nproc)" build_libs &&
    make install_dev; } >"$log" 2>&1 || { tail -40 "$log"; echo "openssl-mingw: build failed" ; exit 1; }
) >&2
echo "$upstream" >"$prefix/.complete"
echo "$prefix"
