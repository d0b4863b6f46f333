#!/usr/bin/env bash
# Builds the self-contained linux-x64 custom handler and packages it with host.json and the
# function definitions into artifacts/dbxsync-functions.zip, ready for
#   az functionapp deployment source config-zip -g <rg> -n <app> --src artifacts/dbxsync-functions.zip
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: publish.sh [--no-build]
  --no-build   package the existing artifacts/publish/app output instead of running dotnet publish
USAGE
}

build=true
for argument in "$@"; do
  case "$argument" in
    --no-build) build=false ;;
    -h|--help) usage; exit 0 ;;
    *) echo "publish.sh: unknown argument '$argument'" >&2; usage >&2; exit 2 ;;
  esac
done

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

publish_dir=artifacts/publish/app
package_dir=artifacts/publish/package
zip_path=artifacts/dbxsync-functions.zip

if [[ "$build" == true ]]; then
  # Stale files from an earlier publish would otherwise be shipped.
  rm -rf "$publish_dir"
  # Self-contained single file: the Flex 'custom' runtime image carries no .NET runtime.
  dotnet publish src/DbxSync.Functions -c Release -r linux-x64 --self-contained true \
    -p:PublishSingleFile=true -p:InvariantGlobalization=true -o "$publish_dir"
fi

python3 tools/package_functions.py \
  --repo-root "$repo_root" \
  --publish-dir "$publish_dir" \
  --package-dir "$package_dir" \
  --zip "$zip_path"
