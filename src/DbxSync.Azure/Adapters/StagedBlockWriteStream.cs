using System.Buffers;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DbxSync.Azure.Storage;
using DbxSync.Core.Ports;
using BlobItem = DbxSync.Core.Ports.BlobItem;

namespace DbxSync.Azure.Adapters;

/// <summary>
/// Core's write stream as staged blocks: nothing is visible until <see cref="CommitAsync"/>, unlike the SDK's
/// OpenWrite stream, which commits whatever was written when it is disposed (a failed export would appear half
/// written). Memory: two blocks, one staging while the next fills. Content within one block goes as one Put Blob.
/// The first buffer starts at 64 KiB and doubles up to the block size as content arrives, so a small file (a volume's
/// 4-64 KiB files, a manifest) holds 64 KiB, not a whole block: eight parallel small uploads held 8 x 8 MiB.
/// </summary>
internal sealed class StagedBlockWriteStream(
    BlockBlobClient blob, BlobHttpHeaders headers, IDictionary<string, string>? metadata, BlobRequestConditions? conditions,
    int blockSize, string subject, bool createOnly, Func<BlobContentInfo, long, BlobItem> toItem) : BlobWriteStream
{
    // Unique per upload so that two concurrent uploads of one name never commit each other's blocks.
    private readonly string _uploadId = Guid.NewGuid().ToString("N");
    private readonly List<string> _blockIds = [];
    // Under the 85,000-byte large-object-heap threshold.
    private const int InitialBufferSize = 64 * 1024;

    // Not ArrayPool<byte>.Shared: it keeps a returned array in the returning thread's slot, and an upload continues on
    // whichever pool thread, so 8 MiB blocks were stranded per thread and new ones rented. This pool has no per-thread
    // slots; 16 blocks per size is eight parallel uploads of two blocks each.
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: BlobStore.BlockSize, maxArraysPerBucket: 16);

    private byte[]? _buffer = Pool.Rent(Math.Min(InitialBufferSize, blockSize));
    private byte[]? _stagingBuffer;
    private Task? _staging;
    private int _filled;
    private long _written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => _buffer is not null;
    public override long Length => _written;
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (!data.IsEmpty)
        {
            var buffer = Room();
            var take = Math.Min(data.Length, Math.Min(buffer.Length, blockSize) - _filled);
            data[..take].CopyTo(buffer.AsMemory(_filled));
            _filled += take;
            _written += take;
            data = data[take..];
            if (_filled == blockSize)
                await StageAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the source straight into the block buffer: no copy buffer in between, large reads.</summary>
    public async Task WriteFromAsync(Stream source, CancellationToken cancellationToken)
    {
        int read;
        while ((read = await source.ReadAsync(Room().AsMemory(_filled, Math.Min(_buffer!.Length, blockSize) - _filled), cancellationToken).ConfigureAwait(false)) > 0)
        {
            _filled += read;
            _written += read;
            if (_filled == blockSize)
                await StageAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous writers still work; a full block then blocks on its upload.
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<BlobItem> CommitAsync(CancellationToken cancellationToken = default) =>
        StorageErrors.CallAsync(subject, async () =>
        {
            var buffer = _buffer ?? throw new ObjectDisposedException(nameof(StagedBlockWriteStream));
            BlobContentInfo info;
            if (_blockIds.Count == 0)
            {
                info = await blob.UploadAsync(new MemoryStream(buffer, 0, _filled, writable: false),
                    new BlobUploadOptions { HttpHeaders = headers, Metadata = metadata, Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (_filled > 0)
                    await StageAsync(cancellationToken).ConfigureAwait(false);
                await WaitForStagingAsync().ConfigureAwait(false);
                info = await blob.CommitBlockListAsync(_blockIds,
                    new CommitBlockListOptions { HttpHeaders = headers, Metadata = metadata, Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            }
            ReturnBuffers();
            return toItem(info, _written);
        }, createOnly);

    /// <summary>The fill buffer, doubled (up to the block size) when it is full and the block is not.</summary>
    private byte[] Room()
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(StagedBlockWriteStream));
        if (_filled < buffer.Length || buffer.Length >= blockSize) return buffer;
        var larger = Pool.Rent(Math.Min(buffer.Length * 2, blockSize));
        buffer.AsSpan(0, _filled).CopyTo(larger);
        Pool.Return(buffer);
        return _buffer = larger;
    }

    private async Task StageAsync(CancellationToken cancellationToken)
    {
        await WaitForStagingAsync().ConfigureAwait(false);
        var id = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{_uploadId}-{_blockIds.Count:D6}"));
        var full = _buffer!;
        _staging = blob.StageBlockAsync(id, new MemoryStream(full, 0, _filled, writable: false), cancellationToken: cancellationToken);
        _blockIds.Add(id);
        _buffer = _stagingBuffer ?? Pool.Rent(blockSize);
        _stagingBuffer = full;
        _filled = 0;
    }

    private async Task WaitForStagingAsync()
    {
        var staging = _staging;
        _staging = null;
        if (staging is not null)
            await StorageErrors.CallAsync(subject, () => staging).ConfigureAwait(false);
    }

    /// <summary>Without a commit nothing becomes visible; staged blocks expire on their own.</summary>
    public override async ValueTask DisposeAsync()
    {
        // A stage still running owns its buffer: let it finish (its outcome no longer matters) before returning it.
        try { await (_staging ?? Task.CompletedTask).ConfigureAwait(false); }
        catch (Exception) { /* abandoned upload */ }
        _staging = null;
        ReturnBuffers();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try { _staging?.GetAwaiter().GetResult(); }
            catch (Exception) { /* abandoned upload */ }
            _staging = null;
            ReturnBuffers();
        }
        base.Dispose(disposing);
    }

    private void ReturnBuffers()
    {
        if (_stagingBuffer is not null) Pool.Return(_stagingBuffer);
        if (_buffer is not null) Pool.Return(_buffer);
        _stagingBuffer = _buffer = null;
    }

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
