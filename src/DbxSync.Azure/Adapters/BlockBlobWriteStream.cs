using DbxSync.Azure.Storage.Blobs;
using DbxSync.Core.Ports;

namespace DbxSync.Azure.Adapters;

/// <summary>The Core write stream over a <see cref="BlockBlobWriter"/>: one block of memory, Put Block as it fills.</summary>
internal sealed class BlockBlobWriteStream(BlockBlobWriter writer, Func<CancellationToken, Task<BlobItem>> commit) : BlobWriteStream
{
    private bool _committed;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_committed;
    public override long Length => writer.BytesWritten;
    public override long Position { get => writer.BytesWritten; set => throw new NotSupportedException(); }

    public override async Task<BlobItem> CommitAsync(CancellationToken cancellationToken = default)
    {
        var item = await commit(cancellationToken).ConfigureAwait(false);
        _committed = true;
        return item;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        writer.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        writer.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Sync writers (CsvHelper over a StreamWriter, for example) still work; each full block blocks on its upload.
    public override void Write(byte[] buffer, int offset, int count) =>
        writer.WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await writer.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }
}
