using System.Security.Cryptography;
using System.Text;
using DbxSync.Core.Csv;
using DbxSync.Core.Ports;

namespace DbxSync.Core.Syncs.TableExport;

public sealed record CsvBlobResult(BlobItem Blob, IReadOnlyList<string> Header, long Rows, long Bytes, string Sha256);

/// <summary>Streams rows into one CSV block blob, hashing as it goes; memory is two blocks and 1 MiB of text whatever the row count.</summary>
public static class CsvBlobWriter
{
    public static async Task<CsvBlobResult> WriteAsync(
        IBlobStore blobs, string container, string name, IReadOnlyList<string> header, IAsyncEnumerable<string?[]> rows,
        IReadOnlyList<bool>? guard, BlobWriteOptions options, Action<long>? onRows, CancellationToken cancellationToken)
    {
        await using var blob = await blobs.OpenWriteAsync(container, name, options, cancellationToken);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var hashing = new HashingWriteStream(blob, sha);
        long count = 0;
        // Records are formatted into memory and handed to the blob stream asynchronously, about 1 MiB at a time: a
        // StreamWriter straight over the blob stream would flush synchronously, blocking a pool thread on each block upload.
        var pending = new MemoryStream(PendingBytes + 128 * 1024);
        await using (var text = new StreamWriter(pending, new UTF8Encoding(false), 64 * 1024, leaveOpen: true))
        {
            var csv = new CsvRecordWriter(text);
            csv.WriteRecord(header);
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                csv.WriteRecord(row, guard);
                if (pending.Length >= PendingBytes)
                    await DrainAsync(pending, hashing, cancellationToken);
                if (++count % 10_000 == 0)
                    onRows?.Invoke(count);
            }
            await text.FlushAsync(cancellationToken);
        }
        await DrainAsync(pending, hashing, cancellationToken);
        var item = await blob.CommitAsync(cancellationToken);
        onRows?.Invoke(count);
        return new CsvBlobResult(item, header, count, hashing.BytesWritten, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    private const int PendingBytes = 1024 * 1024;

    private static async Task DrainAsync(MemoryStream pending, Stream target, CancellationToken cancellationToken)
    {
        if (pending.Length == 0) return;
        await target.WriteAsync(pending.GetBuffer().AsMemory(0, (int)pending.Length), cancellationToken);
        pending.SetLength(0);
    }

    /// <summary>Pass-through stream that hashes and counts what is written.</summary>
    private sealed class HashingWriteStream(Stream inner, IncrementalHash hash) : Stream
    {
        public long BytesWritten { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesWritten; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer) { hash.AppendData(buffer); BytesWritten += buffer.Length; inner.Write(buffer); }
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.AppendData(buffer.Span);
            BytesWritten += buffer.Length;
            await inner.WriteAsync(buffer, cancellationToken);
        }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        // The inner blob stream is owned (and committed) by the caller.
        protected override void Dispose(bool disposing) { }
        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
