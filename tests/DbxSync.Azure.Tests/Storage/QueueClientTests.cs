using DbxSync.Azure.Storage;
using DbxSync.Azure.Storage.Queues;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Azure.Tests.Storage;

public class QueueClientTests
{
    [Theory]
    [InlineData(QueueMessageEncoding.None)]
    [InlineData(QueueMessageEncoding.Base64)]
    public async Task Put_get_update_delete_round_trip(QueueMessageEncoding encoding)
    {
        var queue = AzuriteClients.Factory.Queues.GetQueueClient(AzuriteInstance.UniqueName("q"), new QueueClientOptions { MessageEncoding = encoding });
        Assert.True((await queue.CreateIfNotExistsAsync()).Value);
        Assert.False((await queue.CreateIfNotExistsAsync()).Value);
        const string eventJson = """{"eventType":"Microsoft.Storage.BlobCreated","subject":"/blobServices/default/containers/labeled/blobs/a <&> b.csv"}""";

        await queue.SendMessageAsync(eventJson);
        var received = Assert.Single((await queue.ReceiveMessagesAsync(5, TimeSpan.FromSeconds(30))).Value);
        Assert.Equal(eventJson, received.MessageText);
        Assert.Equal(1, received.DequeueCount);

        // Hidden while its visibility timeout runs.
        Assert.Empty((await queue.ReceiveMessagesAsync(5)).Value);

        var updated = await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, "retry later", TimeSpan.Zero);
        var again = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);
        Assert.Equal("retry later", again.MessageText);
        Assert.Equal(2, again.DequeueCount);

        var staleReceipt = await Assert.ThrowsAsync<StorageRequestFailedException>(() => queue.DeleteMessageAsync(again.MessageId, updated.Value.PopReceipt));
        Assert.Contains(staleReceipt.Status, new[] { 400, 404 });
        await queue.DeleteMessageAsync(again.MessageId, again.PopReceipt);
        await queue.UpdateMessageAsync(again.MessageId, again.PopReceipt, null, TimeSpan.Zero)
            .ContinueWith(t => Assert.IsType<StorageRequestFailedException>(t.Exception!.InnerException));
        await queue.DeleteAsync();
    }

    [Fact]
    public async Task Visibility_timeout_on_send_hides_the_message_until_it_expires()
    {
        var queue = AzuriteClients.Factory.Queues.GetQueueClient(AzuriteInstance.UniqueName("q"));
        await queue.CreateAsync();
        await queue.SendMessageAsync("later", visibilityTimeout: TimeSpan.FromSeconds(1));
        Assert.Empty((await queue.ReceiveMessagesAsync(1)).Value);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal("later", Assert.Single((await queue.ReceiveMessagesAsync(1)).Value).MessageText);
    }
}
