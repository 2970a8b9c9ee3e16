#!/bin/sh
# run-isolated.sh TEST_BINARY [args...]: runs the HttpsClient tests in a private network + mount
# namespace: only a loopback interface exists, and /etc/resolv.conf names 127.0.0.1, where the
# tests run their own DNS responder (FKV_TEST_PRIVATE_DNS=1 tells them so). Exits 77 (CTest: skipped)
# where user and network namespaces are unavailable, rather than testing on the host's network.
set -eu
if [ "${1:-}" = "--inside" ]; then
  shift
  ip link set lo up
  conf=$(mktemp)
  printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$conf"
  mount --bind "$conf" /etc/resolv.conf
  rm -f "$conf"  # the bind mount keeps the file alive
  FKV_TEST_PRIVATE_DNS=1 exec "$@"
fi
if ! unshare --net --mount --map-root-user true 2>/dev/null; then
  echo "SKIP: user, network and mount namespaces are not available here"
  exit 77
fi
exec unshare --net --mount --map-root-user --fork "$0" --inside "$@"
