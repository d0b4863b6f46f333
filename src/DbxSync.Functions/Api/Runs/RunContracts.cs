using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;

namespace DbxSync.Functions.Api.Runs;

public sealed record RunResponse(
    string RunId, string ConfigId, string Trigger, string Outcome, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    long? DurationMs, long? FromVersion, long? ToVersion, long Rows, long Files, long Bytes, long? UpdatedRows,
    long? InsertedRows, string? Subject, string? Output, string? Message, string? Error)
{
    public static RunResponse From(SyncRun r) => new(
        r.RunId, r.ConfigId, Snake(r.Trigger.ToString()), Snake(r.Outcome.ToString()), r.StartedAt, r.FinishedAt,
        r.DurationMs, r.FromVersion, r.ToVersion, r.Rows, r.Files, r.Bytes, r.UpdatedRows,
        r.InsertedRows, r.Subject, r.Output, r.Message, r.Error);

    private static string Snake(string pascal) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(pascal);
}

public sealed record RunPageResponse(IReadOnlyList<RunResponse> Items, string? Continuation);

/// <summary>NDJSON lines of POST /run?progress=true: progress lines, then exactly one run (or error) line.</summary>
public sealed record ProgressLine(string Type, string Stage, long Done, long? Total, string Unit)
{
    public static ProgressLine From(SyncProgress p) => new("progress", p.Stage, p.Done, p.Total, p.Unit);
}

public sealed record RunLine(string Type, RunResponse Run);

public sealed record ErrorLine(string Type, IReadOnlyDictionary<string, object?> Problem);
