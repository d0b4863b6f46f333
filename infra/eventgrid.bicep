// DbxSync, last deployment step: Event Grid delivers BlobCreated events for labeled/, volumes/ and annotations/ to the blobs
// extension webhook of the EventGrid-source blob triggers. It runs after the code deployment because the host
// creates the blobs_extension system key only once it has started with the blob functions loaded, and Event
// Grid validates the webhook when a subscription is created.
targetScope = 'resourceGroup'

@description('The function app from main.bicep (its functionAppName output).')
param functionAppName string

@description('The storage account from main.bicep (its storageAccountName output).')
param storageAccountName string

@description('Must be the storage account\'s region: a system topic lives beside its source.')
param location string = resourceGroup().location

@description('The Event Grid system topic name from main.bicep (its eventGridSystemTopicName output).')
param systemTopicName string

@description('The environmentName main.bicep was deployed with; tags the topic like the other resources.')
param environmentName string

var abbrs = loadJsonContent('abbreviations.json')
var tags = {
  'azd-env-name': environmentName
  application: 'dbxsync'
}

// One subscription per blob-triggered function: the webhook URL names the function, the subject filter its container.
var blobTriggers = [
  { functionName: 'ImportLabeledFile', container: 'labeled' }
  { functionName: 'SyncToVolume', container: 'volumes' }
  { functionName: 'ImportAnnotationsFile', container: 'annotations' }
]

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

// Microsoft.Web/sites/host has no Bicep type (it is only an action target), so its listkeys action is called by id.
var blobsExtensionKey = listKeys('${functionApp.id}/host/default', '2024-04-01').systemKeys.blobs_extension

// Only one system topic may exist per storage account; every subscription hangs off this one.
resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: location
  tags: tags
  properties: {
    source: storageAccount.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource blobCreatedSubscriptions 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = [for trigger in blobTriggers: {
  parent: systemTopic
  name: '${abbrs.eventGridSubscription}${toLower(trigger.functionName)}'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        // The key is read here, inside the deployment, so it never appears in a parameter or an output.
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${trigger.functionName}&code=${blobsExtensionKey}'
      }
    }
    // The schema of the Functions blob trigger tutorial; the blobs extension reads data.url, data.eTag and data.blobType.
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [ 'Microsoft.Storage.BlobCreated' ]
      subjectBeginsWith: '/blobServices/default/containers/${trigger.container}/'
    }
    retryPolicy: {
      // Undelivered events expire after a day; SyncTimer's scan of labeled/, volumes/ and annotations/ picks those blobs up.
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}]

output systemTopicName string = systemTopic.name
output eventSubscriptionNames array = [for (trigger, i) in blobTriggers: blobCreatedSubscriptions[i].name]
