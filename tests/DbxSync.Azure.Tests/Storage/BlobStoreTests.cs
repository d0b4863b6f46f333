using DbxSync.Azure.Adapters;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using Xunit;

namespace DbxSync.Azure.Tests.Storage;

public class BlobStoreTests
{
    private static async Task<(IBlobStore Store, string Container)> NewContainerAsync()
    {
        IBlobStore store = new BlobStore(AzuriteClients.Blobs);
        var container = AzuriteClients.ContainerName();
        await store.EnsureContainerAsync(container);
        return (store, container);
    }

    [Fact]
    public async Task Write_stream_is_invisible_until_committed_and_write_conditions_map_to_core_exceptions()
    {
        var (store, container) = await NewContainerAsync();
        await using (var write = await store.OpenWriteAsync(container, "out.csv", new BlobWriteOptions { ContentType = "text/csv", CreateOnly = true, Metadata = new Dictionary<string, string> { ["rows"] = "1" } }))
        {
            await using (var writer = new StreamWriter(write, leaveOpen: true))
                await writer.WriteAsync("id,label\n1,cat\n");
            Assert.Null(await store.GetPropertiesAsync(container, "out.csv"));
            var item = await write.CommitAsync();
            Assert.Equal(15, item.Length);
            Assert.DoesNotContain('"', item.ETag);
        }
        var current = (await store.GetPropertiesAsync(container, "out.csv"))!;
        Assert.Equal("text/csv", current.ContentType);
        Assert.Equal("1", current.Metadata["rows"]);

        await Assert.ThrowsAsync<ConflictException>(() => store.UploadAsync(container, "out.csv", new MemoryStream([1]), new BlobWriteOptions { CreateOnly = true }));
        await using (var again = await store.OpenWriteAsync(container, "out.csv", new BlobWriteOptions { CreateOnly = true }))
        {
            await again.WriteAsync(new byte[] { 1 });
            await Assert.ThrowsAsync<ConflictException>(() => again.CommitAsync());
        }
        var replaced = await store.UploadAsync(container, "out.csv", new MemoryStream([2]), new BlobWriteOptions { IfMatch = current.ETag });
        Assert.Equal(1, replaced.Length);
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.UploadAsync(container, "out.csv", new MemoryStream([3]), new BlobWriteOptions { IfMatch = current.ETag }));
    }

    [Fact]
    public async Task Abandoned_multi_block_write_leaves_nothing_and_a_committed_one_reads_back()
    {
        var (store, container) = await NewContainerAsync();
        var data = new byte[BlobStore.BlockSize * 2 + 12345];
        Random.Shared.NextBytes(data);
        await using (var abandoned = await store.OpenWriteAsync(container, "big.bin"))
            await abandoned.WriteAsync(data);
        Assert.Null(await store.GetPropertiesAsync(container, "big.bin"));

        await using (var write = await store.OpenWriteAsync(container, "big.bin"))
        {
            await write.WriteAsync(data);
            Assert.Equal(data.Length, (await write.CommitAsync()).Length);
        }
        await using var read = await store.OpenReadAsync(container, "big.bin");
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task Reads_copies_and_deletes_honour_the_etag_an_import_validated()
    {
        var (store, container) = await NewContainerAsync();
        var validated = await store.UploadAsync(container, "labeled.csv", new MemoryStream("v1"u8.ToArray()), new BlobWriteOptions { ContentType = "text/csv" });
        Assert.Equal(2, validated.Length);

        await using (var read = await store.OpenReadAsync(container, "labeled.csv", validated.ETag))
            Assert.Equal((byte)'v', (byte)read.ReadByte());
        var copied = await store.CopyAsync(container, "labeled.csv", container, "processed/labeled.csv", validated.ETag);
        Assert.Equal(2, copied.Length);
        Assert.Equal("text/csv", copied.ContentType);

        // The labeling platform drops a new version under the same name.
        await store.UploadAsync(container, "labeled.csv", new MemoryStream("v2!"u8.ToArray()));
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.OpenReadAsync(container, "labeled.csv", validated.ETag));
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.CopyAsync(container, "labeled.csv", container, "processed/again.csv", validated.ETag));
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.DeleteAsync(container, "labeled.csv", validated.ETag));
        Assert.Null(await store.GetPropertiesAsync(container, "processed/again.csv"));
        Assert.Equal(3, (await store.GetPropertiesAsync(container, "labeled.csv"))!.Length);

        Assert.Equal(["labeled.csv", "processed/labeled.csv"], await store.ListAsync(container).Select(b => b.Name).ToListAsync());
        Assert.True(await store.DeleteAsync(container, "labeled.csv"));
        Assert.False(await store.DeleteAsync(container, "labeled.csv"));
        var missing = await Assert.ThrowsAsync<StorageException>(() => store.OpenReadAsync(container, "labeled.csv"));
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task A_blob_replaced_during_a_read_never_mixes_versions()
    {
        var (store, container) = await NewContainerAsync();
        var first = new byte[12 * 1024 * 1024];
        Random.Shared.NextBytes(first);
        await store.UploadAsync(container, "moving.bin", new MemoryStream(first));

        await using var read = await store.OpenReadAsync(container, "moving.bin");
        Assert.Equal(first.Length, read.Length);
        var copy = new MemoryStream();
        var buffer = new byte[64 * 1024];
        copy.Write(buffer, 0, await read.ReadAsync(buffer));
        await store.UploadAsync(container, "moving.bin", new MemoryStream(new byte[first.Length]));
        try
        {
            int n;
            while ((n = await read.ReadAsync(buffer)) > 0)
                copy.Write(buffer, 0, n);
            // One GET streams one version: all of the first, or (below) a typed failure.
            Assert.Equal(first, copy.ToArray());
        }
        catch (ConcurrencyException)
        {
        }
    }
}
