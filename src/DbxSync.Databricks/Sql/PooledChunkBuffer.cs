using System.Buffers;

namespace DbxSync.Databricks.Sql;

/// <summary>
/// One downloaded result chunk held in a pooled array, read back once, and returned when
/// disposed, so the next chunk of about the same size reuses the same memory. A chunk is megabytes: as a new
/// MemoryStream per chunk it was a fresh large-object-heap array each time, freed only by a full collection, which
/// let dead chunks pile up in a long export (bench/results/2026-12-05-memory.md). Sized from the chunk's manifest
/// byte_count; a body longer than announced still fits (the array grows).
/// </summary>
internal sealed class PooledChunkBuffer : Stream
{
    // Not ArrayPool<byte>.Shared: it keeps a returned array in the returning thread's slot, and a download continues on
    // whichever pool thread, so arrays were stranded per thread and new ones rented (measured: 16 arrays of 2-4 MiB,
    // 63 MiB of live heap, in a 1M-row export). This pool has no per-thread slots and keeps at most 8 arrays per size;
    // the read ahead's bytes in flight bound what is rented at once.
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 32 * 1024 * 1024, maxArraysPerBucket: 8);

    private byte[]? _array;
    private int _length;
    private int _position;

    private PooledChunkBuffer(byte[] array) => _array = array;

    /// <summary>Copies <paramref name="source"/> to its end into a rented array of at least <paramref name="expectedLength"/> bytes.</summary>
    public static async Task<PooledChunkBuffer> ReadAllAsync(Stream source, long expectedLength, CancellationToken cancellationToken)
    {
        // One byte more than announced, so that reaching the end needs no grow.
        var buffer = new PooledChunkBuffer(Pool.Rent((int)Math.Clamp(expectedLength + 1, 1, Array.MaxLength)));
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.Room(), cancellationToken).ConfigureAwait(false)) > 0)
                buffer._length += read;
            return buffer;
        }
        catch
        {
            await buffer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private Memory<byte> Room()
    {
        var array = _array!;
        if (_length == array.Length)
        {
            var larger = Pool.Rent((int)Math.Min((long)array.Length * 2, Array.MaxLength));
            array.AsSpan(0, _length).CopyTo(larger);
            Pool.Return(array);
            _array = array = larger;
        }
        return array.AsMemory(_length);
    }

    public override bool CanRead => _array is not null;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var array = _array ?? throw new ObjectDisposedException(nameof(PooledChunkBuffer));
        var take = Math.Min(buffer.Length, _length - _position);
        array.AsSpan(_position, take).CopyTo(buffer);
        _position += take;
        return take;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    protected override void Dispose(bool disposing)
    {
        if (disposing && _array is { } array)
        {
            _array = null;
            Pool.Return(array);
        }
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
