using System.Buffers;

namespace DbxSync.Databricks.Sql;

/// <summary>
/// One downloaded result chunk held in pooled 64 KiB segments, then read back once. A chunk is 1-20 MB: held as one
/// MemoryStream it is a fresh large-object-heap array per chunk, which only a full (gen2) collection frees, so a long
/// export grew the worker's heap by tens of MiB of dead chunks (measured: bench/results/2026-12-05-memory.md).
/// Segments stay under the 85,000-byte LOH threshold and go back to the pool as soon as they are read, so the next
/// chunk reuses the same memory. Reading returns each segment once it is consumed; disposing returns the rest.
/// </summary>
internal sealed class PooledChunkBuffer : Stream
{
    internal const int SegmentSize = 64 * 1024;

    private readonly List<byte[]> _segments = [];
    private long _length;
    private long _position;
    private int _returned;

    /// <summary>Copies <paramref name="source"/> to its end into pooled segments.</summary>
    public static async Task<PooledChunkBuffer> ReadAllAsync(Stream source, CancellationToken cancellationToken)
    {
        var buffer = new PooledChunkBuffer();
        try
        {
            while (true)
            {
                var filled = (int)(buffer._length % SegmentSize);
                if (filled == 0 && buffer._length == buffer._segments.Count * (long)SegmentSize)
                {
                    buffer._segments.Add(ArrayPool<byte>.Shared.Rent(SegmentSize));
                }
                var segment = buffer._segments[^1];
                var read = await source.ReadAsync(segment.AsMemory(filled, SegmentSize - filled), cancellationToken).ConfigureAwait(false);
                if (read == 0) return buffer;
                buffer._length += read;
            }
        }
        catch
        {
            await buffer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (!buffer.IsEmpty && _position < _length)
        {
            var index = (int)(_position / SegmentSize);
            var offset = (int)(_position % SegmentSize);
            var take = (int)Math.Min(Math.Min(buffer.Length, SegmentSize - offset), _length - _position);
            _segments[index].AsSpan(offset, take).CopyTo(buffer);
            buffer = buffer[take..];
            _position += take;
            total += take;
            if ((_position % SegmentSize == 0 || _position == _length) && _returned <= index)
                ReturnUpTo(index + 1);
        }
        return total;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    /// <summary>Segments before <paramref name="end"/> are read: back to the pool.</summary>
    private void ReturnUpTo(int end)
    {
        for (; _returned < end; _returned++)
        {
            ArrayPool<byte>.Shared.Return(_segments[_returned]);
            _segments[_returned] = [];
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) ReturnUpTo(_segments.Count);
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
