using DbxSync.Core.Ports;
using DbxSync.Core.Runs;

namespace DbxSync.Core.State;

/// <summary>
/// A config's last finished run as a list shows it, kept in its SyncState row "last_run" so a list of every config
/// needs one query instead of one run query per config. For table exports it also keeps the last probe the runs
/// made: the table version the run saw and the version exported so far (carried over a failed run), so
/// "versions behind" needs no warehouse statement on page load.
/// </summary>
public sealed record LastRunSummary
{
    public required string ConfigId { get; init; }
    public required RunOutcome Outcome { get; init; }
    public string? RunId { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public long Rows { get; init; }
    public long Files { get; init; }
    public long Bytes { get; init; }
    public string? Error { get; init; }
    /// <summary>The source's version the last run saw (its probe), and when.</summary>
    public long? ProbedVersion { get; init; }
    public DateTimeOffset? ProbedAt { get; init; }
    /// <summary>The version exported so far (the last run that succeeded or found nothing new).</summary>
    public long? ExportedVersion { get; init; }

    public long? VersionsBehind => ProbedVersion is { } probed && ExportedVersion is { } exported ? Math.Max(0, probed - exported) : null;

    /// <summary>The summary of a finished run; the probe and the exported version carry over from <paramref name="previous"/> when the run has none.</summary>
    public static LastRunSummary From(SyncRun run, LastRunSummary? previous) => new()
    {
        ConfigId = run.ConfigId,
        Outcome = run.Outcome,
        RunId = run.RunId,
        FinishedAt = run.FinishedAt,
        Rows = run.Rows,
        Files = run.Files,
        Bytes = run.Bytes,
        Error = run.Error is { Length: > 500 } error ? error[..500] + "…" : run.Error,
        ProbedVersion = run.ToVersion ?? previous?.ProbedVersion,
        ProbedAt = run.ToVersion is not null ? run.FinishedAt : previous?.ProbedAt,
        // A partial run's version is the one its parts are pinned at, exported only once the last part is written.
        ExportedVersion = run.Outcome is RunOutcome.Succeeded or RunOutcome.NoChange && run.ToVersion is { } to ? to : previous?.ExportedVersion,
    };
}

/// <summary>Reads and writes <see cref="LastRunSummary"/> rows (SyncState, row "last_run").</summary>
public sealed class LastRunSummaryStore(IStateStore store)
{
    public const string Row = "last_run";

    /// <summary>
    /// Records a finished run (Succeeded, NoChange, Partial, Failed): a list shows an export in parts as under way, with
    /// its counts, between its runs. Others (running, queued, skipped) change nothing.
    /// </summary>
    public async Task RecordAsync(SyncRun run, CancellationToken cancellationToken = default)
    {
        if (run.Outcome is not (RunOutcome.Succeeded or RunOutcome.NoChange or RunOutcome.Partial or RunOutcome.Failed)) return;
        var previous = await store.GetAsync(StateTables.SyncState, run.ConfigId, Row, cancellationToken) is { } e ? FromEntity(e) : null;
        await store.UpsertAsync(StateTables.SyncState, ToEntity(LastRunSummary.From(run, previous)), cancellationToken);
    }

    /// <summary>Every config's last run in one query, by config id.</summary>
    public async Task<Dictionary<string, LastRunSummary>> GetAllAsync(CancellationToken cancellationToken = default)
    {
        var all = new Dictionary<string, LastRunSummary>(StringComparer.Ordinal);
        await foreach (var e in store.QueryRowKeyAsync(StateTables.SyncState, Row, cancellationToken))
            all[e.PartitionKey] = FromEntity(e);
        return all;
    }

    public async Task<LastRunSummary?> GetAsync(string configId, CancellationToken cancellationToken = default)
        => await store.GetAsync(StateTables.SyncState, configId, Row, cancellationToken) is { } e ? FromEntity(e) : null;

    private static StateEntity ToEntity(LastRunSummary summary) => new()
    {
        PartitionKey = summary.ConfigId,
        RowKey = Row,
        Properties =
        {
            ["Outcome"] = summary.Outcome.ToString(),
            ["RunId"] = summary.RunId,
            ["FinishedAt"] = summary.FinishedAt,
            ["Rows"] = summary.Rows,
            ["Files"] = summary.Files,
            ["Bytes"] = summary.Bytes,
            ["Error"] = summary.Error,
            ["ProbedVersion"] = summary.ProbedVersion,
            ["ProbedAt"] = summary.ProbedAt,
            ["ExportedVersion"] = summary.ExportedVersion,
        },
    };

    private static LastRunSummary FromEntity(StateEntity e) => new()
    {
        ConfigId = e.PartitionKey,
        Outcome = Enum.TryParse<RunOutcome>(e.GetString("Outcome"), out var o) ? o : RunOutcome.Failed,
        RunId = e.GetString("RunId"),
        FinishedAt = EntityValues.Time(e, "FinishedAt"),
        Rows = EntityValues.Long(e, "Rows") ?? 0,
        Files = EntityValues.Long(e, "Files") ?? 0,
        Bytes = EntityValues.Long(e, "Bytes") ?? 0,
        Error = e.GetString("Error"),
        ProbedVersion = EntityValues.Long(e, "ProbedVersion"),
        ProbedAt = EntityValues.Time(e, "ProbedAt"),
        ExportedVersion = EntityValues.Long(e, "ExportedVersion"),
    };
}
