namespace DbxSync.Core.Runs;

/// <param name="RunId">Chosen by whoever announced the run (a queued manual run); null: the runner picks one.</param>
public sealed record RunRequest(string ConfigId, RunTrigger Trigger, string? SubjectBlob = null, IProgress<Syncs.SyncProgress>? Progress = null, string? RunId = null);

/// <summary>Runs one config now: takes the cross-instance lock, records the run in SyncRuns, retries transient failures.</summary>
public interface ISyncRunner
{
    /// <summary>
    /// Returns the finished run. Outcome Skipped (not recorded) when another run of the config holds the lock,
    /// or when the config is paused and the trigger is not Manual.
    /// </summary>
    Task<SyncRun> RunAsync(RunRequest request, CancellationToken cancellationToken = default);
}
