namespace DbxSync.Core.Runs;

public enum RunTrigger { Timer, BlobEvent, Scan, Manual }
/// <summary>
/// Partial: the run reached its time limit after finishing part of the work (parts of an export); what it finished is
/// kept and counted, and the config is due again at once to continue. It is not a failure: nothing is retried.
/// </summary>
public enum RunOutcome { Running, Succeeded, NoChange, Failed, Skipped, Queued, Partial }

/// <summary>One execution of a sync config, as recorded in SyncRuns.</summary>
public sealed record SyncRun
{
    public required string ConfigId { get; init; }
    public required string RunId { get; init; }
    public required RunTrigger Trigger { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public RunOutcome Outcome { get; init; } = RunOutcome.Running;
    public long? FromVersion { get; init; }
    public long? ToVersion { get; init; }
    public long Rows { get; init; }
    public long Files { get; init; }
    public long Bytes { get; init; }
    public long? UpdatedRows { get; init; }
    public long? InsertedRows { get; init; }
    /// <summary>The blob or file the run was about, when triggered by one.</summary>
    public string? Subject { get; init; }
    /// <summary>Where the output went (export blob name, processed/failed blob).</summary>
    public string? Output { get; init; }
    public string? Message { get; init; }
    public string? Error { get; init; }
    /// <summary>A failed run's class: transient (retried), permanent (the config's error state), data (the file was wrong).</summary>
    public State.FailureClass? FailureClass { get; init; }
    /// <summary>The latest progress a running sync reported (phase and rows/files so far); kept on the finished record.</summary>
    public Syncs.SyncProgress? Progress { get; init; }
    /// <summary>
    /// Not stored. The run failed with an exception (not a failure the sync handled, such as a bad labeled file),
    /// so delivering the same trigger again may succeed: queue and blob triggers rethrow to get their retries.
    /// </summary>
    public bool Retryable { get; init; }
    /// <summary>
    /// Not stored. The run was cut off by its hard time limit in the middle of its work (a statement, an export part):
    /// transient, but not sent back to the queue, where each delivery would meet the same limit and end in poison; the
    /// config is due again at once and the next run redoes the unfinished step from its checkpoint.
    /// </summary>
    public bool StoppedAtTimeLimit { get; init; }

    public long? DurationMs => FinishedAt is { } f ? (long)(f - StartedAt).TotalMilliseconds : null;

    /// <summary>This run, finished at <paramref name="at"/> with what its sync reported: failed when the result carries an error.</summary>
    public SyncRun Finished(SyncResult result, DateTimeOffset at) => this with
    {
        FinishedAt = at,
        Outcome = result.Error is not null ? RunOutcome.Failed : result.Outcome,
        FailureClass = result.Error is not null ? result.FailureClass ?? State.FailureClass.Permanent : null,
        FromVersion = result.FromVersion,
        ToVersion = result.ToVersion,
        Rows = result.Rows,
        Files = result.Files,
        Bytes = result.Bytes,
        UpdatedRows = result.UpdatedRows,
        InsertedRows = result.InsertedRows,
        Output = result.Output,
        Message = result.Message,
        Error = result.Error,
    };
}

/// <summary>What a sync reports back to the runner.</summary>
public sealed record SyncResult
{
    public RunOutcome Outcome { get; init; } = RunOutcome.Succeeded;
    public long? FromVersion { get; init; }
    public long? ToVersion { get; init; }
    public long Rows { get; init; }
    public long Files { get; init; }
    public long Bytes { get; init; }
    public long? UpdatedRows { get; init; }
    public long? InsertedRows { get; init; }
    public string? Output { get; init; }
    public string? Message { get; init; }
    /// <summary>Set when the sync failed in a handled way (e.g. a bad labeled file): the run is Failed.</summary>
    public string? Error { get; init; }
    /// <summary>The class of the handled failure (Data for a rejected file); null: classified as permanent.</summary>
    public State.FailureClass? FailureClass { get; init; }

    public static SyncResult NoChange(string message, long? version = null) => new() { Outcome = RunOutcome.NoChange, Message = message, FromVersion = version, ToVersion = version };
}
