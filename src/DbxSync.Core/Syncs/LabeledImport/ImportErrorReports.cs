using System.Text.Json;
using System.Text.Json.Serialization;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;

namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>The error report an import writes beside a rejected file ({name}.errors.json in failed/), whatever its kind.</summary>
public sealed record ImportErrorReport(
    [property: JsonPropertyName("moved_to")] string? MovedTo,
    [property: JsonPropertyName("error_count")] long ErrorCount,
    [property: JsonPropertyName("truncated")] bool Truncated,
    [property: JsonPropertyName("errors")] IReadOnlyList<ImportErrorLine> Errors)
{
    [JsonPropertyName("config_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ConfigId { get; init; }
    /// <summary>"container/name" of the file as it was dropped.</summary>
    [JsonPropertyName("blob"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Blob { get; init; }
    [JsonPropertyName("failed_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? FailedAt { get; init; }
}

public sealed record ImportErrorLine(
    [property: JsonPropertyName("line")] long Line,
    [property: JsonPropertyName("column")] string? Column,
    [property: JsonPropertyName("message")] string Message);

/// <summary>Reads a failed import's line-level errors for the API. The report is capped when written, so it is small.</summary>
public sealed class ImportErrorReports(IBlobStore blobs)
{
    public const string Suffix = ".errors.json";

    /// <summary>The report of a run that rejected a labeled file; NotFoundException when the run has none.</summary>
    public async Task<ImportErrorReport> ReadAsync(SyncRun run, CancellationToken cancellationToken = default)
    {
        // Output is "failed/{config}/{name}" as the import recorded it; only that config's own failed files are read.
        var prefix = $"{BlobContainers.Failed}/{run.ConfigId}/";
        if (run.Output is not { } output || !output.StartsWith(prefix, StringComparison.Ordinal) || output.Contains("..", StringComparison.Ordinal))
            throw new NotFoundException($"Run '{run.RunId}' rejected no labeled file, so it has no error report.", "error-report-not-found");
        var reportName = output[(BlobContainers.Failed.Length + 1)..] + Suffix;
        if (await blobs.GetPropertiesAsync(BlobContainers.Failed, reportName, cancellationToken) is null)
            throw new NotFoundException($"The error report of run '{run.RunId}' is gone from {BlobContainers.Failed}/.", "error-report-not-found");
        await using var stream = await blobs.OpenReadAsync(BlobContainers.Failed, reportName, cancellationToken);
        return await JsonSerializer.DeserializeAsync<ImportErrorReport>(stream, cancellationToken: cancellationToken)
            ?? throw new NotFoundException($"The error report of run '{run.RunId}' is empty.", "error-report-not-found");
    }
}
