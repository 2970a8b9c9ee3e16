#!/usr/bin/env bash
# Renders a run summary (Markdown, as the task attaches it with task.uploadsummary) to a PNG with
# markdown-it and headless Chromium, for the README: what the run's summary page shows.
#   scripts/summary-png.sh [SUMMARY.md] [OUT.png]
# Defaults: tests/unit/agent/expected/partial.md -> images/overview/summary.png, which the README and the
# Marketplace page show (so does images/overview/diagnose.png, from tests/unit/agent/expected/diagnose.md).
# Needs Node (markdown-it from the root package.json, `npm ci`) and Chromium (Debian: apt-get install chromium); neither setup.sh nor the
# tests need Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
in=${1:-tests/unit/agent/expected/partial.md}
out=${2:-images/overview/summary.png}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "summary-png: Chromium is not installed (Debian: apt-get install chromium)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node -e '
const fs = require("node:fs");
const md = new (require("markdown-it"))();
const body = md.render(fs.readFileSync(process.argv[1], "utf8"));
const css = `body{font-family:"Segoe UI","DejaVu Sans",sans-serif;font-size:14px;color:#201f1e;margin:24px;max-width:1100px}
h3{font-size:20px;margin:0 0 12px}h4{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d0d0;padding:5px 10px;text-align:left;vertical-align:top}
th{background:#f3f2f1}td{max-width:520px}`;
fs.writeFileSync(process.argv[2], `<!doctype html><meta charset="utf-8"><style>${css}</style><body>${body}</body>`);
' "$in" "$work/summary.html"
"$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1150,820 \
  --screenshot="$work/summary.png" "file://$work/summary.html" >/dev/null 2>&1
mv "$work/summary.png" "$out"
echo "summary-png: wrote $out"
