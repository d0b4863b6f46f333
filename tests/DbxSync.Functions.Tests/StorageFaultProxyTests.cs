using System.Net;
using System.Net.Http.Json;
using System.Text;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DbxSync.StorageFaults;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>The soak's storage fault proxy in front of the suite's Azurite, driven through the Azure SDKs.</summary>
public sealed class StorageFaultProxyTests
{
    // Retries as the SDKs do them (the status codes and reset connections they retry), only with short delays.
    private static T Fast<T>(T options) where T : ClientOptions
    {
        options.Retry.Mode = RetryMode.Fixed;
        options.Retry.Delay = TimeSpan.FromMilliseconds(20);
        options.Retry.MaxRetries = 8;
        return options;
    }

    [Fact]
    public async Task Every_error_kind_is_injected_and_the_sdk_retries_absorb_them_on_blob_queue_and_table()
    {
        var (proxy, connectionString) = await StorageFaultProxy.StartInFrontOfAsync(AzuriteInstance.Shared.ConnectionString);
        await using var _ = proxy;
        proxy.Faults.Apply(new StorageFaultSettings { Seed = 5, ErrorRate = 0.3 });

        var container = new BlobServiceClient(connectionString, Fast(new BlobClientOptions())).GetBlobContainerClient(AzuriteInstance.UniqueName("faults"));
        await container.CreateIfNotExistsAsync();
        for (var i = 0; i < 20; i++)
            await container.UploadBlobAsync($"b{i}.txt", BinaryData.FromString($"content {i}"));
        for (var i = 0; i < 20; i++)
            Assert.Equal($"content {i}", (await container.GetBlobClient($"b{i}.txt").DownloadContentAsync()).Value.Content.ToString());

        var queue = new QueueClient(connectionString, AzuriteInstance.UniqueName("faults"), Fast(new QueueClientOptions()));
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("hello");
        Assert.Equal("hello", (await queue.ReceiveMessageAsync()).Value.MessageText);

        var table = new TableClient(connectionString, AzuriteInstance.UniqueName("faults").Replace("-", ""), Fast(new TableClientOptions()));
        await table.CreateIfNotExistsAsync();
        for (var i = 0; i < 10; i++)
            await table.UpsertEntityAsync(new TableEntity("p", $"r{i}") { ["Value"] = i });
        Assert.Equal(10, await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p").CountAsync());

        var stats = proxy.Faults.Stats();
        Assert.All(Enum.GetValues<StorageErrorKind>(), kind => Assert.True(stats.Injected[StorageFaultNames.Of(kind)] > 0, $"{kind}: {stats.Injected[StorageFaultNames.Of(kind)]}"));
    }

    [Fact]
    public async Task The_control_endpoint_rejects_a_share_outside_zero_to_one_and_changes_nothing()
    {
        await using var proxy = await StorageFaultProxy.StartAsync([new StorageRoute("blob", 0, new Uri("http://127.0.0.1:9"))]);
        proxy.Faults.ErrorRate = 0.25;
        using var http = new HttpClient();
        var faults = new Uri(proxy.Endpoints["blob"], "_faults");

        using var bad = await http.PostAsync(faults, new StringContent("""{"error_rate": 1.5}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(0.25, proxy.Faults.ErrorRate);

        using var good = await http.PostAsJsonAsync(faults, new { reset = true });
        Assert.Equal(HttpStatusCode.NoContent, good.StatusCode);
        Assert.Equal(0, proxy.Faults.ErrorRate);
        var stats = await http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>(new Uri(faults + "/stats"));
        Assert.Equal(0, (long)stats!["injected"]!["server_busy"]!);
    }
}
