using DbxSync.Azure.Adapters;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using Xunit;

namespace DbxSync.Azure.Tests.Storage;

public class AdapterTests
{
    [Fact]
    public async Task Blob_store_write_stream_commits_and_conditions_map_to_core_exceptions()
    {
        IBlobStore store = new BlobStore(AzuriteClients.Factory.Blobs);
        var container = AzuriteClients.ContainerName();
        await store.EnsureContainerAsync(container);

        await using (var write = await store.OpenWriteAsync(container, "out.csv", new BlobWriteOptions { ContentType = "text/csv", CreateOnly = true }))
        {
            await using (var writer = new StreamWriter(write, leaveOpen: true))
                await writer.WriteAsync("id,label\n1,cat\n");
            Assert.Null(await store.GetPropertiesAsync(container, "out.csv")); // invisible until committed
            var item = await write.CommitAsync();
            Assert.Equal(15, item.Length);
            Assert.DoesNotContain('"', item.ETag);
        }

        var current = (await store.GetPropertiesAsync(container, "out.csv"))!;
        await Assert.ThrowsAsync<ConflictException>(() => store.UploadAsync(container, "out.csv", new MemoryStream([1]), new BlobWriteOptions { CreateOnly = true }));
        await store.UploadAsync(container, "out.csv", new MemoryStream([2]), new BlobWriteOptions { IfMatch = current.ETag });
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.UploadAsync(container, "out.csv", new MemoryStream([3]), new BlobWriteOptions { IfMatch = current.ETag }));

        var copied = await store.CopyAsync(container, "out.csv", container, "processed/out.csv");
        Assert.Equal(1, copied.Length);
        Assert.Equal(["out.csv", "processed/out.csv"], await store.ListAsync(container).Select(b => b.Name).ToListAsync());
        Assert.Equal(current.ETag.Length, (await store.ListAsync(container, "processed/").SingleAsync()).ETag.Length);
        await using (var read = await store.OpenReadAsync(container, "processed/out.csv"))
            Assert.Equal(2, read.ReadByte());
        Assert.True(await store.DeleteAsync(container, "out.csv"));
        Assert.False(await store.DeleteAsync(container, "out.csv"));
    }

    [Fact]
    public async Task State_store_maps_conflicts_and_pages_with_opaque_tokens()
    {
        var store = new TableStateStore(AzuriteClients.Factory.Tables);
        var table = AzuriteClients.TableName();
        await store.EnsureTableAsync(table);
        Assert.True((await store.CheckHealthAsync()).IsHealthy);

        var inserted = await store.InsertAsync(table, new StateEntity { PartitionKey = "cfg", RowKey = "checkpoint", Properties = { ["Version"] = 3L } });
        var staleETag = inserted.ETag;
        await Assert.ThrowsAsync<ConflictException>(() => store.InsertAsync(table, new StateEntity { PartitionKey = "cfg", RowKey = "checkpoint" }));

        var read = (await store.GetAsync(table, "cfg", "checkpoint"))!;
        Assert.Equal(3L, DbxSync.Core.State.EntityValues.Long(read, "Version"));
        read.Properties["Version"] = 4L;
        await store.UpsertAsync(table, read);
        var stale = new StateEntity { PartitionKey = "cfg", RowKey = "checkpoint", ETag = staleETag, Properties = { ["Version"] = 5L } };
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.UpsertAsync(table, stale));
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.DeleteAsync(table, "cfg", "checkpoint", staleETag));

        for (var i = 0; i < 7; i++)
            await store.UpsertAsync(table, new StateEntity { PartitionKey = "runs", RowKey = $"r{i}" });
        var rows = new List<string>();
        string? token = null;
        do
        {
            var page = await store.QueryPageAsync(table, "runs", 3, token);
            rows.AddRange(page.Items.Select(e => e.RowKey));
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"r{i}"), rows);
        Assert.Equal(8, await store.QueryAsync(table, null).CountAsync());

        await store.DeleteAsync(table, "cfg", "checkpoint");
        await store.DeleteAsync(table, "cfg", "checkpoint");
        Assert.Null(await store.GetAsync(table, "cfg", "checkpoint"));
    }

    [Fact]
    public async Task Sync_lock_admits_one_holder_and_the_next_after_release()
    {
        var container = AzuriteClients.ContainerName();
        var syncLock = new BlobLeaseSyncLock(AzuriteClients.Factory.Blobs, new BlobLeaseSyncLockOptions { Container = container, LeaseDuration = TimeSpan.FromSeconds(15), RenewInterval = TimeSpan.FromSeconds(1) });
        var other = new BlobLeaseSyncLock(AzuriteClients.Factory.Blobs, new BlobLeaseSyncLockOptions { Container = container });

        var first = await syncLock.TryAcquireAsync("config-1");
        Assert.NotNull(first);
        Assert.Null(await other.TryAcquireAsync("config-1"));
        await using (var unrelated = await other.TryAcquireAsync("config-2"))
            Assert.NotNull(unrelated);

        // Writing over the lock blob without the lease id is refused.
        var blob = AzuriteClients.Factory.Blobs.GetBlobContainerClient(container).GetBlobClient("config-1");
        await Assert.ThrowsAsync<DbxSync.Azure.Storage.StorageRequestFailedException>(() => blob.PutBlobAsync(new byte[] { 1 }));

        await Task.Delay(TimeSpan.FromSeconds(2.5)); // a couple of renewals
        Assert.False(first!.LeaseLost.IsCancellationRequested);
        await first.DisposeAsync();

        await using var second = await other.TryAcquireAsync("config-1");
        Assert.NotNull(second);
    }

    [Fact]
    public async Task Lease_lost_is_signalled_when_the_lease_is_broken()
    {
        var container = AzuriteClients.ContainerName();
        var syncLock = new BlobLeaseSyncLock(AzuriteClients.Factory.Blobs, new BlobLeaseSyncLockOptions { Container = container, LeaseDuration = TimeSpan.FromSeconds(15), RenewInterval = TimeSpan.FromMilliseconds(300) });
        await using var held = await syncLock.TryAcquireAsync("config-x");
        await AzuriteClients.Factory.Blobs.GetBlobContainerClient(container).GetBlobClient("config-x").GetLeaseClient().BreakAsync(TimeSpan.Zero);

        var lost = Task.Delay(Timeout.Infinite, held!.LeaseLost);
        var finished = await Task.WhenAny(lost, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(lost, finished);
    }
}
