using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;

namespace DbxSync.Functions.Api.Runs;

public sealed record RunResponse(
    string RunId, string ConfigId, RunTrigger Trigger, RunOutcome Outcome, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    long? DurationMs, long? FromVersion, long? ToVersion, long Rows, long Files, long Bytes, long? UpdatedRows,
    long? InsertedRows, string? Subject, string? Output, string? Message, string? Error, RunProgress? Progress,
    DbxSync.Core.State.FailureClass? FailureClass = null)
{
    public static RunResponse From(SyncRun r) => new(
        r.RunId, r.ConfigId, r.Trigger, r.Outcome, r.StartedAt, r.FinishedAt,
        r.DurationMs, r.FromVersion, r.ToVersion, r.Rows, r.Files, r.Bytes, r.UpdatedRows,
        r.InsertedRows, r.Subject, r.Output, r.Message, r.Error, r.Progress is { } p ? RunProgress.From(p) : null, r.FailureClass);
}

/// <summary>
/// The latest progress of a run, written about once a second while it runs: its stage, how far it got (done of total,
/// in unit: rows or files; total null when not known yet), bytes so far (of bytes_total when known), and when the
/// sync reported it (updated_at, the server's clock: a client's rate and ETA come from two of these).
/// </summary>
public sealed record RunProgress(string Stage, long Done, long? Total, string Unit, long Bytes, long? BytesTotal, DateTimeOffset? UpdatedAt)
{
    public static RunProgress From(SyncProgress p) => new(p.Stage, p.Done, p.Total, p.Unit, p.Bytes, p.BytesTotal, p.At);
}

public sealed record RunPageResponse(IReadOnlyList<RunResponse> Items, string? Continuation);
