#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz, each for a while, on a copy of its seed corpus.
#
#   scripts/fuzz.sh [--seconds N] [--build-dir DIR] [--keep DIR] [target...]
#
#   --seconds N     how long each target runs (default 60)
#   --build-dir DIR the fuzz build (default ${FKV_BUILD_DIR:-build}/fuzz); configured with clang and
#                   -DFKV_FUZZ=ON and built when needed
#   --keep DIR      write what each run found into DIR/<target>/ (new inputs, crash files) and keep it;
#                   by default they go to DIR=<build-dir>/runs, which is emptied first. Nothing is ever
#                   written into tests/fuzz/corpus: to add a found input, copy it there by hand.
#   --skip-without-clang  exit 77 (CTest's "skipped") when clang or libFuzzer is not installed
#   target          names such as url or url_fuzz (default: every tests/fuzz/*_fuzz.cpp)
#
# Fails (exit 1) when a target crashes, leaks, trips ASan/UBSan or breaks one of its properties,
# printing the path of the input that did it and the command that reproduces it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=60 build_dir="" keep="" skip_without_clang=0 targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --skip-without-clang) skip_without_clang=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("${1%_fuzz}"); shift ;;
  esac
done
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: --seconds needs a whole number" >&2; exit 2 ;; esac
build_dir=${build_dir:-${FKV_BUILD_DIR:-build}/fuzz}

fuzzer_lib=$(clang -print-file-name=libclang_rt.fuzzer-$(uname -m).a 2>/dev/null || true)
if ! command -v clang++ >/dev/null || [ ! -f "$fuzzer_lib" ]; then
  echo "fuzz.sh: clang++ with libFuzzer is not installed (Debian: clang, libclang-rt-14-dev; scripts/setup.sh)" >&2
  [ $skip_without_clang = 1 ] && exit 77
  exit 1
fi

if [ ${#targets[@]} -eq 0 ]; then
  for source in tests/fuzz/*_fuzz.cpp; do name=$(basename "$source" .cpp); targets+=("${name%_fuzz}"); done
fi
for t in "${targets[@]}"; do
  [ -f "tests/fuzz/${t}_fuzz.cpp" ] || { echo "fuzz.sh: no target '$t' (tests/fuzz/${t}_fuzz.cpp)" >&2; exit 2; }
done

# The fuzz build: clang, libraries with -fsanitize=fuzzer-no-link,address,undefined (cmake/Instrument.cmake).
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFKV_FUZZ=ON \
    -DFKV_BUILD_TESTS=OFF -DFKV_CROSS=OFF -DFKV_STATIC_OPENSSL=OFF >/dev/null
fi
echo "fuzz.sh: building ${#targets[@]} targets in $build_dir"
cmake --build "$build_dir" --parallel "$(nproc)" --target $(printf '%s_fuzz ' "${targets[@]}") >"$build_dir/build.log" 2>&1 ||
  { cat "$build_dir/build.log" >&2; echo "fuzz.sh: the fuzz build failed" >&2; exit 1; }

runs=${keep:-$build_dir/runs}
if [ -z "$keep" ]; then rm -rf "$runs"; fi
mkdir -p "$runs"
runs=$(cd "$runs" && pwd)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${targets[@]}"; do
  work="$runs/$t"
  mkdir -p "$work/corpus" "$work/artifacts"
  [ -d "tests/fuzz/corpus/$t" ] && cp -R "tests/fuzz/corpus/$t/." "$work/corpus/"
  binary="$build_dir/tests/fuzz/${t}_fuzz"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb bounds memory (2 shared cores, 24 GiB).
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1; then
    stats=$(grep -E '^stat::number_of_executed_units' "$work/log" | awk '{print $2}')
    corpus=$(find "$work/corpus" -type f | wc -l)
    echo "fuzz.sh: $t ok (${seconds}s, ${stats:-?} runs, corpus $corpus)"
  else
    failed+=("$t")
    echo "fuzz.sh: $t FAILED; its log: $work/log" >&2
    grep -E 'ERROR: |runtime error|fuzz property failed|SUMMARY' "$work/log" | head -5 >&2 || true
    for crash in "$work"/artifacts/*; do
      [ -e "$crash" ] || continue
      echo "fuzz.sh:   input: $crash" >&2
      echo "fuzz.sh:   reproduce: $binary $crash" >&2
    done
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}" >&2
  exit 1
fi
[ -n "$keep" ] || rm -rf "$runs"
echo "fuzz.sh: ${#targets[@]} targets passed"
