#!/usr/bin/env bash
# measure.sh OUT COMMAND [ARGS...]: runs COMMAND (the benchmark wraps each tool with it, inside
# tests/e2e/ns-run) and writes one line "<wall microseconds> <max RSS KiB> <user s> <sys s>" to OUT. The wall time is taken here,
# around the command only, so namespace and fake start-up are not counted; the max RSS is GNU time's %M
# (the command's own peak resident set, not this script's; for a tree of processes, the largest one's),
# user and system CPU are GNU time's %U and %S (the command and its waited-for children). COMMAND's stdout, stderr and exit code pass
# through unchanged. Needs GNU time at /usr/bin/time (Debian package `time`; scripts/setup.sh installs it).
set -uo pipefail
out=$1; shift
[ -x /usr/bin/time ] || { echo "measure.sh: /usr/bin/time (GNU time) is missing; run scripts/setup.sh" >&2; exit 127; }
rss_file=$(mktemp "${TMPDIR:-/tmp}/fkv-bench-rss.XXXXXX")
start=$(date +%s%N)
/usr/bin/time -f '%M %U %S' -o "$rss_file" "$@"
rc=$?
end=$(date +%s%N)
printf '%s %s\n' "$(( (end - start) / 1000 ))" "$(tail -n 1 "$rss_file")" >"$out"
rm -f "$rss_file"
exit $rc
