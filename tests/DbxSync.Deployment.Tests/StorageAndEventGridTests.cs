using System.Text.RegularExpressions;
using DbxSync.Deployment.Tests.Support;

namespace DbxSync.Deployment.Tests;

/// <summary>The storage account matches what the app and the Event Grid path expect.</summary>
public class StorageAndEventGridTests
{
    private static string Infra(string relative) => File.ReadAllText(Path.Combine(AppLayout.InfraDirectory, relative));

    private static List<string> ArrayParam(string key)
    {
        var main = Infra("main.bicep");
        var match = Regex.Match(main, key + @":\s*\[(?<items>[^\]]*)\]");
        Assert.True(match.Success, $"main.bicep passes no {key} array.");
        return Regex.Matches(match.Groups["items"].Value, @"'([^']*)'|(\w+)")
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToList();
    }

    [Fact]
    public void Declares_the_containers_tables_and_queue_the_app_uses()
    {
        Assert.Equal(new[] { "exports", "labeled", "processed", "failed", "volumes", "locks" }.Order(), ArrayParam("dataContainerNames").Order());
        Assert.Equal(new[] { "ServicePrincipals", "SyncConfigs", "SyncState", "SyncRuns" }.Order(), ArrayParam("tableNames").Order());
        Assert.Contains("blobEventsQueueName", ArrayParam("queueNames"));
        Assert.Matches(new Regex(@"var blobEventsQueueName = 'blob-events'"), Infra("main.bicep"));
        foreach (var table in ArrayParam("tableNames"))
            Assert.Matches(new Regex("^[A-Za-z][A-Za-z0-9]{2,62}$"), table);
    }

    [Fact]
    public void Storage_account_is_locked_down_to_entra_id()
    {
        var storage = Infra("modules/storage.bicep");
        Assert.Contains("kind: 'StorageV2'", storage);
        Assert.Contains("minimumTlsVersion: 'TLS1_2'", storage);
        Assert.Contains("allowBlobPublicAccess: false", storage);
        Assert.Contains("allowSharedKeyAccess: false", storage);
        Assert.Contains("supportsHttpsTrafficOnly: true", storage);
        Assert.DoesNotContain("publicAccess: 'Blob'", storage);
        Assert.DoesNotContain("publicAccess: 'Container'", storage);
    }

    [Fact]
    public void Key_vault_uses_rbac_with_purge_protection_off_by_default()
    {
        var keyVault = Infra("modules/keyvault.bicep");
        Assert.Contains("enableRbacAuthorization: true", keyVault);
        Assert.Contains("enableSoftDelete: true", keyVault);
        // The API accepts only true or omitted; false would fail deployment.
        Assert.Contains("enablePurgeProtection: enablePurgeProtection ? true : null", keyVault);
        Assert.Contains("param keyVaultEnablePurgeProtection bool = false", Infra("main.bicep"));
    }

    [Fact]
    public void App_insights_rejects_key_based_telemetry()
    {
        Assert.Contains("DisableLocalAuth: true", Infra("modules/monitoring.bicep"));
        Assert.Contains("{ name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD' }", Infra("modules/functionapp.bicep"));
    }

    [Fact]
    public void Blob_created_events_for_labeled_and_volumes_go_to_the_blob_events_queue()
    {
        Assert.Equal(new[] { "labeled", "volumes" }, ArrayParam("watchedContainerNames").Order());
        Assert.Matches(new Regex(@"queueName: blobEventsQueueName"), Infra("main.bicep"));
        var eventGrid = Infra("modules/eventgrid.bicep");
        Assert.Contains("topicType: 'Microsoft.Storage.StorageAccounts'", eventGrid);
        Assert.Contains("endpointType: 'StorageQueue'", eventGrid);
        Assert.Contains("includedEventTypes: [ 'Microsoft.Storage.BlobCreated' ]", eventGrid);
        Assert.Contains("operatorType: 'StringBeginsWith'", eventGrid);
        Assert.Contains("key: 'subject'", eventGrid);
        Assert.Contains("'/blobServices/default/containers/${containerName}/'", eventGrid);
        // A webhook destination would need the host's blobs_extension key, which exists only after code deployment.
        Assert.DoesNotContain("WebHook", eventGrid);
    }
}
