using System.Globalization;
using System.Text.Json;

namespace DbxSync.Emulator.Statements;

/// <summary>
/// Streams result rows to one compact JSON array-of-arrays file per chunk, so a million-row result costs
/// disk, not memory. The chunk file is exactly what an external link serves and what INLINE embeds.
/// </summary>
public sealed class ResultSpool : IDisposable
{
    private readonly string _directory;
    private readonly int _chunkRowLimit;
    private readonly long _chunkByteLimit;
    private readonly List<SpooledChunk> _chunks = [];
    private FileStream? _stream;
    private Utf8JsonWriter? _writer;
    private long _chunkRows;
    private long _rowsBeforeChunk;
    private long _bytesBeforeChunk;

    public ResultSpool(string directory, int chunkRowLimit, long chunkByteLimit)
    {
        _directory = directory;
        _chunkRowLimit = Math.Max(1, chunkRowLimit);
        _chunkByteLimit = Math.Max(1, chunkByteLimit);
        Directory.CreateDirectory(directory);
    }

    public long TotalRowCount => _rowsBeforeChunk + _chunkRows;
    public long TotalByteCount => _bytesBeforeChunk + CurrentChunkBytes;

    private long CurrentChunkBytes => _writer is null ? 0 : _writer.BytesCommitted + _writer.BytesPending + 1;

    public static string ChunkPath(string directory, int chunkIndex) =>
        Path.Combine(directory, "chunk-" + chunkIndex.ToString(CultureInfo.InvariantCulture) + ".json");

    public void Add(string?[] row)
    {
        if (_writer is null)
            OpenChunk();
        _writer!.WriteStartArray();
        foreach (var cell in row)
        {
            if (cell is null)
                _writer.WriteNullValue();
            else
                _writer.WriteStringValue(cell);
        }
        _writer.WriteEndArray();
        _chunkRows++;
        if (_writer.BytesPending > 64 * 1024)
            _writer.Flush();

        if (_chunkRows >= _chunkRowLimit || CurrentChunkBytes >= _chunkByteLimit)
            CloseChunk();
    }

    /// <summary>Seals the last chunk; a result without rows has no chunks at all, as on Databricks.</summary>
    public IReadOnlyList<SpooledChunk> Complete()
    {
        if (_writer is not null)
            CloseChunk();
        return _chunks.ToArray();
    }

    private void OpenChunk()
    {
        _stream = new FileStream(ChunkPath(_directory, _chunks.Count), FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
        // Relaxed escaping keeps unicode readable and matches Databricks' output for non-ASCII text.
        _writer = new Utf8JsonWriter(_stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _writer.WriteStartArray();
        _chunkRows = 0;
    }

    private void CloseChunk()
    {
        _writer!.WriteEndArray();
        _writer.Flush();
        var byteCount = _stream!.Length;
        _writer.Dispose();
        _stream.Dispose();
        _writer = null;
        _stream = null;
        _chunks.Add(new SpooledChunk(_chunks.Count, _rowsBeforeChunk, _chunkRows, byteCount));
        _rowsBeforeChunk += _chunkRows;
        _bytesBeforeChunk += byteCount;
        _chunkRows = 0;
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _stream?.Dispose();
    }
}
