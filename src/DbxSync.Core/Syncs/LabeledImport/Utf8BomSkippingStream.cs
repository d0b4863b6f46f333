namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>Passes a stream through without a leading UTF-8 BOM, so the staged file's first header field is clean.</summary>
internal sealed class Utf8BomSkippingStream(Stream inner) : Stream
{
    private byte[]? _pending;
    private int _pendingOffset;
    private bool _started;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_started)
        {
            _started = true;
            var head = new byte[3];
            var got = 0;
            while (got < 3)
            {
                var n = await inner.ReadAsync(head.AsMemory(got), cancellationToken);
                if (n == 0) break;
                got += n;
            }
            var bom = got == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF;
            _pending = bom ? [] : head[..got];
        }
        if (_pending is not null && _pendingOffset < _pending.Length)
        {
            var n = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
            _pending.AsMemory(_pendingOffset, n).CopyTo(buffer);
            _pendingOffset += n;
            return n;
        }
        return await inner.ReadAsync(buffer, cancellationToken);
    }

    protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
}
