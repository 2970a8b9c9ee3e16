#!/usr/bin/env bash
# sanitized-e2e.sh BINARY FAKE: every test of tests/e2e/native.test.js, of the fault matrix
# tests/e2e/faults.test.js (stalls, deadline, cancellation, hostile answers), of diagnose mode
# (diagnose.test.js), of the run summary (summary.test.js) and of the certificate conversions, JSON
# secrets and masking rules (certificates.test.js) with an ASan+UBSan build of the
# binary (cmake/Sanitize.cmake) against the Azure fake. Fails when a test fails or when the binary
# wrote any sanitizer report (each run's reports go to a log folder through tests/e2e/sanitize-run;
# they are printed here).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 2 ] || { echo "usage: sanitized-e2e.sh BINARY FAKE" >&2; exit 2; }
binary=$1 fake=$2
[ -x "$binary" ] || { echo "sanitized-e2e.sh: no binary at $binary (build the host build first)" >&2; exit 1; }
logs=$(mktemp -d "${TMPDIR:-/tmp}/fkv-sanitize.XXXXXX")
status=0
FKV_BINARY=$binary FKV_FAKE_BIN=$fake FKV_BINARY_WRAPPER="$here/sanitize-run $logs" \
  node --test "$here/native.test.js" "$here/faults.test.js" "$here/diagnose.test.js" "$here/summary.test.js" \
    "$here/certificates.test.js" ||
  status=$?
reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
  echo "sanitized-e2e.sh: the sanitizers reported $(echo "$reports" | wc -l) problem(s):" >&2
  for report in $reports; do echo "--- $report" >&2; cat "$report" >&2; done
  status=1
fi
rm -rf "$logs"
exit $status
