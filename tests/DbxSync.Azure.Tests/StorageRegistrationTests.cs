using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DbxSync.Core.Ports;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DbxSync.Azure.Tests;

public class StorageRegistrationTests
{
    private static ServiceProvider Build(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        return new ServiceCollection().AddLogging().AddDbxSyncAzure(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Development_storage_shorthand_points_every_client_at_azurite()
    {
        using var sp = Build(("DbxSync:Storage:ConnectionString", "UseDevelopmentStorage=true"));
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), sp.GetRequiredService<BlobServiceClient>().Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), sp.GetRequiredService<QueueServiceClient>().Uri);
        Assert.Equal("devstoreaccount1", sp.GetRequiredService<TableServiceClient>().AccountName);
        Assert.True(sp.GetRequiredService<BlobServiceClient>().CanGenerateAccountSasUri);
        Assert.NotNull(sp.GetRequiredService<IBlobStore>());
        Assert.NotNull(sp.GetRequiredService<IStateStore>());
        Assert.NotNull(sp.GetRequiredService<ISyncLock>());
    }

    [Fact]
    public void An_account_name_uses_the_managed_identity_and_no_key()
    {
        using var sp = Build(("DbxSync:Storage:AccountName", "dbxsyncprod"), ("DbxSync:Storage:TableServiceUri", "https://dbxsyncprod.table.core.usgovcloudapi.net/"));
        var blobs = sp.GetRequiredService<BlobServiceClient>();
        Assert.Equal(new Uri("https://dbxsyncprod.blob.core.windows.net/"), blobs.Uri);
        Assert.False(blobs.CanGenerateAccountSasUri);
        Assert.Equal(new Uri("https://dbxsyncprod.queue.core.windows.net/"), sp.GetRequiredService<QueueServiceClient>().Uri);
        Assert.Equal("dbxsyncprod", sp.GetRequiredService<TableServiceClient>().AccountName);
        Assert.Equal(new Uri("https://dbxsyncprod.blob.core.windows.net/"),
            sp.GetRequiredService<IAzureClientFactory<BlobServiceClient>>().CreateClient(AzureAdapterRegistration.LeaseClientName).Uri);
    }

    [Fact]
    public void Missing_storage_settings_fail_with_the_setting_to_set()
    {
        using var sp = Build();
        var error = Assert.ThrowsAny<Exception>(() => sp.GetRequiredService<BlobServiceClient>());
        Assert.Contains("DbxSync:Storage:ConnectionString", (error.InnerException ?? error).Message);
    }
}
