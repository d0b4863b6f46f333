// DbxSync: the .NET isolated worker on Flex Consumption, identity-based storage, Key Vault and App Insights.
// Step 1 of tools/deploy.sh (docs/deployment.md); eventgrid.bicep follows once the code is deployed.
targetScope = 'resourceGroup'

@description('Short environment name (dev, test, prod); seeds resource names and the azd-env-name tag.')
@minLength(1)
@maxLength(32)
param environmentName string

@description('Region for every resource. Flex Consumption is offered in a subset of regions.')
param location string = resourceGroup().location

@description('Overrides the generated function app name (must be globally unique).')
param functionAppNameOverride string = ''

@description('Flex Consumption instance memory, shared by the Functions host and the .NET worker.')
@allowed([ 512, 2048, 4096 ])
param flexInstanceMemoryMB int = 2048

@description('Flex Consumption scale-out ceiling. Syncs are serialised per config by blob leases, so a low ceiling is enough.')
@minValue(40)
@maxValue(1000)
param flexMaximumInstanceCount int = 40

@description('tokens = bearer tokens checked against apiTokenSha256Hashes; easyauth = Entra ID sign-in by App Service Authentication, then only apiAllowedApplicationIds/apiAllowedPrincipalIds. The HTTP functions are anonymous to the host, so no mode relies on function keys.')
@allowed([ 'tokens', 'easyauth' ])
param apiAuthMode string = 'tokens'

@description('Entra application (client) id for Easy Auth; required when apiAuthMode is easyauth.')
param easyAuthClientId string = ''

@description('easyauth mode: comma-separated client (application) ids allowed to call the API.')
param apiAllowedApplicationIds string = ''

@description('easyauth mode: comma-separated object ids of users or service principals allowed to call the API.')
param apiAllowedPrincipalIds string = ''

@description('Comma-separated SHA-256 hex hashes of full-access API bearer tokens (only hashes, never tokens). With none, tokens mode refuses every API call.')
param apiTokenSha256Hashes string = ''

@description('Comma-separated SHA-256 hex hashes of read-only API bearer tokens.')
param apiReadOnlyTokenSha256Hashes string = ''

@description('Extra workspace hosts allowed besides *.azuredatabricks.net-style hosts; keep empty in Azure.')
param allowedWorkspaceHosts string = ''

@description('6-field NCRONTAB (UTC) for the SyncTimer function that starts due syncs.')
param syncTimerSchedule string = '0 */1 * * * *'

@description('Once on, purge protection can never be turned off and the vault name stays reserved for the retention period; off by default so dev environments can be deleted and re-created. Turn on for production.')
param keyVaultEnablePurgeProtection bool = false

@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Optional object id of a person or pipeline granted Storage Blob Data Contributor (shared keys are off).')
param operatorPrincipalId string = ''

@allowed([ 'User', 'Group', 'ServicePrincipal' ])
param operatorPrincipalType string = 'User'

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'dbxsync'
}

var functionAppName = !empty(functionAppNameOverride) ? functionAppNameOverride : take('${abbrs.functionApp}${toLower(environmentName)}-${resourceToken}', 60)
var storageAccountName = take('${abbrs.storageAccount}${resourceToken}', 24)
var keyVaultName = take('${abbrs.keyVault}${resourceToken}', 24)
var deploymentContainerName = 'app-package-${resourceToken}'

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    storageAccountName: storageAccountName
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    dataContainerNames: [ 'exports', 'labeled', 'processed', 'failed', 'volumes', 'locks', 'annotations' ]
    tableNames: [ 'ServicePrincipals', 'SyncConfigs', 'SyncState', 'SyncRuns' ]
    // SyncTimer enqueues one message per due config on sync-runs; RunSync consumes it. The host would create
    // the poison queue on the first message that keeps failing; declaring it lets alerts target it from day one.
    queueNames: [ 'sync-runs', 'sync-runs-poison' ]
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    keyVaultName: keyVaultName
    location: location
    tags: tags
    enablePurgeProtection: keyVaultEnablePurgeProtection
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: '${abbrs.logAnalyticsWorkspace}${resourceToken}'
    applicationInsightsName: '${abbrs.applicationInsights}${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    functionAppName: functionAppName
    hostingPlanName: '${abbrs.hostingPlan}${resourceToken}'
    location: location
    tags: tags
    instanceMemoryMB: flexInstanceMemoryMB
    maximumInstanceCount: flexMaximumInstanceCount
    storageAccountName: storage.outputs.storageAccountName
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultUri: keyVault.outputs.keyVaultUri
    apiAuthMode: apiAuthMode
    easyAuthClientId: easyAuthClientId
    apiAllowedApplicationIds: apiAllowedApplicationIds
    apiAllowedPrincipalIds: apiAllowedPrincipalIds
    apiTokenSha256Hashes: apiTokenSha256Hashes
    apiReadOnlyTokenSha256Hashes: apiReadOnlyTokenSha256Hashes
    allowedWorkspaceHosts: allowedWorkspaceHosts
    syncTimerSchedule: syncTimerSchedule
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    functionAppId: functionApp.outputs.functionAppId
    functionAppPrincipalId: functionApp.outputs.principalId
    storageAccountName: storage.outputs.storageAccountName
    keyVaultName: keyVault.outputs.keyVaultName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

output functionAppName string = functionApp.outputs.functionAppName
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'
@description('Object id of the app\'s managed identity (Azure role assignments).')
output functionAppPrincipalId string = functionApp.outputs.principalId
@description('Client (application) id of the app\'s managed identity: add it to the Databricks workspace by this id (managed_identity auth type).')
output functionAppClientId string = functionApp.outputs.clientId
output storageAccountName string = storage.outputs.storageAccountName
output keyVaultUri string = keyVault.outputs.keyVaultUri
@description('Named here with the other resources; eventgrid.bicep creates the topic after the code deployment.')
output eventGridSystemTopicName string = '${abbrs.eventGridSystemTopic}${resourceToken}'
