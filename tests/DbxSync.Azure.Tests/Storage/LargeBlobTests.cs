using System.Diagnostics;
using System.Security.Cryptography;
using DbxSync.Azure.Adapters;
using DbxSync.Core.Ports;
using Xunit;
using Xunit.Abstractions;

namespace DbxSync.Azure.Tests.Storage;

[CollectionDefinition(nameof(MemoryMeasuredCollection), DisableParallelization = true)]
public sealed class MemoryMeasuredCollection;

/// <summary>Runs alone so that other tests' allocations do not show up in the working-set figures.</summary>
[Collection(nameof(MemoryMeasuredCollection))]
public class LargeBlobTests(ITestOutputHelper output)
{
    private const long Size = 300L * 1024 * 1024;
    private const long MaxGrowth = 64L * 1024 * 1024;

    [Fact]
    public async Task A_300_MiB_blob_streams_up_and_down_in_bounded_memory()
    {
        IBlobStore store = new BlobStore(AzuriteClients.Blobs);
        var container = AzuriteClients.ContainerName();
        await store.EnsureContainerAsync(container);

        // Warm up code paths and pools so that JIT and first-use allocations are not counted.
        await store.UploadAsync(container, "big/warm.bin", new GeneratedStream(20L * 1024 * 1024, seed: 7));
        await using (var warm = await store.OpenReadAsync(container, "big/warm.bin"))
            await warm.CopyToAsync(Stream.Null);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.PeakWorkingSet64;
        var stopwatch = Stopwatch.StartNew();

        var source = new GeneratedStream(Size, seed: 42);
        var uploaded = await store.UploadAsync(container, "big/300mib.bin", source);
        var uploadTime = stopwatch.Elapsed;

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[256 * 1024];
        long downloaded = 0;
        await using (var read = await store.OpenReadAsync(container, "big/300mib.bin", uploaded.ETag))
        {
            int n;
            while ((n = await read.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                downloaded += n;
            }
        }
        var totalTime = stopwatch.Elapsed;
        process.Refresh();
        var growth = process.PeakWorkingSet64 - before;

        output.WriteLine($"upload {uploadTime.TotalSeconds:F1}s, upload+download {totalTime.TotalSeconds:F1}s, peak working set growth {growth / 1024.0 / 1024.0:F1} MiB");
        Assert.Equal(Size, uploaded.Length);
        Assert.Equal(Size, downloaded);
        Assert.Equal(source.Sha256(), hash.GetHashAndReset());
        Assert.Equal(Size, (await store.GetPropertiesAsync(container, "big/300mib.bin"))!.Length);
        Assert.True(growth < MaxGrowth, $"peak working set grew by {growth / 1024 / 1024} MiB");
        await AzuriteClients.Blobs.DeleteBlobContainerAsync(container);
    }

    [Fact]
    public async Task Listing_5000_blobs_pages_through_every_name_exactly_once()
    {
        IBlobStore store = new BlobStore(AzuriteClients.Blobs);
        var container = AzuriteClients.ContainerName();
        await store.EnsureContainerAsync(container);
        var names = Enumerable.Range(0, 5000).Select(i => $"rows/{i:D5}.csv").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (name, ct) =>
            await store.UploadAsync(container, name, new MemoryStream([1]), null, ct));
        await store.UploadAsync(container, "other/x.csv", new MemoryStream([1]));

        // Azurite, like the service, returns at most 5,000 names per page: this crosses pages only with the prefix-less listing.
        var listed = await store.ListAsync(container, "rows/").Select(b => b.Name).ToListAsync();
        Assert.Equal(names, listed);
        Assert.Equal(5001, await store.ListAsync(container).CountAsync());
        await AzuriteClients.Blobs.DeleteBlobContainerAsync(container);
    }

    /// <summary>Non-seekable deterministic bytes, hashed as they are handed out (nothing is kept).</summary>
    private sealed class GeneratedStream(long length, int seed) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private ulong _state = (ulong)seed * 0x9E3779B97F4A7C15UL + 1;
        private long _produced;

        public byte[] Sha256() => _hash.GetHashAndReset();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _produced);
            var span = buffer[..n];
            for (var i = 0; i + 8 <= span.Length; i += 8)
            {
                _state ^= _state << 13;
                _state ^= _state >> 7;
                _state ^= _state << 17;
                BitConverter.TryWriteBytes(span[i..], _state);
            }
            for (var i = span.Length & ~7; i < span.Length; i++)
                span[i] = (byte)i;
            _hash.AppendData(span);
            _produced += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
