@description('Key Vault name: 3-24 characters, letters, digits and dashes, globally unique.')
@minLength(3)
@maxLength(24)
param keyVaultName string

param location string
param tags object

@description('Purge protection can never be turned off once enabled, and blocks re-creating a vault of the same name for the retention period. Off by default so dev environments can be torn down; turn it on for production.')
param enablePurgeProtection bool

@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    // Access is granted with Azure RBAC role assignments (rbac.bicep), never with access policies.
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // The API accepts only true or an omitted value, so false must be expressed as null.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

output keyVaultName string = keyVault.name
output keyVaultUri string = keyVault.properties.vaultUri
