#!/usr/bin/env bash
# Deploys DbxSync to an existing resource group in the three steps of docs/deployment.md:
#   1. infrastructure: infra/main.bicep with infra/main.bicepparam
#   2. code: ./dbxsync publish, then a Flex Consumption one-deploy of artifacts/dbxsync-functions.zip
#   3. Event Grid: infra/eventgrid.bicep subscribes labeled/ and volumes/ to the blob triggers' webhook; it
#      needs the host's blobs_extension key, which exists only once the deployed code has started.
# Needs the Azure CLI (az login done; it brings its own Bicep) and the .NET SDK.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: tools/deploy.sh RESOURCE_GROUP
Environment (read by infra/main.bicepparam): DBXSYNC_ENVIRONMENT (default dbxsync-dev),
DBXSYNC_API_TOKEN_SHA256_HASHES, DBXSYNC_API_READONLY_TOKEN_SHA256_HASHES.
DBXSYNC_PACKAGE=path.zip deploys an already built package instead of running ./dbxsync publish.
USAGE
}

[[ $# -eq 1 && "$1" != -* ]] || { usage >&2; exit 2; }
group="$1"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
main_deployment=dbxsync-main
poll_seconds="${DBXSYNC_DEPLOY_POLL_SECONDS:-10}"

step() { printf '\033[1m[deploy]\033[0m %s\n' "$*" >&2; }

step "1/3 infrastructure (infra/main.bicep) in resource group $group"
az deployment group create -g "$group" -n "$main_deployment" -p infra/main.bicepparam -o none
output() { az deployment group show -g "$group" -n "$main_deployment" --query "properties.outputs.$1.value" -o tsv; }
app="$(output functionAppName)"
storage="$(output storageAccountName)"
topic="$(output eventGridSystemTopicName)"
url="$(output functionAppUrl)"
environment="$(az deployment group show -g "$group" -n "$main_deployment" --query properties.parameters.environmentName.value -o tsv)"

step "2/3 code: package the isolated worker and deploy it to $app"
package="${DBXSYNC_PACKAGE:-}"
if [[ -z "$package" ]]; then
  bash tools/publish.sh
  package=artifacts/dbxsync-functions.zip
fi
az functionapp deployment source config-zip -g "$group" -n "$app" --src "$package" -o none

step "waiting for the host to start with the blob triggers (their blobs_extension key)"
for attempt in $(seq 1 30); do
  # A request wakes a scaled-to-zero app; only whether the key exists is printed, never the key.
  curl -s -o /dev/null --max-time 30 "$url/api/health" || true
  present="$(az functionapp keys list -g "$group" -n "$app" --query 'systemKeys.blobs_extension != null' -o tsv 2>/dev/null || true)"
  [[ "$present" == "true" ]] && break
  if [[ "$attempt" == 30 ]]; then
    echo "deploy.sh: no blobs_extension key after 30 tries; see docs/deployment.md (Troubleshooting), then rerun." >&2
    exit 1
  fi
  sleep "$poll_seconds"
done

step "3/3 Event Grid subscriptions (infra/eventgrid.bicep)"
az deployment group create -g "$group" -n dbxsync-eventgrid -f infra/eventgrid.bicep -o none \
  -p functionAppName="$app" storageAccountName="$storage" systemTopicName="$topic" environmentName="$environment"

step "done: $url (health: $url/api/health)"
