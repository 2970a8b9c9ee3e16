#!/usr/bin/env bash
# Formats the C++ sources with clang-format and the repository's .clang-format.
#   scripts/format.sh           format the files in place
#   scripts/format.sh --check   change nothing; list the files whose formatting differs, exit 1 if any
# Files: the *.cpp and *.hpp that git knows (tracked, plus untracked ones not ignored) under the
# folders in $dirs below. clang-format: $CLANG_FORMAT, else clang-format-14, else clang-format.
# Exit codes: 0 ok, 1 files need formatting (--check), 2 usage or setup error,
# 77 skipped (no clang-format or no git checkout; CTest maps 77 to "skipped" via SKIP_RETURN_CODE).
# The configuration is written for clang-format 14; other versions format some constructs
# differently, so --check with another major version is skipped unless FKV_FORMAT_ANY_VERSION=1.
set -euo pipefail

dirs=(native/src tests/unit tests/fuzz tests/support tests/fake-azure/src)
expected_major=14

mode=format
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  -h | --help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "usage: $0 [--check]" >&2; exit 2; }

cd "$(dirname "${BASH_SOURCE[0]}")/.."

tool=${CLANG_FORMAT:-}
if [ -z "$tool" ]; then
  for candidate in clang-format-$expected_major clang-format; do
    if command -v "$candidate" >/dev/null 2>&1; then tool=$candidate; break; fi
  done
fi
if [ -z "$tool" ] || ! command -v "$tool" >/dev/null 2>&1; then
  echo "SKIP: clang-format not found${tool:+ ($tool)}; install clang-format-$expected_major or set CLANG_FORMAT"
  exit 77
fi
if ! command -v git >/dev/null 2>&1 || ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "SKIP: not a git checkout (the file list comes from git ls-files)"
  exit 77
fi
if [ ! -f .clang-format ]; then
  echo "error: no .clang-format at $(pwd)" >&2
  exit 2
fi

version=$("$tool" --version)
major=$(sed -n 's/.*clang-format version \([0-9][0-9]*\).*/\1/p' <<<"$version")
if [ "${major:-}" != "$expected_major" ]; then
  if [ "$mode" = check ] && [ "${FKV_FORMAT_ANY_VERSION:-0}" != 1 ]; then
    echo "SKIP: $version is not clang-format $expected_major, for which .clang-format is written" \
      "(set FKV_FORMAT_ANY_VERSION=1 to check anyway)"
    exit 77
  fi
  echo "warning: $version is not clang-format $expected_major; the result may differ from the expected style" >&2
fi

files=()
while IFS= read -r -d '' file; do
  [ -f "$file" ] && files+=("$file")  # listed by git but deleted in the work tree: nothing to format
done < <(git ls-files -z --cached --others --exclude-standard -- "${dirs[@]}" | grep -z -E '\.(cpp|hpp)$' | sort -z -u)
if [ ${#files[@]} -eq 0 ]; then
  echo "no C++ files found under ${dirs[*]}" >&2
  exit 2
fi

if ! problem=$("$tool" --style=file --dump-config -- "${files[0]}" 2>&1 >/dev/null); then
  echo "error: $tool cannot use $(pwd)/.clang-format:" >&2
  head -n 5 <<<"$problem" >&2
  exit 2
fi

if [ "$mode" = format ]; then
  "$tool" --style=file -i -- "${files[@]}"
  echo "formatted ${#files[@]} files with $version"
  exit 0
fi

# One run over all files; -ferror-limit=1 gives at most one diagnostic per file that differs.
status=0
output=$("$tool" --style=file --dry-run --Werror -ferror-limit=1 -- "${files[@]}" 2>&1) || status=$?
differ=()
while IFS= read -r file; do
  [ -n "$file" ] && differ+=("$file")
done < <(sed -n 's/^\(.*\):[0-9][0-9]*:[0-9][0-9]*: error: .*\[-Wclang-format-violations\]$/\1/p' <<<"$output" | sort -u)
if [ $status -ne 0 ] && [ ${#differ[@]} -eq 0 ]; then  # failed without a style difference: a real error
  echo "error: $tool failed:" >&2
  head -n 20 <<<"$output" >&2
  exit 2
fi
if [ ${#differ[@]} -gt 0 ]; then
  echo "${#differ[@]} of ${#files[@]} files are not formatted as .clang-format asks ($version):"
  printf '  %s\n' "${differ[@]}"
  echo "Run scripts/format.sh to format them (or see the changes with: $tool --style=file --dry-run <file>)."
  exit 1
fi
echo "all ${#files[@]} files are formatted ($version)"
