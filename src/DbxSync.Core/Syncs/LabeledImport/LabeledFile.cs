using System.Text.Unicode;
using CsvHelper;

namespace DbxSync.Core.Syncs.LabeledImport;

public sealed record ImportError(long Line, string? Column, string Message);

/// <summary>A column of the labeled file: its position in the file and the table column it fills (null when ignored).</summary>
public sealed record ImportColumn(int FileIndex, string Name, ColumnValue? Target);

/// <summary>A labeled file that cannot be read as CSV, at a 1-based physical line of the file.</summary>
public sealed class LabeledFileFormatException(long line, string reason) : Exception($"line {line}: {reason}")
{
    public long Line { get; } = line;
    public string Reason { get; } = reason;
}

/// <summary>
/// Reads a labeled CSV with CsvHelper by the rules every pass shares: RFC 4180 (comma, '"' quotes, line breaks in
/// quotes), strict UTF-8 (an invalid byte is reported on its own line, a UTF-16/32 byte order mark refused instead
/// of switching encodings, a UTF-8 one skipped), blank lines skipped, an optional size cap. Asynchronous and
/// streaming: one record at a time, whatever the file size.
/// </summary>
public sealed class LabeledFile : IAsyncDisposable
{
    private static readonly CsvReaderOptions Rules = new()
    {
        Mode = CsvMode.Rfc4180,
        Separator = ',',
        Quote = '"',
        HasHeader = false,
        AllowLineBreaksInQuotes = true,
        SkipEmptyLines = true,
        TrackLineNumbers = true,
        MalformedData = CsvMalformedDataHandling.Throw,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
    };

    private readonly CsvReader _csv;

    private LabeledFile(CsvReader csv) => _csv = csv;

    /// <param name="maxBytes">Reading fails with <see cref="LabeledFileFormatException"/> once more bytes than this came through.</param>
    public static LabeledFile Open(Stream content, long maxBytes = long.MaxValue)
        => new(CsvReader.Create(new CheckedStream(content, maxBytes), Rules, leaveOpen: false));

    /// <summary>The 1-based line on which the last record read starts.</summary>
    public long Line => _csv.LineNumber;

    /// <summary>The next record's fields (a blank record is skipped), or null at the end of the file.</summary>
    public async ValueTask<string[]?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (!await _csv.ReadAsync(cancellationToken)) return null;
            }
            catch (CsvFormatException ex)
            {
                throw new LabeledFileFormatException(ex.LineNumber, ex.Message);
            }
            catch (LabeledFileFormatException ex) when (ex.Line == 0)
            {
                // The size cap, raised while reading ahead: the line reached so far.
                throw new LabeledFileFormatException(Math.Max(1, _csv.LineNumber), ex.Reason);
            }
            var raw = _csv.RawRecord;
            if (!Utf8.IsValid(raw)) throw new LabeledFileFormatException(Line + LineBreaksBeforeInvalidByte(raw), "the file is not valid UTF-8");
            // A record of one empty field ("") is a blank line too.
            if (_csv.FieldCount == 1 && _csv.IsEmpty(0)) continue;
            var fields = new string[_csv.FieldCount];
            for (var i = 0; i < fields.Length; i++) fields[i] = _csv.GetString(i);
            return fields;
        }
    }

    private static int LineBreaksBeforeInvalidByte(ReadOnlySpan<byte> raw)
    {
        Span<char> scratch = stackalloc char[256];
        var valid = 0;
        while (valid < raw.Length)
        {
            var status = Utf8.ToUtf16(raw[valid..], scratch, out var read, out _, replaceInvalidSequences: false);
            valid += read;
            if (status != System.Buffers.OperationStatus.DestinationTooSmall) break;
        }
        var before = raw[..valid];
        // CR LF, LF and a lone CR each end a line.
        return before.Count((byte)'\n') + before.Count((byte)'\r') - before.Count("\r\n"u8);
    }

    public ValueTask DisposeAsync() => _csv.DisposeAsync();

    /// <summary>
    /// Fails the read once more than the allowed bytes came through, and refuses a UTF-16/32 byte order mark, which
    /// would otherwise make the reader switch encodings while Databricks reads the staged file as UTF-8.
    /// </summary>
    private sealed class CheckedStream(Stream inner, long limit) : Stream
    {
        private long _read;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Check(buffer.AsSpan(offset), inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            return Check(buffer.Span, n);
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
        public override ValueTask DisposeAsync() => inner.DisposeAsync();

        private int Check(ReadOnlySpan<byte> data, int n)
        {
            if (_read == 0 && n >= 2 && (data.StartsWith([(byte)0xFF, (byte)0xFE]) || data.StartsWith([(byte)0xFE, (byte)0xFF]) || (n >= 4 && data.StartsWith([(byte)0, (byte)0, (byte)0xFE, (byte)0xFF]))))
                throw new LabeledFileFormatException(1, "the file is UTF-16 or UTF-32; labeled files must be UTF-8");
            _read += n;
            if (_read > limit) throw new LabeledFileFormatException(0, $"the file is larger than the limit of {limit} bytes");
            return n;
        }
    }
}
