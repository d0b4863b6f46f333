using System.Text.Json;

namespace DbxSync.Core.Syncs;

/// <summary>
/// What one import of a dropped file did, written beside the processed file ({name}.report.json) in snake_case JSON
/// and summarised in the run record. Each kind of file adds its own counts.
/// </summary>
public abstract record DroppedFileReport
{
    public const string Suffix = ".report.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public required string ConfigId { get; init; }
    /// <summary>"container/name" of the file as it was dropped.</summary>
    public required string Blob { get; init; }
    /// <summary>The version imported: the ETag every read and the move were bound to.</summary>
    public required string Etag { get; init; }
    public required DateTimeOffset ImportedAt { get; init; }

    /// <summary>The report as written, with every property of the kind's own record.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, GetType(), Json);

    /// <summary>The run record's message: the counts that matter and where the report is.</summary>
    public abstract string Summary(string reportPath);
}
