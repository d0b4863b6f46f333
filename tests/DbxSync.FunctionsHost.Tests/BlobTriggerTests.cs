using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace DbxSync.FunctionsHost.Tests;

[Collection(HostCollection.Name)]
public sealed class BlobTriggerTests(HostFixture fixture)
{
    private BlobContainerClient Container => new(fixture.StorageConnection, "fixture-blobs");

    [Fact]
    public async Task A_new_blob_triggers_once_with_a_BlobClient_and_the_blob_trigger_metadata()
    {
        var name = $"in/{Guid.NewGuid():N}.txt";
        await Container.CreateIfNotExistsAsync();
        await Container.GetBlobClient(name).UploadAsync(BinaryData.FromString("first version"));

        var entry = (await fixture.WaitForJournalAsync("blob", e => e.GetProperty("name").GetString() == name)).Single();
        Assert.Equal("first version", entry.GetProperty("content").GetString());
        Assert.Equal(name, entry.GetProperty("blobName").GetString());
        Assert.Equal("fixture-blobs", entry.GetProperty("container").GetString());
        Assert.Equal($"fixture-blobs/{name}", entry.GetProperty("blobTrigger").GetString());
        Assert.EndsWith($"/fixture-blobs/{name}\"", entry.GetProperty("uri").GetString());

        // Overwritten: a new version, one more invocation; then several scans later still no duplicate.
        await Container.GetBlobClient(name).UploadAsync(BinaryData.FromString("second version"), overwrite: true);
        await fixture.WaitForJournalAsync("blob", e => e.GetProperty("name").GetString() == name, count: 2);
        await Task.Delay(2000);
        var all = fixture.Entries("blob", e => e.GetProperty("name").GetString() == name);
        Assert.Equal(["first version", "second version"], all.Select(e => e.GetProperty("content").GetString()));

        // Each version's receipt is in storage, which is what keeps it from triggering again after a restart.
        var receipts = new BlobContainerClient(fixture.StorageConnection, "azure-webjobs-hosts")
            .GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, $"blobreceipts/{fixture.HostId}/Host.Functions.OnBlob/", CancellationToken.None);
        var mine = new List<string>();
        await foreach (var receipt in receipts)
        {
            if (receipt.Name.EndsWith("/fixture-blobs/" + name, StringComparison.Ordinal))
                mine.Add(receipt.Name);
        }

        Assert.Equal(2, mine.Count);
    }

    [Fact]
    public async Task A_failing_blob_is_tried_five_times_then_reported_on_the_blob_poison_queue()
    {
        var name = $"bad/{Guid.NewGuid():N}.txt";
        await Container.CreateIfNotExistsAsync();
        await Container.GetBlobClient(name).UploadAsync(BinaryData.FromString("fail please"));

        await fixture.WaitForJournalAsync("blob", e => e.GetProperty("name").GetString() == name, count: 5);
        var poison = new QueueClient(fixture.StorageConnection, "webjobs-blobtrigger-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        JsonElement? message = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (message is null && DateTime.UtcNow < deadline)
        {
            if (await poison.ExistsAsync())
            {
                message = (await poison.PeekMessagesAsync(32)).Value
                    .Select(m => JsonDocument.Parse(m.Body.ToString()).RootElement)
                    .Cast<JsonElement?>()
                    .FirstOrDefault(m => m!.Value.GetProperty("BlobName").GetString() == name);
            }

            if (message is null)
                await Task.Delay(200);
        }

        Assert.NotNull(message);
        Assert.Equal("BlobTrigger", message.Value.GetProperty("Type").GetString());
        Assert.Equal("Host.Functions.OnBlob", message.Value.GetProperty("FunctionId").GetString());
        Assert.Equal("fixture-blobs", message.Value.GetProperty("ContainerName").GetString());
        await Task.Delay(1500);
        Assert.Equal(5, fixture.Entries("blob", e => e.GetProperty("name").GetString() == name).Count);
    }

    [Fact]
    public async Task The_Event_Grid_webhook_validates_subscriptions_and_accepts_BlobCreated_events()
    {
        var code = Guid.NewGuid().ToString();
        using var validation = new HttpRequestMessage(HttpMethod.Post, $"runtime/webhooks/blobs?functionName=Host.Functions.OnBlob&code={HostFixture.MasterKey}")
        {
            Content = new StringContent($"[{{\"eventType\":\"Microsoft.EventGrid.SubscriptionValidationEvent\",\"data\":{{\"validationCode\":\"{code}\"}}}}]", Encoding.UTF8, "application/json"),
        };
        validation.Headers.Add("aeg-event-type", "SubscriptionValidation");
        using var validated = await fixture.Http.SendAsync(validation);
        Assert.Equal(HttpStatusCode.OK, validated.StatusCode);
        Assert.Equal(code, JsonDocument.Parse(await validated.Content.ReadAsStringAsync()).RootElement.GetProperty("validationResponse").GetString());

        var name = $"hook/{Guid.NewGuid():N}.txt";
        var blob = Container.GetBlobClient(name);
        await Container.CreateIfNotExistsAsync();
        await blob.UploadAsync(BinaryData.FromString("from event grid"));
        using var notification = new HttpRequestMessage(HttpMethod.Post, $"runtime/webhooks/blobs?functionName=Host.Functions.OnBlob&code={HostFixture.MasterKey}")
        {
            Content = new StringContent(
                $"[{{\"eventType\":\"Microsoft.Storage.BlobCreated\",\"subject\":\"/blobServices/default/containers/fixture-blobs/blobs/{name}\",\"data\":{{\"url\":\"{blob.Uri}\",\"blobType\":\"BlockBlob\"}}}}]",
                Encoding.UTF8, "application/json"),
        };
        notification.Headers.Add("aeg-event-type", "Notification");
        using var accepted = await fixture.Http.SendAsync(notification);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        // The event and the host's own listing both see this version; the receipt lets it run once.
        await fixture.WaitForJournalAsync("blob", e => e.GetProperty("name").GetString() == name);
        await Task.Delay(2000);
        Assert.Single(fixture.Entries("blob", e => e.GetProperty("name").GetString() == name));

        using var unknown = await fixture.Http.PostAsync($"runtime/webhooks/blobs?functionName=Host.Functions.Nope&code={HostFixture.MasterKey}", new StringContent("[]"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var keyless = await fixture.Http.PostAsync("runtime/webhooks/blobs?functionName=Host.Functions.OnBlob", new StringContent("[]"));
        Assert.Equal(HttpStatusCode.Unauthorized, keyless.StatusCode);
    }
}
