#!/usr/bin/env bash
# Builds the standard Functions deployment package: the `dotnet publish` output of the isolated worker
# (DbxSync.Functions.dll, functions.metadata, worker.config.json, extensions.json, host.json, .azurefunctions/)
# zipped at its root into artifacts/dbxsync-functions.zip, ready for
#   az functionapp deployment source config-zip -g <rg> -n <app> --src artifacts/dbxsync-functions.zip
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: publish.sh [--no-build] [--publish-dir DIR] [--output ZIP]
  --no-build         zip an existing publish output instead of running dotnet publish
  --publish-dir DIR  where dotnet publish writes, or what --no-build zips (default artifacts/publish/app)
  --output ZIP       the package to write (default artifacts/dbxsync-functions.zip)
USAGE
}

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build=true
publish_dir="$repo_root/artifacts/publish/app"
zip_path="$repo_root/artifacts/dbxsync-functions.zip"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=false; shift ;;
    --publish-dir) publish_dir="$(realpath -m "${2:?--publish-dir needs a directory}")"; shift 2 ;;
    --output) zip_path="$(realpath -m "${2:?--output needs a file}")"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "publish.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
cd "$repo_root"

if [[ "$build" == true ]]; then
  # Stale files from an earlier publish would otherwise be shipped.
  rm -rf "$publish_dir"
  # Framework-dependent: the Flex dotnet-isolated 10.0 image carries the .NET runtime.
  dotnet publish src/DbxSync.Functions -c Release -o "$publish_dir"
fi

for required in DbxSync.Functions.dll functions.metadata worker.config.json extensions.json host.json .azurefunctions; do
  if [[ ! -e "$publish_dir/$required" ]]; then
    echo "publish.sh: $publish_dir has no $required; run without --no-build" >&2
    exit 1
  fi
done

# MSBuild's ZipDirectory task, so packaging needs nothing beyond the .NET SDK.
rm -f "$zip_path"
mkdir -p "$(dirname "$zip_path")"
dotnet msbuild tools/ZipDirectory.proj -nologo -v:quiet -p:SourceDirectory="$publish_dir" -p:DestinationFile="$zip_path"
echo "$zip_path"
