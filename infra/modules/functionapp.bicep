@description('Function app (site) name: 2-60 characters, letters, digits and dashes, globally unique.')
@minLength(2)
@maxLength(60)
param functionAppName string

param hostingPlanName string
param location string
param tags object

@description('Instance memory, shared by the Functions host and the .NET worker.')
@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

param storageAccountName string

@description('https URL of the blob container Flex Consumption deploys the code package into.')
param deploymentContainerUrl string

@description('Application Insights component; its connection string is read here so it never passes through deployment outputs.')
param applicationInsightsName string
param keyVaultUri string

@description('tokens = bearer token hashes checked by the app; easyauth = App Service Authentication (Entra ID) in front of the host.')
@allowed([ 'tokens', 'easyauth' ])
param apiAuthMode string

@description('Entra application (client) id whose tokens Easy Auth accepts; only used when apiAuthMode is easyauth.')
param easyAuthClientId string

param apiAllowedApplicationIds string
param apiAllowedPrincipalIds string

param apiTokenSha256Hashes string
param apiReadOnlyTokenSha256Hashes string
param allowedWorkspaceHosts string
param syncTimerSchedule string
@description('Longest run (hh:mm:ss); empty derives it from host.json functionTimeout (less a tenth, at most 55 min).')
param runTimeLimit string = ''
@description('Rows per export part.')
param exportPartRows int = 1000000
@description('About this many CSV bytes per export part.')
param exportPartBytes int = 268435456
@description('Most labeled rows a file may have for a table_reverse config without a staging volume.')
param importMaxRowsWithoutStaging int = 1000000

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Trigger connection (timer locks, queue trigger, blob trigger receipts and its internal queue) by the app's
// system-assigned identity: no connection string or account key exists. The service URIs form, rather than
// __accountName, also works outside the public cloud.
var hostStorageSettings = [
  { name: 'AzureWebJobsStorage__blobServiceUri', value: storageAccount.properties.primaryEndpoints.blob }
  { name: 'AzureWebJobsStorage__queueServiceUri', value: storageAccount.properties.primaryEndpoints.queue }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: storageAccount.properties.primaryEndpoints.table }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
]

// The console answers at the app's URL (host.json routePrefix ""), so the host's own "up and running" page must
// not: https://learn.microsoft.com/azure/azure-functions/functions-app-settings#azurewebjobsdisablehomepage
var hostHttpSettings = [
  { name: 'AzureWebJobsDisableHomepage', value: 'true' }
]

var monitoringSettings = [
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsights.properties.ConnectionString }
  // App Insights has local auth disabled, so telemetry must be sent with an Entra token.
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD' }
]

// Every key DbxSync.Functions reads (Hosting.SettingNames). Deployment.Tests keeps this list in step with the
// code; the local-only keys (connection string, dev token, dev certificate) are left out on purpose.
var dbxSyncSettings = [
  { name: 'DbxSync__Storage__AccountName', value: storageAccount.name }
  { name: 'DbxSync__Storage__BlobServiceUri', value: storageAccount.properties.primaryEndpoints.blob }
  { name: 'DbxSync__Storage__QueueServiceUri', value: storageAccount.properties.primaryEndpoints.queue }
  { name: 'DbxSync__Storage__TableServiceUri', value: storageAccount.properties.primaryEndpoints.table }
  { name: 'DbxSync__KeyVault__Uri', value: keyVaultUri }
  // entra_client_secret principals sign in at this cloud's Entra authority (public, US Gov, China).
  { name: 'DbxSync__Entra__AuthorityHost', value: environment().authentication.loginEndpoint }
  { name: 'DBXSYNC_ALLOWED_WORKSPACE_HOSTS', value: allowedWorkspaceHosts }
  { name: 'DbxSync__Api__AuthMode', value: apiAuthMode }
  { name: 'DbxSync__Api__TokenSha256Hashes', value: apiTokenSha256Hashes }
  { name: 'DbxSync__Api__ReadOnlyTokenSha256Hashes', value: apiReadOnlyTokenSha256Hashes }
  { name: 'DbxSync__Api__AllowedApplicationIds', value: apiAllowedApplicationIds }
  { name: 'DbxSync__Api__AllowedPrincipalIds', value: apiAllowedPrincipalIds }
  { name: 'SyncTimerSchedule', value: syncTimerSchedule }
  { name: 'DbxSync__Runs__TimeLimit', value: runTimeLimit }
  { name: 'DbxSync__Export__PartRows', value: string(exportPartRows) }
  { name: 'DbxSync__Export__PartBytes', value: string(exportPartBytes) }
  { name: 'DbxSync__Imports__MaxRowsWithoutStaging', value: string(importMaxRowsWithoutStaging) }
]

resource hostingPlan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: hostingPlanName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: {
    // Flex Consumption is Linux only.
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: hostingPlan.id
    httpsOnly: true
    clientAffinityEnabled: false
    // On Flex the runtime and the package location live here; FUNCTIONS_WORKER_RUNTIME,
    // FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE and linuxFxVersion are rejected.
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      // siteConfig.appSettings replaces the whole set on each deployment, so every setting lives here.
      appSettings: concat(hostStorageSettings, hostHttpSettings, monitoringSettings, dbxSyncSettings)
    }
  }
}

resource easyAuthSettings 'Microsoft.Web/sites/config@2024-04-01' = if (apiAuthMode == 'easyauth') {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      // Probes reach the anonymous health function without a token, and Event Grid delivers blob events to
      // the blobs extension webhook, which the blobs_extension system key protects instead. The console's page
      // (/), its files (/assets/*, a trailing /* excludes a folder) and /api/me must load without a session so the
      // console can send the user to /.auth/login/aad; they hold no data, and every other API route still gets a
      // 401 here and is checked again by the app against its allowlists.
      excludedPaths: [ '/', '/assets/*', '/api/me', '/api/console/*', '/api/health', '/runtime/webhooks/blobs' ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
          clientId: easyAuthClientId
        }
        validation: {
          allowedAudiences: [ easyAuthClientId, 'api://${easyAuthClientId}' ]
        }
      }
    }
  }
}

output functionAppName string = functionApp.name
output functionAppId string = functionApp.id
output defaultHostName string = functionApp.properties.defaultHostName
output principalId string = functionApp.identity.principalId

// The system-assigned identity as an extension resource: its clientId is the application id Azure Databricks knows
// the app by (SCIM applicationId, GRANT ... TO `<client id>`).
resource systemIdentity 'Microsoft.ManagedIdentity/identities@2023-01-31' existing = {
  scope: functionApp
  name: 'default'
}

output clientId string = systemIdentity.properties.clientId
