using DbxSync.Deployment.Tests.Support;

namespace DbxSync.Deployment.Tests;

/// <summary>The storage account, Key Vault and outputs of a deployment of main.bicepparam.</summary>
public class StorageAndSecurityTests
{
    private static IReadOnlyList<string> ChildNames(string type) => DeploymentSnapshot.Main.ChildNames(type);

    [Fact]
    public void Declares_the_containers_tables_and_queues_the_app_uses()
    {
        Assert.Equal(new[] { "annotations", "exports", "failed", "labeled", "locks", "processed", "volumes" },
            ChildNames("Microsoft.Storage/storageAccounts/blobServices/containers").Where(c => !c.StartsWith("app-package-", StringComparison.Ordinal)));
        Assert.Equal(new[] { "ServicePrincipals", "SyncConfigs", "SyncRuns", "SyncState" }, ChildNames("Microsoft.Storage/storageAccounts/tableServices/tables"));
        // RunSync's queue and the poison queue the host moves failing messages to.
        Assert.Equal(new[] { "sync-runs", "sync-runs-poison" }, ChildNames("Microsoft.Storage/storageAccounts/queueServices/queues"));
    }

    [Fact]
    public void Storage_account_is_locked_down_to_entra_id()
    {
        var account = DeploymentSnapshot.Main.Single("Microsoft.Storage/storageAccounts");
        // Event Grid system topics and the Event Grid blob trigger need general-purpose v2.
        Assert.Equal("StorageV2", account.StringAt("kind"));
        Assert.Equal("TLS1_2", account.StringAt("properties.minimumTlsVersion"));
        Assert.False(account.At("properties.allowBlobPublicAccess").GetBoolean());
        Assert.False(account.At("properties.allowSharedKeyAccess").GetBoolean());
        Assert.True(account.At("properties.supportsHttpsTrafficOnly").GetBoolean());
        Assert.All(DeploymentSnapshot.Main.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            c => Assert.Equal("None", c.StringAt("properties.publicAccess")));
    }

    [Fact]
    public void Key_vault_uses_rbac_with_purge_protection_off_by_default()
    {
        var vault = DeploymentSnapshot.Main.Single("Microsoft.KeyVault/vaults");
        Assert.True(vault.At("properties.enableRbacAuthorization").GetBoolean());
        Assert.True(vault.At("properties.enableSoftDelete").GetBoolean());
        // The API accepts only true or an omitted value; false would fail the deployment.
        Assert.True(!vault.Has("properties.enablePurgeProtection") || vault.At("properties.enablePurgeProtection").ValueKind == System.Text.Json.JsonValueKind.Null);

        Assert.True(DeploymentSnapshot.MainWithOptions.Single("Microsoft.KeyVault/vaults").At("properties.enablePurgeProtection").GetBoolean());
    }

    [Fact]
    public void Main_outputs_names_urls_and_the_identity_ids_only()
    {
        var outputs = DeploymentSnapshot.Main.Outputs.EnumerateObject().ToDictionary(o => o.Name, o => o.Value.GetString()!);
        // The identity's object and client ids are ids, not secrets: the client id is how Azure Databricks knows the app.
        Assert.Equal(new[] { "eventGridSystemTopicName", "functionAppClientId", "functionAppName", "functionAppPrincipalId", "functionAppUrl", "keyVaultUri", "storageAccountName" },
            outputs.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("[format('https://{0}'", outputs["functionAppUrl"]);
        // Secrets are kept out by the linter (outputs-should-not-contain-secrets is an error in bicepconfig.json);
        // this also keeps keys and connection strings out of what Azure computes for an output.
        Assert.DoesNotContain(outputs.Values, v => v.Contains("list", StringComparison.OrdinalIgnoreCase) || v.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase));
    }
}
