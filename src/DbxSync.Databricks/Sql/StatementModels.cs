using System.Text.Json;
using System.Text.Json.Serialization;

namespace DbxSync.Databricks.Sql;

// Wire shapes of the Statement Execution API 2.0. Lenient on purpose: every field optional, unknown fields ignored.

internal sealed class StatementResponse
{
    public string? StatementId { get; set; }
    public StatementStatus? Status { get; set; }
    public ResultManifest? Manifest { get; set; }
    public ResultData? Result { get; set; }
}

internal sealed class StatementStatus
{
    public string? State { get; set; }
    public ServiceError? Error { get; set; }
    public string? SqlState { get; set; }
}

internal sealed class ServiceError
{
    /// <summary>String in practice; kept raw because gateway errors use numbers.</summary>
    public JsonElement ErrorCode { get; set; }
    public string? Message { get; set; }

    public string? ErrorCodeText => ErrorCode.ValueKind switch
    {
        JsonValueKind.String => ErrorCode.GetString(),
        JsonValueKind.Number => ErrorCode.GetRawText(),
        _ => null,
    };
}

internal sealed class ResultManifest
{
    public string? Format { get; set; }
    public ResultSchema? Schema { get; set; }
    public int? TotalChunkCount { get; set; }
    /// <summary>Every chunk's index, row range and (for EXTERNAL_LINKS) byte_count.</summary>
    public List<ChunkInfo>? Chunks { get; set; }
    public long? TotalRowCount { get; set; }
    public bool? Truncated { get; set; }
}

internal sealed class ChunkInfo
{
    public int? ChunkIndex { get; set; }
    public long? RowOffset { get; set; }
    public long? RowCount { get; set; }
    public long? ByteCount { get; set; }
}

internal sealed class ResultSchema
{
    public int? ColumnCount { get; set; }
    public List<ColumnInfo>? Columns { get; set; }
}

internal sealed class ColumnInfo
{
    public string? Name { get; set; }
    public string? TypeText { get; set; }
    public string? TypeName { get; set; }
    public int? Position { get; set; }
}

internal sealed class ResultData
{
    public int? ChunkIndex { get; set; }
    public long? RowOffset { get; set; }
    public long? RowCount { get; set; }
    public List<string?[]>? DataArray { get; set; }
    public List<ExternalLink>? ExternalLinks { get; set; }
    public int? NextChunkIndex { get; set; }
    public string? NextChunkInternalLink { get; set; }
}

/// <summary>A presigned download of one chunk. The URL is a credential: it is never logged or put in a message.</summary>
internal sealed class ExternalLink
{
    public int? ChunkIndex { get; set; }
    public long? RowCount { get; set; }
    [JsonPropertyName("external_link")]
    public string? Url { get; set; }
    public DateTimeOffset? Expiration { get; set; }
    public Dictionary<string, string>? HttpHeaders { get; set; }
    public int? NextChunkIndex { get; set; }
    public string? NextChunkInternalLink { get; set; }

    public override string ToString() => $"ExternalLink(chunk {ChunkIndex}, {RowCount} rows)";
}

internal sealed record ExecuteStatementRequest(
    string Statement,
    string WarehouseId,
    IReadOnlyList<StatementParameter> Parameters,
    string WaitTimeout,
    string OnWaitTimeout,
    string Disposition,
    string Format);

/// <summary>Value null is omitted from the JSON, which is how the API spells SQL NULL.</summary>
internal sealed record StatementParameter(string Name, string? Value, string Type);
