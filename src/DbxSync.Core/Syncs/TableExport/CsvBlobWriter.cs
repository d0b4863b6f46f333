using System.Security.Cryptography;
using CsvHelper;
using DbxSync.Core.Ports;

namespace DbxSync.Core.Syncs.TableExport;

public sealed record CsvBlobResult(BlobItem Blob, IReadOnlyList<string> Header, long Rows, long Bytes, string Sha256);

/// <summary>
/// Streams rows into one CSV block blob with CsvHelper (RFC 4180: comma, CRLF, quotes only where needed, UTF-8
/// without a byte order mark, NULL as an empty field), hashing as it goes; memory is CsvHelper's buffer and one
/// block whatever the row count.
/// </summary>
public static class CsvBlobWriter
{
    private static readonly CsvWriterOptions Rfc4180 = new()
    {
        Mode = CsvMode.Rfc4180,
        Separator = ',',
        NewLine = "\r\n",
        Quoting = CsvQuoting.WhenNeeded,
        WriteByteOrderMark = false,
        // CsvHelper's default, 64 KiB: under the 85,000-byte large-object-heap threshold, so the buffer of each part's
        // writer is freed by a gen0 collection (1 MiB was an LOH array per part, freed only by a full collection).
        BufferSize = 64 * 1024,
    };

    /// <param name="guard">
    /// Per column: true when a text cell that a spreadsheet would run as a formula (CsvHelper's injection characters,
    /// OWASP's list) gets CsvHelper's injection escape in front. Per column, because numbers such as -5 and the
    /// columns an import matches on (the key, the row marker) must be written as they are.
    /// </param>
    public static async Task<CsvBlobResult> WriteAsync(
        IBlobStore blobs, string container, string name, IReadOnlyList<string> header, IAsyncEnumerable<string?[]> rows,
        IReadOnlyList<bool>? guard, BlobWriteOptions options, Action<long>? onRows, CancellationToken cancellationToken)
    {
        await using var blob = await blobs.OpenWriteAsync(container, name, options, cancellationToken);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var hashing = new HashingWriteStream(blob, sha);
        long count = 0;
        // CsvHelper writes its buffer out asynchronously (EndRecordAsync), so no pool thread blocks on a block upload.
        await using (var csv = CsvWriter.Create(hashing, Rfc4180, leaveOpen: true))
        {
            foreach (var column in header) csv.WriteField(column);
            await csv.EndRecordAsync(cancellationToken);
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                for (var i = 0; i < row.Length; i++)
                    csv.WriteField(guard is not null && guard[i] ? Guarded(row[i]) : row[i]);
                await csv.EndRecordAsync(cancellationToken);
                if (++count % 10_000 == 0)
                    onRows?.Invoke(count);
            }
            await csv.FlushAsync(cancellationToken);
        }
        var item = await blob.CommitAsync(cancellationToken);
        onRows?.Invoke(count);
        return new CsvBlobResult(item, header, count, hashing.BytesWritten, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    private static string? Guarded(string? value)
        => value is { Length: > 0 } && Rfc4180.InjectionCharacters.Contains(value[0]) ? Rfc4180.InjectionEscape + value : value;

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
