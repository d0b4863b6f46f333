using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.Statements;

public sealed record StatementResponse(string StatementId, StatementStatus Status, ResultManifest? Manifest = null, ResultData? Result = null);

public sealed record StatementStatus(string State, ServiceError? Error = null, string? SqlState = null);

public sealed record ServiceError(string ErrorCode, string Message);

public sealed record ResultManifest(
    string Format, ResultSchema Schema, int TotalChunkCount, IReadOnlyList<ChunkInfo>? Chunks,
    long TotalRowCount, long? TotalByteCount, bool Truncated);

public sealed record ResultSchema(int ColumnCount, IReadOnlyList<ColumnInfo>? Columns);

public sealed record ColumnInfo(string Name, string TypeText, string TypeName, int Position, int? TypePrecision = null, int? TypeScale = null);

public sealed record ChunkInfo(int ChunkIndex, long RowOffset, long RowCount, long? ByteCount = null);

/// <summary>ResultData: empty ({}) for results without rows, data_array for INLINE, external_links otherwise.</summary>
public sealed record ResultData(
    int? ChunkIndex = null, long? RowOffset = null, long? RowCount = null, RawJson? DataArray = null,
    IReadOnlyList<ExternalLinkInfo>? ExternalLinks = null, int? NextChunkIndex = null, string? NextChunkInternalLink = null);

public sealed record ExternalLinkInfo(
    int ChunkIndex, long RowOffset, long RowCount, long ByteCount, string ExternalLink, string Expiration,
    int? NextChunkIndex = null, string? NextChunkInternalLink = null);

/// <summary>Pre-serialised JSON (a spooled chunk) copied into a response without re-parsing.</summary>
[JsonConverter(typeof(RawJsonConverter))]
public sealed record RawJson(byte[] Utf8);

public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(JsonSerializer.SerializeToUtf8Bytes(document.RootElement));
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8, skipInputValidation: true);
}

/// <summary>Renders statement records in the Statement Execution API's shapes.</summary>
public sealed partial class StatementResponseBuilder(ExternalLinkSigner signer, EmulatorOptions options)
{
    public StatementResponse Build(StatementRecord record, string origin) => Build(record, record.State, origin);

    /// <summary>Renders the record as if it were in <paramref name="state"/>: async submissions report PENDING.</summary>
    public StatementResponse Build(StatementRecord record, StatementState state, string origin)
    {
        var status = new StatementStatus(StateName(state),
            state == StatementState.Failed && record.Failure is { } failure ? new ServiceError(failure.ErrorCode, failure.Message) : null,
            state == StatementState.Failed ? record.Failure?.SqlState : null);
        if (state != StatementState.Succeeded || record.Outcome is not { } outcome)
            return new StatementResponse(record.Id, status);

        try
        {
            return new StatementResponse(record.Id, status, Manifest(record, outcome),
                outcome.Chunks.Count == 0 ? new ResultData() : Chunk(record, outcome, 0, origin));
        }
        catch (IOException) when (record.State == StatementState.Closed)
        {
            // The retention sweep released the result between the state check and the read.
            return new StatementResponse(record.Id, new StatementStatus("CLOSED"));
        }
    }

    public ResultData Chunk(StatementRecord record, StatementOutcome outcome, int chunkIndex, string origin)
    {
        var chunk = outcome.Chunks[chunkIndex];
        var hasNext = chunkIndex + 1 < outcome.Chunks.Count;
        int? nextIndex = hasNext ? chunkIndex + 1 : null;
        var nextLink = hasNext ? $"/api/2.0/sql/statements/{record.Id}/result/chunks/{chunkIndex + 1}" : null;

        if (record.Request.Disposition == ResultDisposition.ExternalLinks)
        {
            var (url, expiration) = signer.CreateLink(origin, record.Id, chunkIndex, options.ExternalLinkLifetime);
            return new ResultData(ExternalLinks:
            [
                new ExternalLinkInfo(chunk.ChunkIndex, chunk.RowOffset, chunk.RowCount, chunk.ByteCount, url,
                    expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), nextIndex, nextLink),
            ]);
        }

        var data = File.ReadAllBytes(ResultSpool.ChunkPath(record.SpoolDirectory, chunkIndex));
        return new ResultData(chunk.ChunkIndex, chunk.RowOffset, chunk.RowCount, new RawJson(data),
            NextChunkIndex: nextIndex, NextChunkInternalLink: nextLink);
    }

    private static ResultManifest Manifest(StatementRecord record, StatementOutcome outcome)
    {
        var external = record.Request.Disposition == ResultDisposition.ExternalLinks;
        var columns = outcome.Columns.Select((column, position) => Column(column, position)).ToList();
        return new ResultManifest(
            "JSON_ARRAY",
            new ResultSchema(columns.Count, columns.Count == 0 ? null : columns),
            outcome.Chunks.Count,
            outcome.Chunks.Count == 0 ? null : outcome.Chunks
                .Select(chunk => new ChunkInfo(chunk.ChunkIndex, chunk.RowOffset, chunk.RowCount, external ? chunk.ByteCount : null)).ToList(),
            outcome.TotalRowCount,
            external ? outcome.TotalByteCount : null,
            outcome.Truncated);
    }

    private static ColumnInfo Column(EngineColumn column, int position)
    {
        var decimalMatch = DecimalPattern().Match(column.TypeText);
        return decimalMatch.Success
            ? new ColumnInfo(column.Name, column.TypeText, column.TypeName, position,
                int.Parse(decimalMatch.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(decimalMatch.Groups[2].Value, CultureInfo.InvariantCulture))
            : new ColumnInfo(column.Name, column.TypeText, column.TypeName, position);
    }

    public static string StateName(StatementState state) => state switch
    {
        StatementState.Pending => "PENDING",
        StatementState.Running => "RUNNING",
        StatementState.Succeeded => "SUCCEEDED",
        StatementState.Failed => "FAILED",
        StatementState.Canceled => "CANCELED",
        _ => "CLOSED",
    };

    [GeneratedRegex(@"^DECIMAL\((\d+),\s*(\d+)\)$", RegexOptions.IgnoreCase)]
    private static partial Regex DecimalPattern();
}
