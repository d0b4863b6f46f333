@description('Function app (site) name: 2-60 characters, letters, digits and dashes, globally unique.')
@minLength(2)
@maxLength(60)
param functionAppName string

param hostingPlanName string
param location string
param tags object

@description('flex = Flex Consumption FC1 (recommended); premium = Elastic Premium EP1; dedicated = App Service plan P1v3.')
@allowed([ 'flex', 'premium', 'dedicated' ])
param hostingPlan string

@allowed([ 512, 2048, 4096 ])
param flexInstanceMemoryMB int

@minValue(40)
@maxValue(1000)
param flexMaximumInstanceCount int

param storageAccountName string
param blobServiceUri string
param queueServiceUri string
param tableServiceUri string

@description('https URL of the blob container Flex Consumption deploys the package into.')
param deploymentContainerUrl string

@description('Application Insights component; its connection string is read here so it never passes through deployment outputs.')
param applicationInsightsName string
param keyVaultUri string

@description('host = the Functions host checks function keys; easyauth = App Service Authentication (Entra ID) in front of the host.')
@allowed([ 'host', 'easyauth' ])
param apiAuthMode string

@description('Entra application (client) id whose tokens Easy Auth accepts; only used when apiAuthMode is easyauth.')
param easyAuthClientId string

param apiTokenSha256Hashes string
param apiReadOnlyTokenSha256Hashes string
param allowedWorkspaceHosts string
param syncTimerSchedule string
param schedulerTickSeconds int
param schedulerMaxParallelRuns int

var isFlex = hostingPlan == 'flex'

var planSkus = {
  flex: { tier: 'FlexConsumption', name: 'FC1' }
  premium: { tier: 'ElasticPremium', name: 'EP1' }
  dedicated: { tier: 'PremiumV3', name: 'P1v3' }
}

var planKinds = {
  flex: 'functionapp'
  premium: 'elastic'
  dedicated: 'linux'
}

// Host storage uses the app's system-assigned identity; no connection string or account key exists.
var hostSettings = [
  { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsights.properties.ConnectionString }
  // App Insights has local auth disabled, so the host must send telemetry with an Entra token.
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD' }
]

// Every key DbxSync.Functions reads (Hosting.SettingNames). Deployment.Tests keeps this list in step
// with the code; the local-only keys (connection string, dev token, dev certificate) are left out on purpose.
var dbxSyncSettings = [
  { name: 'DbxSync__Storage__AccountName', value: storageAccountName }
  { name: 'DbxSync__Storage__BlobServiceUri', value: blobServiceUri }
  { name: 'DbxSync__Storage__QueueServiceUri', value: queueServiceUri }
  { name: 'DbxSync__Storage__TableServiceUri', value: tableServiceUri }
  { name: 'DbxSync__KeyVault__Uri', value: keyVaultUri }
  { name: 'DBXSYNC_ALLOWED_WORKSPACE_HOSTS', value: allowedWorkspaceHosts }
  { name: 'DbxSync__Api__AuthMode', value: apiAuthMode }
  { name: 'DbxSync__Api__TokenSha256Hashes', value: apiTokenSha256Hashes }
  { name: 'DbxSync__Api__ReadOnlyTokenSha256Hashes', value: apiReadOnlyTokenSha256Hashes }
  { name: 'DbxSync__Scheduler__TickSeconds', value: string(schedulerTickSeconds) }
  { name: 'DbxSync__Scheduler__MaxParallelRuns', value: string(schedulerMaxParallelRuns) }
  { name: 'SyncTimerSchedule', value: syncTimerSchedule }
]

// Flex Consumption rejects these (the runtime lives in functionAppConfig and the package in the
// deployment container); Premium and Dedicated still need them to pick the custom handler and zip deploy.
var classicPlanOnlySettings = [
  { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
  { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'custom' }
  { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
]

// An explicit empty linuxFxVersion is how classic Linux plans express "custom handler"; Flex forbids the property.
var classicPlanOnlySiteConfig = {
  linuxFxVersion: ''
  alwaysOn: hostingPlan == 'dedicated'
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource hostingPlanResource 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: hostingPlanName
  location: location
  tags: tags
  kind: planKinds[hostingPlan]
  sku: planSkus[hostingPlan]
  properties: {
    // Linux: the handler is a linux-x64 executable.
    reserved: true
    maximumElasticWorkerCount: hostingPlan == 'premium' ? 20 : null
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: hostingPlanResource.id
    httpsOnly: true
    clientAffinityEnabled: false
    functionAppConfig: isFlex ? {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: flexMaximumInstanceCount
        instanceMemoryMB: flexInstanceMemoryMB
      }
      runtime: { name: 'custom', version: '1.0' }
    } : null
    siteConfig: union({
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      // siteConfig.appSettings replaces the whole set on each deployment, so every setting lives here.
      appSettings: concat(hostSettings, dbxSyncSettings, isFlex ? [] : classicPlanOnlySettings)
    }, isFlex ? {} : classicPlanOnlySiteConfig)
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
      // Probes must reach the anonymous health function without a token.
      excludedPaths: [ '/api/health' ]
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
