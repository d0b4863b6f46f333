using System.Globalization;
using DbxSync.Core.Ports;
using DbxSync.Core.State;

namespace DbxSync.Core.Runs;

/// <summary>SyncRuns: partition per config, row keys that sort newest first.</summary>
public sealed class SyncRunRepository(IStateStore store, TimeProvider time)
{
    public string NewRunId() => NewRunId(time.GetUtcNow());

    public static string NewRunId(DateTimeOffset now)
    {
        // Inverted ticks make the natural (ascending) key order newest-first; the suffix keeps ids unique.
        var inverted = DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks;
        return inverted.ToString("D19", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
    }

    public async Task<SyncRun?> GetAsync(string configId, string runId, CancellationToken cancellationToken = default)
    {
        var e = await store.GetAsync(StateTables.SyncRuns, configId, runId, cancellationToken);
        return e is null ? null : FromEntity(e);
    }

    public async Task SaveAsync(SyncRun run, CancellationToken cancellationToken = default)
    {
        await store.UpsertAsync(StateTables.SyncRuns, ToEntity(run), cancellationToken);
        // The list pages read each config's last run from its state, not from here (one query for all configs).
        await new LastRunSummaryStore(store).RecordAsync(run, cancellationToken);
    }

    public async Task<(IReadOnlyList<SyncRun> Runs, string? Next)> ListAsync(string configId, int pageSize, string? continuation, CancellationToken cancellationToken = default)
    {
        var page = await store.QueryPageAsync(StateTables.SyncRuns, configId, pageSize, continuation, cancellationToken);
        return (page.Items.Select(FromEntity).ToList(), page.ContinuationToken);
    }

    public async Task DeleteAllAsync(string configId, CancellationToken cancellationToken = default)
    {
        await foreach (var e in store.QueryAsync(StateTables.SyncRuns, configId, cancellationToken))
            await store.DeleteAsync(StateTables.SyncRuns, e.PartitionKey, e.RowKey, null, cancellationToken);
    }

    private static StateEntity ToEntity(SyncRun r) => new()
    {
        PartitionKey = r.ConfigId,
        RowKey = r.RunId,
        Properties =
        {
            ["Trigger"] = r.Trigger.ToString(),
            ["StartedAt"] = r.StartedAt,
            ["FinishedAt"] = r.FinishedAt,
            ["Outcome"] = r.Outcome.ToString(),
            ["FromVersion"] = r.FromVersion,
            ["ToVersion"] = r.ToVersion,
            ["Rows"] = r.Rows,
            ["Files"] = r.Files,
            ["Bytes"] = r.Bytes,
            ["UpdatedRows"] = r.UpdatedRows,
            ["InsertedRows"] = r.InsertedRows,
            ["DurationMs"] = r.DurationMs,
            ["Subject"] = r.Subject,
            ["Output"] = r.Output,
            ["Message"] = Truncate(r.Message),
            ["Error"] = Truncate(r.Error),
            ["FailureClass"] = r.FailureClass?.ToString(),
            ["ProgressStage"] = r.Progress?.Stage,
            ["ProgressDone"] = r.Progress?.Done,
            ["ProgressTotal"] = r.Progress?.Total,
            ["ProgressUnit"] = r.Progress?.Unit,
            ["ProgressBytes"] = r.Progress?.Bytes,
            ["ProgressBytesTotal"] = r.Progress?.BytesTotal,
            ["ProgressAt"] = r.Progress?.At,
        },
    };

    // A string property holds at most 32K characters; an error message never needs that much.
    private static string? Truncate(string? s) => s is { Length: > 8000 } ? s[..8000] + "…" : s;

    private static SyncRun FromEntity(StateEntity e) => new()
    {
        ConfigId = e.PartitionKey,
        RunId = e.RowKey,
        Trigger = Enum.TryParse<RunTrigger>(e.GetString("Trigger"), out var t) ? t : RunTrigger.Manual,
        StartedAt = EntityValues.Time(e, "StartedAt") ?? DateTimeOffset.MinValue,
        FinishedAt = EntityValues.Time(e, "FinishedAt"),
        Outcome = Enum.TryParse<RunOutcome>(e.GetString("Outcome"), out var o) ? o : RunOutcome.Running,
        FromVersion = EntityValues.Long(e, "FromVersion"),
        ToVersion = EntityValues.Long(e, "ToVersion"),
        Rows = EntityValues.Long(e, "Rows") ?? 0,
        Files = EntityValues.Long(e, "Files") ?? 0,
        Bytes = EntityValues.Long(e, "Bytes") ?? 0,
        UpdatedRows = EntityValues.Long(e, "UpdatedRows"),
        InsertedRows = EntityValues.Long(e, "InsertedRows"),
        Subject = e.GetString("Subject"),
        Output = e.GetString("Output"),
        Message = e.GetString("Message"),
        Error = e.GetString("Error"),
        FailureClass = Enum.TryParse<FailureClass>(e.GetString("FailureClass"), out var fc) ? fc : null,
        Progress = e.GetString("ProgressStage") is { } stage
            ? new Syncs.SyncProgress(stage, EntityValues.Long(e, "ProgressDone") ?? 0, EntityValues.Long(e, "ProgressTotal"), e.GetString("ProgressUnit") ?? "",
                EntityValues.Long(e, "ProgressBytes") ?? 0, EntityValues.Long(e, "ProgressBytesTotal")) { At = EntityValues.Time(e, "ProgressAt") }
            : null,
    };
}
