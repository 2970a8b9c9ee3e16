#!/usr/bin/env bash
# check-binaries.sh KIND=PATH...: checks what each shipped binary needs from the machine it runs on,
# and reports its stripped size.
#   linux=PATH    dynamic glibc build: highest GLIBC_ symbol version <= the baseline (ubuntu-22.04
#                 has 2.35), needs only libc/libm/libgcc_s/ld-linux (OpenSSL and libstdc++ are linked in).
#                 The baseline is DYNAMIC_GLIBC_BASELINE in task/binary-choice.js, the number the launcher
#                 compares the host's glibc with to pick the static build instead: one number, read here.
#   static=PATH   fully static build (for musl/Alpine containers): no program interpreter, no DT_NEEDED
#   windows=PATH  PE32+ build: imports only DLLs every Windows has (no libstdc++/OpenSSL/winpthread DLLs)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
max_glibc=$(node -p "require(process.argv[1]).DYNAMIC_GLIBC_BASELINE" "$root/task/binary-choice.js")
[[ "$max_glibc" =~ ^[0-9]+\.[0-9]+$ ]] || { echo "FAIL: no glibc baseline in task/binary-choice.js ('$max_glibc')"; exit 1; }
fail=0
report() { printf '%-8s %-60s %s\n' "$1" "$2" "$3"; }
bad() { echo "FAIL: $*"; fail=1; }

for arg in "$@"; do
  kind=${arg%%=*} path=${arg#*=}
  [ -f "$path" ] || { bad "$kind binary $path does not exist"; continue; }
  stripped=$(mktemp); trap 'rm -f "$stripped"' EXIT
  case "$kind" in
    linux)
      case "$(file -b "$path")" in *aarch64*) strip_tool=aarch64-linux-gnu-strip; objdump=aarch64-linux-gnu-objdump ;;
                                   *) strip_tool=strip; objdump=objdump ;; esac
      highest=$($objdump -T "$path" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)
      [ -n "$highest" ] || bad "$path: no GLIBC_ symbols found (is it dynamic?)"
      if [ "$(printf '%s\n%s\n' "$highest" "$max_glibc" | sort -V | tail -1)" != "$max_glibc" ]; then
        bad "$path needs GLIBC_$highest, more than $max_glibc"
      fi
      needed=$($objdump -p "$path" | awk '/NEEDED/{print $2}' | sort | tr '\n' ' ')
      for lib in $needed; do
        case "$lib" in libc.so.6|libm.so.6|libgcc_s.so.1|ld-linux-*.so.*) ;; *) bad "$path needs $lib" ;; esac
      done
      $strip_tool --strip-all -o "$stripped" "$path"
      report "$kind" "$path" "GLIBC_$highest, needs: ${needed}stripped $(wc -c <"$stripped") bytes" ;;
    static)
      description=$(file -b "$path")
      case "$description" in *"statically linked"*) ;; *) bad "$path is not statically linked: $description" ;; esac
      if objdump -p "$path" | grep -q NEEDED; then bad "$path has DT_NEEDED entries"; fi
      strip --strip-all -o "$stripped" "$path"
      report "$kind" "$path" "static, stripped $(wc -c <"$stripped") bytes" ;;
    windows)
      dlls=$(x86_64-w64-mingw32-objdump -p "$path" | awk '/DLL Name/{print $3}' | tr 'A-Z' 'a-z' | sort -u | tr '\n' ' ')
      for dll in $dlls; do
        case "$dll" in kernel32.dll|msvcrt.dll|ws2_32.dll|crypt32.dll|advapi32.dll|user32.dll|bcrypt.dll|gdi32.dll|mswsock.dll) ;;
          *) bad "$path imports $dll" ;; esac
      done
      x86_64-w64-mingw32-strip --strip-all -o "$stripped" "$path"
      report "$kind" "$path" "imports: ${dlls}stripped $(wc -c <"$stripped") bytes" ;;
    *) bad "unknown kind '$kind'" ;;
  esac
done
[ $fail -eq 0 ] && echo "portable binaries: all checks passed"
exit $fail
