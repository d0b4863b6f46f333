using DbxSync.Core.Errors;

namespace DbxSync.Databricks.Http;

/// <summary>
/// A response body that fails when no byte arrives for <c>stall</c>: a download that stops mid-stream (a dead
/// connection without a reset, a stuck storage node) would otherwise hold the run, and its lease, until the
/// Functions host kills it. Each read gets its own timer, so a slow but moving stream of any length is fine.
/// HttpClient has only a whole-request timeout, which cannot bound a streamed body of unknown size.
/// </summary>
internal sealed class StallTimeoutStream(Stream inner, TimeSpan stall, TimeProvider time, string what) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var timer = new CancellationTokenSource(stall, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            return await inner.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Already the port's exception: a download stream goes to Core as it is, with no adapter around its reads.
            throw new WorkspaceException(WorkspaceErrorKind.Unreachable,
                $"Databricks {what}: no data arrived for {stall.TotalSeconds:0.#} s; the download was abandoned.", isTransient: true);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous reads have no cancellation to hang the timer on: they go through the timed async path.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
