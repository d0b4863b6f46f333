// Parameters for step 1 of tools/deploy.sh; every other parameter of main.bicep keeps its default.
using 'main.bicep'

param environmentName = 'dbxsync-dev'
param flexInstanceMemoryMB = 2048
param flexMaximumInstanceCount = 40
param apiAuthMode = 'host'
param syncTimerSchedule = '0 */1 * * * *'
param keyVaultEnablePurgeProtection = false
