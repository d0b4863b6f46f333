using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using DbxSync.Azure.Adapters;
using Xunit;

namespace DbxSync.Azure.Tests.Storage;

public class SyncLockTests
{
    [Fact]
    public async Task One_holder_at_a_time_and_the_next_after_release()
    {
        var container = AzuriteClients.ContainerName();
        var syncLock = new BlobLeaseSyncLock(AzuriteClients.Blobs, new BlobLeaseSyncLockOptions { Container = container, LeaseDuration = TimeSpan.FromSeconds(15), RenewInterval = TimeSpan.FromSeconds(1) });
        var other = new BlobLeaseSyncLock(AzuriteClients.Blobs, new BlobLeaseSyncLockOptions { Container = container });

        var first = await syncLock.TryAcquireAsync("config-1");
        Assert.NotNull(first);
        Assert.Null(await other.TryAcquireAsync("config-1"));
        await using (var unrelated = await other.TryAcquireAsync("config-2"))
            Assert.NotNull(unrelated);

        await Task.Delay(TimeSpan.FromSeconds(2.5)); // a couple of renewals
        Assert.False(first!.LeaseLost.IsCancellationRequested);
        Assert.Null(await other.TryAcquireAsync("config-1"));
        await first.DisposeAsync();

        await using var second = await other.TryAcquireAsync("config-1");
        Assert.NotNull(second);
    }

    [Fact]
    public async Task A_broken_lease_is_signalled()
    {
        var container = AzuriteClients.ContainerName();
        var syncLock = new BlobLeaseSyncLock(AzuriteClients.Blobs, new BlobLeaseSyncLockOptions { Container = container, LeaseDuration = TimeSpan.FromSeconds(15), RenewInterval = TimeSpan.FromMilliseconds(300) });
        await using var held = await syncLock.TryAcquireAsync("config-x");
        await AzuriteClients.Blobs.GetBlobContainerClient(container).GetBlobClient("config-x").GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);

        Assert.True(await SignalledWithin(held!.LeaseLost, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_hanging_renewal_stops_the_holder_while_the_lease_still_runs()
    {
        var container = AzuriteClients.ContainerName();
        var hang = new HangingRenewals();
        var options = new BlobClientOptions();
        options.AddPolicy(hang, HttpPipelinePosition.PerCall);
        var lockOptions = new BlobLeaseSyncLockOptions
        {
            Container = container, LeaseDuration = TimeSpan.FromSeconds(15), RenewInterval = TimeSpan.FromSeconds(1),
            RenewTimeout = TimeSpan.FromSeconds(2), RetryDelay = TimeSpan.FromMilliseconds(500),
        };
        var syncLock = new BlobLeaseSyncLock(new BlobServiceClient(AzuriteClients.ConnectionString, options), lockOptions);
        var other = new BlobLeaseSyncLock(AzuriteClients.Blobs, new BlobLeaseSyncLockOptions { Container = container });

        await using var held = await syncLock.TryAcquireAsync("config-h");
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // one good renewal
        hang.Enabled = true;
        var hungAt = DateTimeOffset.UtcNow;

        Assert.True(await SignalledWithin(held!.LeaseLost, TimeSpan.FromSeconds(14)));
        Assert.True(DateTimeOffset.UtcNow - hungAt < lockOptions.LeaseDuration);
        Assert.True(hang.Hung >= 1);
        // Told to stop while the lease is still in force: nobody else could have started yet.
        Assert.Null(await other.TryAcquireAsync("config-h"));
    }

    private static async Task<bool> SignalledWithin(CancellationToken token, TimeSpan limit)
    {
        var signalled = Task.Delay(Timeout.Infinite, token);
        return await Task.WhenAny(signalled, Task.Delay(limit)) == signalled;
    }

    /// <summary>Makes renew requests hang like a dead connection (until the caller gives up).</summary>
    private sealed class HangingRenewals : HttpPipelinePolicy
    {
        public volatile bool Enabled;
        public int Hung;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (Enabled && message.Request.Headers.TryGetValue("x-ms-lease-action", out var action) && action == "renew")
            {
                Interlocked.Increment(ref Hung);
                await Task.Delay(Timeout.Infinite, message.CancellationToken);
            }
            await ProcessNextAsync(message, pipeline);
        }
    }
}
