using System.Text.Json;
using Azure.Storage.Queues;

namespace DbxSync.FunctionsHost.Tests;

[Collection(HostCollection.Name)]
public sealed class QueueTriggerTests(HostFixture fixture)
{
    // host.json of the fixture app leaves messageEncoding at its default: base64.
    private QueueClient Queue(string name) => new(fixture.StorageConnection, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    [Fact]
    public async Task A_message_is_delivered_with_the_real_hosts_trigger_metadata_and_deleted_after_success()
    {
        var orderId = "o-" + Guid.NewGuid().ToString("N");
        var text = $"{{\"orderId\":\"{orderId}\",\"text\":\"hi\"}}";
        var sent = (await Queue(fixture.Queue).SendMessageAsync(text)).Value;

        var entry = (await fixture.WaitForJournalAsync("queue", e => e.GetProperty("orderId").GetString() == orderId)).Single();
        Assert.Equal(text, entry.GetProperty("message").GetString());
        Assert.Equal(text, entry.GetProperty("queueTrigger").GetString());
        Assert.Equal(sent.MessageId, entry.GetProperty("id").GetString());
        Assert.Equal("1", entry.GetProperty("dequeueCount").GetString());
        foreach (var key in new[] { "hasPopReceipt", "hasInsertionTime", "hasExpirationTime", "hasNextVisibleTime" })
            Assert.True(entry.GetProperty(key).GetBoolean(), key);

        await WaitUntilEmptyAsync(Queue(fixture.Queue), m => m.Contains(orderId));
    }

    [Fact]
    public async Task A_failing_message_is_retried_up_to_maxDequeueCount_then_moved_to_the_poison_queue()
    {
        var orderId = "p-" + Guid.NewGuid().ToString("N");
        var text = $"{{\"orderId\":\"{orderId}\",\"mode\":\"fail\"}}";
        await Queue(fixture.Queue).SendMessageAsync(text);

        // maxDequeueCount is 3 in the fixture's host.json.
        var attempts = await fixture.WaitForJournalAsync("queue", e => e.GetProperty("orderId").GetString() == orderId, count: 3);
        Assert.Equal(["1", "2", "3"], attempts.Select(a => a.GetProperty("dequeueCount").GetString()).Order());

        var poison = Queue(fixture.Queue + "-poison");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? poisoned = null;
        while (poisoned is null && DateTime.UtcNow < deadline)
        {
            if (await poison.ExistsAsync())
                poisoned = (await poison.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).FirstOrDefault(b => b.Contains(orderId));
            if (poisoned is null)
                await Task.Delay(200);
        }

        Assert.Equal(text, poisoned);
        await Task.Delay(1000);
        Assert.Equal(3, fixture.Entries("queue", e => e.GetProperty("orderId").GetString() == orderId).Count);
        await WaitUntilEmptyAsync(Queue(fixture.Queue), m => m.Contains(orderId));
    }

    [Fact]
    public async Task A_run_held_past_the_processing_window_is_delivered_once_because_the_host_renews_its_visibility()
    {
        var orderId = "h-" + Guid.NewGuid().ToString("N");
        // Three processing windows long: without renewal at half-way the message would reappear and run again.
        var hold = HostFixture.QueueWindow.TotalSeconds * 3;
        await Queue(fixture.HoldQueue).SendMessageAsync($"{{\"orderId\":\"{orderId}\",\"holdSeconds\":{hold}}}");

        await fixture.WaitForJournalAsync("hold", e => e.GetProperty("orderId").GetString() == orderId && e.GetProperty("phase").GetString() == "end",
            timeout: TimeSpan.FromSeconds(hold + 60));
        await WaitUntilEmptyAsync(Queue(fixture.HoldQueue), m => m.Contains(orderId));
        // Past another whole window: a copy that had become visible meanwhile would have started by now.
        await Task.Delay(HostFixture.QueueWindow + TimeSpan.FromSeconds(2));

        var starts = fixture.Entries("hold", e => e.GetProperty("orderId").GetString() == orderId && e.GetProperty("phase").GetString() == "start");
        Assert.Equal("1", Assert.Single(starts).GetProperty("dequeueCount").GetString());
        Assert.DoesNotContain(fixture.Host.Output, line => line.Contains("is no longer held", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_an_http_function_returns_through_its_queue_output_is_written_and_wakes_the_queues_listener()
    {
        var orderId = "w-" + Guid.NewGuid().ToString("N");
        using var response = await fixture.Http.PostAsync($"/fx/orders/{orderId}", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains(orderId, await response.Content.ReadAsStringAsync());

        // Delivered to OnQueueMessage, encoded as host.json says (base64), and the listener was told, not left to its backoff.
        var entry = (await fixture.WaitForJournalAsync("queue", e => e.GetProperty("orderId").GetString() == orderId)).Single();
        Assert.Equal($"{{\"orderId\":\"{orderId}\",\"via\":\"output binding\"}}", entry.GetProperty("message").GetString());
        Assert.Contains(fixture.Host.Output, line => line.Contains("EnqueueOrder: 1 message(s) written to queue " + fixture.Queue, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unset_queue_output_writes_no_message()
    {
        var orderId = "n-" + Guid.NewGuid().ToString("N");
        using var response = await fixture.Http.PostAsync($"/fx/orders/{orderId}?none=1", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        // Well past the fixture's 0.5 s maxPollingInterval: a message would have been delivered by now.
        await Task.Delay(2000);
        Assert.Empty(fixture.Entries("queue", e => e.GetProperty("orderId").GetString() == orderId));
        var waiting = (await Queue(fixture.Queue).PeekMessagesAsync(32)).Value;
        Assert.DoesNotContain(waiting, m => m.Body.ToString().Contains(orderId));
    }

    private static async Task WaitUntilEmptyAsync(QueueClient queue, Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            // Peek sees only visible messages; a deleted one is gone for good, an invisible one would come back.
            var visible = (await queue.PeekMessagesAsync(32)).Value.Any(m => match(m.Body.ToString()));
            var count = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            if (!visible && count == 0)
                return;
            Assert.True(DateTime.UtcNow < deadline, $"the message is still on {queue.Name} ({count} left)");
            await Task.Delay(200);
        }
    }
}
