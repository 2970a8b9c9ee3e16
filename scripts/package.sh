#!/usr/bin/env bash
# Builds the Marketplace package: dist/<publisher>.federated-keyvault-<version>.vsix.
#
#   scripts/package.sh [--publisher ID] [--binary PATH | --no-build] [--out DIR]
#   scripts/package.sh --set-version X.Y.Z
#   scripts/package.sh --set-repository URL
#
# 1. The version has one source, task/task.json; vss-extension.json and the CMake project version must
#    agree with it, or nothing is packaged. --set-version X.Y.Z writes all three and exits.
# 2. Every binary this machine can build (on Linux x64: linux-x64, linux-x64-static (fully static),
#    linux-arm64 and win32-x64, see cmake/Cross.cmake) is built with scripts/build.sh in build-package/
#    (FKV_PACKAGE_BUILD_DIR; tests off), stripped and copied into task/bin/<key>/ as the launcher names
#    the folders. --binary PATH packages that one file for this machine's platform instead.
#    Binaries already in task/bin/<other key>/ (cross builds) are packaged too. --no-build packages
#    task/bin as it is, after copying an existing build's binary if there is one.
# 3. tfx (a devDependency; scripts/setup.sh installs it) writes the .vsix. --publisher replaces the
#    manifest's placeholder publisher (required to publish; see README "Publishing").
# The project's URL (its README) is in vss-extension.json (repository, links) and task/task.json
# (helpUrl); the committed one is a placeholder. --set-repository URL writes it into both and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

publisher="" binary="" build=1 out="dist" set_version="" set_repository=""
while [ $# -gt 0 ]; do
  case "$1" in
    --publisher) publisher=${2:?--publisher needs an id}; shift 2 ;;
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --no-build) build=0; shift ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --set-version) set_version=${2:?--set-version needs X.Y.Z}; shift 2 ;;
    --set-repository) set_repository=${2:?--set-repository needs a URL}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "package: $*" >&2; exit 1; }

# ---- the version ----
if [ -n "$set_version" ]; then
  [[ "$set_version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--set-version wants X.Y.Z (numbers), got '$set_version'"
  node - "$set_version" <<'EOF'
const fs = require('fs');
const version = process.argv[2];
const [major, minor, patch] = version.split('.');
// Targeted replacements keep each file's layout.
const edits = [
  ['task/task.json', /"version":\s*\{[^}]*\}/, `"version": { "Major": ${major}, "Minor": ${minor}, "Patch": ${patch} }`],
  ['vss-extension.json', /"version":\s*"[^"]*"/, `"version": "${version}"`],
  ['CMakeLists.txt', /(project\(federated_keyvault VERSION )[0-9.]+/, (match, head) => head + version],
];
for (const [file, pattern, replacement] of edits) {
  const text = fs.readFileSync(file, 'utf8');
  if (!pattern.test(text)) { console.error(`package: no version found in ${file}`); process.exit(1); }
  fs.writeFileSync(file, text.replace(pattern, replacement));
}
EOF
  echo "package: version set to $set_version in task/task.json, vss-extension.json and CMakeLists.txt"
  exit 0
fi

# ---- the project's URL ----
placeholder_repository=https://github.com/your-org/federated-keyvault
if [ -n "$set_repository" ]; then
  [[ "$set_repository" =~ ^https://[^[:space:]\"#?]+[^/]$ ]] || die "--set-repository wants an https:// URL without a trailing '/', '#' or '?', got '$set_repository'"
  node - "$set_repository" <<'EOF'
const fs = require('fs');
const url = process.argv[2];
const old = JSON.parse(fs.readFileSync('vss-extension.json', 'utf8')).repository.uri;
// Every URL that starts with the current one (repository, links, helpUrl), as text: layouts stay.
for (const file of ['vss-extension.json', 'task/task.json']) {
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes(`"${old}`)) { console.error(`package: ${file} does not name ${old}`); process.exit(1); }
  fs.writeFileSync(file, text.split(`"${old}`).join(`"${url}`));
}
EOF
  echo "package: project URL set to $set_repository in vss-extension.json (repository, links) and task/task.json (helpUrl)"
  exit 0
fi

version=$(node - <<'EOF'
const fs = require('fs');
const task = JSON.parse(fs.readFileSync('task/task.json', 'utf8')).version;
const version = `${task.Major}.${task.Minor}.${task.Patch}`;
const manifest = JSON.parse(fs.readFileSync('vss-extension.json', 'utf8')).version;
const cmake = (fs.readFileSync('CMakeLists.txt', 'utf8').match(/project\(federated_keyvault VERSION ([0-9.]+)/) || [])[1];
const problems = [];
if (manifest !== version) problems.push(`vss-extension.json has ${manifest}`);
if (cmake !== undefined && cmake !== version) problems.push(`CMakeLists.txt has ${cmake}`);
if (problems.length) {
  console.error(`package: versions disagree: task/task.json has ${version}, ${problems.join(', ')}. ` +
    'Run scripts/package.sh --set-version X.Y.Z to set all of them.');
  process.exit(1);
}
console.log(version);
EOF
) || exit 1

if [ -z "$publisher" ]; then
  publisher=$(node -p "require('./vss-extension.json').publisher")
  echo "package: no --publisher given; using the manifest's placeholder '$publisher' (fine for local tests, not for publishing)"
fi
if [ "$(node -p "require('./vss-extension.json').repository.uri")" = "$placeholder_repository" ]; then
  echo "package: the manifest still names the placeholder project URL $placeholder_repository (its links and the task's helpUrl); set the real one with --set-repository URL before publishing"
fi
[[ "$publisher" =~ ^[A-Za-z0-9][A-Za-z0-9_-]*$ ]] || die "'$publisher' is not a Marketplace publisher id (letters, digits, '-', '_')"
extension_id=$(node -p "require('./vss-extension.json').id")

tfx="$root/node_modules/.bin/tfx"
[ -x "$tfx" ] || die "tfx-cli is not installed; run scripts/setup.sh (it runs npm ci for package-lock.json)"

# ---- the binaries ----
key=$(node -p "require('./task/launcher').hostPlatformKey()")
exe=federated-keyvault
case "$key" in win32-*) exe=federated-keyvault.exe ;; esac
# A build of the product alone (no tests), in its own directory so the test build's cache is untouched.
build_dir=${FKV_PACKAGE_BUILD_DIR:-build-package}

# Copies one binary into task/bin/<key>/, stripped with the strip tool for its format.
install_binary() {
  local key=$1 source=$2 name=federated-keyvault target
  case "$key" in win32-*) name=federated-keyvault.exe ;; esac
  [ -f "$source" ] || die "binary '$source' does not exist"
  mkdir -p "task/bin/$key"
  target="task/bin/$key/$name"
  rm -f "$target"
  case "$(file -b "$source")" in
    *ELF*x86-64*) strip --strip-all -o "$target" "$source" || die "strip failed for $source" ;;
    *ELF*aarch64*|*ELF*ARM*) aarch64-linux-gnu-strip --strip-all -o "$target" "$source" || die "strip failed for $source" ;;
    *PE32+*) x86_64-w64-mingw32-strip --strip-all -o "$target" "$source" || die "strip failed for $source" ;;
    *) cp "$source" "$target" ;;   # a Mach-O or a test stand-in: packaged as is
  esac
  chmod 0755 "$target"
  echo "package: $source -> $target ($(wc -c <"$target") bytes)"
}

if [ -n "$binary" ]; then
  install_binary "$key" "$binary"
else
  if [ "$build" -eq 1 ]; then
    echo "package: building with scripts/build.sh (build dir $build_dir, tests off, cross builds on)"
    FKV_BUILD_DIR="$build_dir" scripts/build.sh -DFKV_BUILD_TESTS=OFF
  fi
  # Everything this machine builds (see cmake/Cross.cmake), by the launcher's platform keys. The
  # fully static Linux build is the one for musl containers (Alpine).
  if [ "$key" = linux-x64 ]; then
    outputs=("linux-x64:$build_dir/native/federated-keyvault"
             "linux-x64-static:$build_dir/native/federated-keyvault-static"
             "linux-arm64:$build_dir/cross/linux-arm64/native/federated-keyvault"
             "win32-x64:$build_dir/cross/windows-x64/native/federated-keyvault.exe")
  else
    outputs=("$key:$build_dir/native/$exe")
  fi
  for entry in "${outputs[@]}"; do
    source=${entry#*:}
    if [ -f "$source" ]; then install_binary "${entry%%:*}" "$source"
    elif [ "$build" -eq 1 ]; then die "the build produced no $source"
    fi
  done
fi

supported=$(node -p "require('./task/launcher').SUPPORTED_PLATFORMS.join(' ')")
found=()
for dir in task/bin/*/; do
  [ -d "$dir" ] || continue
  platform=$(basename "$dir")
  [[ " $supported " == *" $platform "* ]] || die "task/bin/$platform is not a platform the launcher knows ($supported)"
  name=federated-keyvault; case "$platform" in win32-*) name=federated-keyvault.exe ;; esac
  [ -f "$dir$name" ] || die "task/bin/$platform has no $name"
  found+=("$platform")
done
[ ${#found[@]} -gt 0 ] || die "task/bin holds no binary; build one (drop --no-build) or pass --binary PATH"
echo "package: binaries for ${found[*]}"

# ---- the .vsix ----
mkdir -p "$out"
vsix="$out/$publisher.$extension_id-$version.vsix"
rm -f "$vsix"
"$tfx" extension create --root . --manifest-globs vss-extension.json --publisher "$publisher" \
  --output-path "$vsix" --no-prompt --no-color >"$out/tfx.log" 2>&1 || { cat "$out/tfx.log" >&2; die "tfx extension create failed"; }
if grep -qi 'warning' "$out/tfx.log"; then cat "$out/tfx.log" >&2; die "tfx printed warnings (see above); fix them before packaging"; fi
[ -f "$vsix" ] || { cat "$out/tfx.log" >&2; die "tfx did not write $vsix"; }
size=$(wc -c <"$vsix")
# Marketplace uploads of large packages have failed with tfx (reports from 19-25 MB); stay well under.
max_size=$((25 * 1024 * 1024))
[ "$size" -le "$max_size" ] || die "$vsix is $size bytes, over the $max_size-byte limit this project keeps"
echo "package: wrote $vsix ($size bytes)"
