using System.Buffers;
using System.Globalization;
using System.Text;
using Azure;

namespace DbxSync.Azure.Storage.Blobs;

/// <summary>
/// Buffers one block, stages it when full and commits the block list at the end, so an upload of any size holds
/// at most two blocks of memory: the one being staged and the one being filled (staging overlaps the producer).
/// Content that never fills a block goes as one Put Blob.
/// </summary>
public sealed class BlockBlobWriter : IAsyncDisposable
{
    private const int MaxBlocks = 50_000;

    private readonly BlobClient _blob;
    private readonly BlobUploadOptions _options;
    private readonly List<string> _blockIds = [];
    // Unique per upload so that two concurrent uploads of one name never commit each other's blocks.
    private readonly string _uploadId = Guid.NewGuid().ToString("N");
    private byte[]? _buffer;
    // The block being staged while the next one fills; its buffer is reused once the stage completes.
    private Task? _inFlight;
    private byte[]? _inFlightBuffer;
    private int _buffered;
    private long _totalLength;
    private bool _committed;

    internal BlockBlobWriter(BlobClient blob, BlobUploadOptions options, int blockSize)
    {
        if (blockSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(blockSize));
        _blob = blob;
        _options = options;
        _buffer = ArrayPool<byte>.Shared.Rent(blockSize);
        BlockSize = blockSize;
    }

    public int BlockSize { get; }
    public long BytesWritten => _totalLength;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (!data.IsEmpty)
        {
            // Re-read each time: staging a block swaps the buffer.
            var buffer = BufferOrThrow();
            var take = Math.Min(data.Length, BlockSize - _buffered);
            data[..take].CopyTo(buffer.AsMemory(_buffered));
            _buffered += take;
            _totalLength += take;
            data = data[take..];
            if (_buffered == BlockSize)
                await StageBufferedBlockAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the source straight into the block buffer, avoiding a second copy buffer.</summary>
    public async ValueTask WriteFromAsync(Stream source, CancellationToken cancellationToken = default)
    {
        int read;
        // BufferOrThrow() each time: staging a block swaps the buffer.
        while ((read = await source.ReadAsync(BufferOrThrow().AsMemory(_buffered, BlockSize - _buffered), cancellationToken).ConfigureAwait(false)) > 0)
        {
            _buffered += read;
            _totalLength += read;
            if (_buffered == BlockSize)
                await StageBufferedBlockAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<Response<BlobContentInfo>> CommitAsync(CancellationToken cancellationToken = default)
    {
        var buffer = BufferOrThrow();
        Response<BlobContentInfo> result;
        if (_blockIds.Count == 0)
        {
            result = await _blob.PutBlobAsync(buffer.AsMemory(0, _buffered), _options, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (_buffered > 0)
                await StageBufferedBlockAsync(cancellationToken).ConfigureAwait(false);
            await WaitForInFlightAsync().ConfigureAwait(false);
            result = await _blob.CommitBlockListAsync(_blockIds, _totalLength, _options, cancellationToken).ConfigureAwait(false);
        }
        _committed = true;
        ReturnBuffer();
        return result;
    }

    /// <summary>Without a commit nothing becomes visible; staged blocks expire on their own.</summary>
    public async ValueTask DisposeAsync()
    {
        // A stage still running owns its buffer: let it finish (its outcome no longer matters) before returning it.
        if (_inFlight is not null)
        {
            try { await _inFlight.ConfigureAwait(false); }
            catch (Exception) { /* the upload is abandoned; nothing was committed */ }
            _inFlight = null;
        }
        ReturnBuffer();
    }

    /// <summary>Starts staging the full buffer and hands back the other one; waits first for the previous stage, so at most one runs.</summary>
    private async Task StageBufferedBlockAsync(CancellationToken cancellationToken)
    {
        if (_blockIds.Count == MaxBlocks)
            throw new InvalidOperationException($"A block blob holds at most {MaxBlocks} blocks; raise the block size above {BlockSize} bytes.");
        await WaitForInFlightAsync().ConfigureAwait(false);
        var blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes(
            _uploadId + "-" + _blockIds.Count.ToString("D6", CultureInfo.InvariantCulture)));
        var full = BufferOrThrow();
        _inFlight = _blob.StageBlockAsync(blockId, full.AsMemory(0, _buffered), _options.Conditions?.LeaseId, cancellationToken);
        _blockIds.Add(blockId);
        _buffer = _inFlightBuffer ?? ArrayPool<byte>.Shared.Rent(BlockSize);
        _inFlightBuffer = full;
        _buffered = 0;
    }

    private async Task WaitForInFlightAsync()
    {
        if (_inFlight is null)
            return;
        var staging = _inFlight;
        _inFlight = null;
        await staging.ConfigureAwait(false);
    }

    private byte[] BufferOrThrow() =>
        _buffer ?? throw new InvalidOperationException(_committed ? "The blob has already been committed." : "The writer has been disposed.");

    private void ReturnBuffer()
    {
        if (_inFlightBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_inFlightBuffer);
            _inFlightBuffer = null;
        }
        if (_buffer is null)
            return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}
