namespace DbxSync.Core.Syncs;

/// <summary>
/// Pass-through read stream that adds what is read to a <see cref="ProgressMeter"/>'s bytes. Seekable when the inner
/// stream is (an upload replays a seekable body on a retry); a seek counts its distance, so the bytes stay the position.
/// </summary>
internal sealed class MeteredReadStream(Stream inner, ProgressMeter meter) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => Seek(value, SeekOrigin.Begin); }
    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var before = inner.Position;
        var after = inner.Seek(offset, origin);
        meter.Add(0, after - before);
        return after;
    }

    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        meter.Add(0, n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        meter.Add(0, n);
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
