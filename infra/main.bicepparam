// Parameters for step 1 of tools/deploy.sh; every other parameter of main.bicep keeps its default.
using 'main.bicep'

param environmentName = readEnvironmentVariable('DBXSYNC_ENVIRONMENT', 'dbxsync-dev')
param flexInstanceMemoryMB = 2048
param flexMaximumInstanceCount = 40
param syncTimerSchedule = '0 */1 * * * *'
param keyVaultEnablePurgeProtection = false

// API access: bearer tokens, given here only as SHA-256 hex hashes (printf %s "$TOKEN" | sha256sum),
// comma-separated. Without any, the API refuses every call until a redeployment adds one.
param apiAuthMode = 'tokens'
param apiTokenSha256Hashes = readEnvironmentVariable('DBXSYNC_API_TOKEN_SHA256_HASHES', '')
param apiReadOnlyTokenSha256Hashes = readEnvironmentVariable('DBXSYNC_API_READONLY_TOKEN_SHA256_HASHES', '')
