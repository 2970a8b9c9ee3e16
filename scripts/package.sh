#!/usr/bin/env bash
# Builds the extension and the bare task:
#   dist/<publisher>.federated-keyvault-<version>.vsix   the Marketplace package (tfx extension publish)
#   dist/task/                                           the task alone (tfx build tasks upload --task-path)
#
#   scripts/package.sh [--release] [--publisher ID] [--repository URL] [--binary PATH | --no-build] [--out DIR]
#   scripts/package.sh --set-version X.Y.Z
#   scripts/package.sh [--set-publisher ID] [--set-repository URL]
#
# 1. The version has one source, task/task.json; vss-extension.json and the CMake project version must
#    agree with it, or nothing is packaged. --set-version X.Y.Z writes all three and exits.
# 2. Who publishes has one place, package.json: "publisher" (the Marketplace publisher id) and
#    "repository.url" (the project's URL; the README's anchors are GitHub-style). --set-publisher and
#    --set-repository write them there and exit; --publisher and --repository override them for one run.
#    The committed values are placeholders. The staged copy of the manifests gets the publisher and, when
#    the URL is real, the Marketplace links (getstarted, support = <URL>/issues, license) and the task's
#    helpUrl; with the placeholder they are left out, so no packaged link points to a placeholder.
#    The binary names <URL>/issues in its internal errors (CMake reads package.json when it configures).
# 3. --release: a package for publishing. It refuses placeholders: in package.json (or the overrides) and
#    in any packaged file, binaries included (rebuild them after setting the URL). Without --release the
#    package is for local use and tests, and says which placeholders it still has.
# 4. Every binary this machine can build (on Linux x64: linux-x64, linux-x64-static (the fully static
#    glibc build, for musl and old-glibc hosts), linux-arm64 and win32-x64, see cmake/Cross.cmake) is built
#    with scripts/build.sh in build-package/ (FKV_PACKAGE_BUILD_DIR; tests off), stripped and copied into
#    task/bin/<key>/ as the launcher names the folders. --binary PATH packages that one file for this
#    machine's platform instead. Binaries already in task/bin/<other key>/ (cross builds) are packaged too.
#    --no-build packages task/bin as it is, after copying an existing build's binary if there is one.
# 5. tfx (a devDependency; scripts/setup.sh installs it) writes the .vsix from a staged copy in
#    <out>/stage/; the staged task folder is also copied to <out>/task/ for `tfx build tasks upload`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

publisher="" repository="" release=0 binary="" build=1 out="dist" set_version="" set_repository="" set_publisher=""
while [ $# -gt 0 ]; do
  case "$1" in
    --publisher) publisher=${2:?--publisher needs an id}; shift 2 ;;
    --repository) repository=${2:?--repository needs a URL}; shift 2 ;;
    --release) release=1; shift ;;
    --set-publisher) set_publisher=${2:?--set-publisher needs an id}; shift 2 ;;
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

# ---- who publishes: package.json ----
placeholder_publisher=your-publisher-id
placeholder_repository=https://github.com/your-org/federated-keyvault
valid_publisher() { [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9_-]*$ ]]; }
valid_repository() { [[ "$1" =~ ^https://[^[:space:]\"#?]+[^/]$ ]]; }
if [ -n "$set_publisher" ] || [ -n "$set_repository" ]; then
  if [ -n "$set_publisher" ]; then
    valid_publisher "$set_publisher" || die "--set-publisher wants a Marketplace publisher id (letters, digits, '-', '_'), got '$set_publisher'"
  fi
  if [ -n "$set_repository" ]; then
    valid_repository "$set_repository" || die "--set-repository wants an https:// URL without a trailing '/', '#' or '?', got '$set_repository'"
  fi
  node - "$set_publisher" "$set_repository" <<'EOF'
const fs = require('fs');
const [publisher, url] = process.argv.slice(2);
// Targeted replacements keep package.json's layout.
let text = fs.readFileSync('package.json', 'utf8');
if (publisher) text = text.replace(/("publisher":\s*)"[^"]*"/, (m, head) => head + JSON.stringify(publisher));
if (url) text = text.replace(/("repository":\s*\{[^}]*"url":\s*)"[^"]*"/, (m, head) => head + JSON.stringify(url));
const json = JSON.parse(text);
if ((publisher && json.publisher !== publisher) || (url && json.repository.url !== url)) {
  console.error('package: package.json has no "publisher" or "repository": { "url" } to set'); process.exit(1);
}
fs.writeFileSync('package.json', text);
EOF
  echo "package: package.json now names${set_publisher:+ publisher $set_publisher}${set_repository:+ project URL $set_repository}"
  exit 0
fi
[ -n "$publisher" ] || publisher=$(node -p "require('./package.json').publisher || ''")
[ -n "$repository" ] || repository=$(node -p "(require('./package.json').repository || {}).url || ''")
repository=${repository#git+}; repository=${repository%.git}
valid_publisher "$publisher" || die "'$publisher' is not a Marketplace publisher id (letters, digits, '-', '_'); set it in package.json or pass --publisher"
valid_repository "$repository" || die "'$repository' is not an https:// project URL without a trailing '/', '#' or '?'; set it in package.json or pass --repository"
placeholders=()
[ "$publisher" != "$placeholder_publisher" ] || placeholders+=("publisher '$publisher'")
[ "$repository" != "$placeholder_repository" ] || placeholders+=("project URL $repository")
if [ ${#placeholders[@]} -gt 0 ]; then
  if [ "$release" -eq 1 ]; then
    die "--release refuses placeholders: ${placeholders[*]}. Set the real ones in package.json (scripts/package.sh --set-publisher ID --set-repository URL) or pass --publisher/--repository."
  fi
  note=""; [ "$repository" != "$placeholder_repository" ] || note=", so the Marketplace links and the task's helpUrl are left out"
  echo "package: a local package, not for publishing: it has the placeholder ${placeholders[*]}$note"
fi
link_repository=""; [ "$repository" = "$placeholder_repository" ] || link_repository=$repository

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

# ---- the staged copy: manifests with the publisher and the project's links ----
stage="$out/stage"
rm -rf "$stage" "$out/task"
mkdir -p "$stage"
for entry in task images vss-extension.json overview.md LICENSE; do
  [ -e "$entry" ] || die "$entry is missing"
  cp -R "$entry" "$stage/"
done
node - "$stage" "$publisher" "$link_repository" <<'EOF'
const fs = require('fs');
const path = require('path');
const [stage, publisher, url] = process.argv.slice(2);
const file = (name) => path.join(stage, name);
const manifest = JSON.parse(fs.readFileSync(file('vss-extension.json'), 'utf8'));
manifest.publisher = publisher;
if (url) {
  manifest.repository = { type: 'git', uri: url };
  manifest.links = { getstarted: { uri: `${url}#install` }, support: { uri: `${url}/issues` }, license: { uri: `${url}#license` } };
  const task = JSON.parse(fs.readFileSync(file('task/task.json'), 'utf8'));
  task.helpUrl = `${url}#readme`;
  fs.writeFileSync(file('task/task.json'), JSON.stringify(task, null, 2) + '\n');
}
fs.writeFileSync(file('vss-extension.json'), JSON.stringify(manifest, null, 2) + '\n');
EOF
if [ "$release" -eq 1 ]; then
  # Anything packaged, binaries included, that still names a placeholder (e.g. a binary built before the
  # project URL was set: CMake reads it from package.json when it configures).
  leftovers=$(cd "$stage" && grep -rlaF -e "$placeholder_repository" -e "$placeholder_publisher" -e "github.com/your-org" . || true)
  [ -z "$leftovers" ] || die "--release refuses placeholders, and these packaged files still name one (rebuild the binaries after setting package.json): $(echo $leftovers)"
fi

# ---- the .vsix ----
mkdir -p "$out"
vsix="$out/$publisher.$extension_id-$version.vsix"
rm -f "$vsix"
"$tfx" extension create --root "$stage" --manifest-globs vss-extension.json --publisher "$publisher" \
  --output-path "$vsix" --no-prompt --no-color >"$out/tfx.log" 2>&1 || { cat "$out/tfx.log" >&2; die "tfx extension create failed"; }
if grep -qi 'warning' "$out/tfx.log"; then cat "$out/tfx.log" >&2; die "tfx printed warnings (see above); fix them before packaging"; fi
[ -f "$vsix" ] || { cat "$out/tfx.log" >&2; die "tfx did not write $vsix"; }
size=$(wc -c <"$vsix")
# Marketplace uploads of large packages have failed with tfx (reports from 19-25 MB); stay well under.
max_size=$((25 * 1024 * 1024))
[ "$size" -le "$max_size" ] || die "$vsix is $size bytes, over the $max_size-byte limit this project keeps"
echo "package: wrote $vsix ($size bytes)"
# The task alone, for organisations that allow no Marketplace tasks: tfx build tasks upload --task-path.
cp -R "$stage/task" "$out/task"
rm -rf "$stage"
echo "package: wrote $out/task/ (the task alone: tfx build tasks upload --task-path $out/task)"
