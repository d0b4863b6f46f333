using Azure;

namespace DbxSync.Azure.Storage.Blobs;

/// <summary>
/// Forward-only read of a blob as a series of ranged GETs, each read straight off the socket.
/// Every range is pinned to the ETag seen at open, so a blob replaced mid-read fails (412)
/// instead of yielding a mix of two versions.
/// </summary>
internal sealed class BlobReadStream : Stream
{
    private readonly BlobClient _blob;
    private readonly BlobProperties _properties;
    private readonly int _chunkSize;
    private readonly string? _leaseId;
    private Stream? _currentRange;
    private long _position;
    private long _rangeEnd;

    public BlobReadStream(BlobClient blob, BlobProperties properties, int chunkSize, string? leaseId)
    {
        _blob = blob;
        _properties = properties;
        _chunkSize = chunkSize;
        _leaseId = leaseId;
    }

    public BlobProperties Properties => _properties;
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _properties.ContentLength;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty || _position >= _properties.ContentLength)
            return 0;
        while (true)
        {
            if (_currentRange is null)
                await OpenNextRangeAsync(cancellationToken).ConfigureAwait(false);
            var read = await _currentRange!.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                _position += read;
                return read;
            }
            if (_position < _rangeEnd)
                throw new IOException($"The download of '{_blob.Name}' ended early at byte {_position} of {_properties.ContentLength}.");
            await _currentRange.DisposeAsync().ConfigureAwait(false);
            _currentRange = null;
            if (_position >= _properties.ContentLength)
                return 0;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    private async Task OpenNextRangeAsync(CancellationToken cancellationToken)
    {
        var length = Math.Min(_chunkSize, _properties.ContentLength - _position);
        var conditions = new BlobRequestConditions { IfMatch = _properties.ETag, LeaseId = _leaseId };
        var response = await _blob.DownloadStreamingAsync(new HttpRange(_position, length), conditions, cancellationToken).ConfigureAwait(false);
        _currentRange = response.Value.Content;
        _rangeEnd = _position + length;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _currentRange?.Dispose();
            _currentRange = null;
        }
        base.Dispose(disposing);
    }
}
