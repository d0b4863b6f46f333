@description('Event Grid system topic name. Only one system topic may exist per storage account.')
param systemTopicName string

param location string
param tags object
param storageAccountName string

@description('Queue the BlobEvents function is triggered by.')
param queueName string

@description('Blob containers whose new blobs must reach the queue (labeled imports, volume_reverse drops).')
param watchedContainerNames array

// Storage Queue Data Message Sender: add messages only, nothing else on the account.
var storageQueueDataMessageSenderRoleId = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: storageAccount
  name: 'default'
}

resource blobEventsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = {
  parent: queueService
  name: queueName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  // A system topic must live in its source's region.
  location: location
  tags: tags
  // Without its own identity Event Grid writes to the queue with the account key, which
  // allowSharedKeyAccess=false rejects; the identity gets a data-plane role instead.
  identity: { type: 'SystemAssigned' }
  properties: {
    source: storageAccount.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource topicQueueMessageSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(blobEventsQueue.id, systemTopic.id, storageQueueDataMessageSenderRoleId)
  // Scoped to the one queue: the topic can post events and nothing more.
  scope: blobEventsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataMessageSenderRoleId)
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource blobCreatedToQueue 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: systemTopic
  name: 'blob-created-to-${queueName}'
  // Events published before the role exists would fail delivery and burn retries.
  dependsOn: [ topicQueueMessageSender ]
  properties: {
    deliveryWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storageAccount.id
          queueName: queueName
          // Matches the default event TTL; the timer scan catches anything that expires unread.
          queueMessageTimeToLiveInSeconds: 604800
        }
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [ 'Microsoft.Storage.BlobCreated' ]
      // Several values in one StringBeginsWith filter are ORed, so one subscription covers every watched container.
      advancedFilters: [
        {
          operatorType: 'StringBeginsWith'
          key: 'subject'
          values: [for containerName in watchedContainerNames: '/blobServices/default/containers/${containerName}/']
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output systemTopicName string = systemTopic.name
output eventSubscriptionName string = blobCreatedToQueue.name
