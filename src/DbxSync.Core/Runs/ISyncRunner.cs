namespace DbxSync.Core.Runs;

/// <param name="RunId">Chosen by whoever announced the run (a queued manual run); null: the runner picks one.</param>
/// <param name="FinalDelivery">
/// The trigger's last delivery of this run's message: the host moves it to the poison queue if it fails again, so a
/// transient failure now is not handed back for a retry but opens (or continues) the config's error episode.
/// </param>
public sealed record RunRequest(string ConfigId, RunTrigger Trigger, string? SubjectBlob = null, IProgress<Syncs.SyncProgress>? Progress = null, string? RunId = null, bool FinalDelivery = false);

/// <summary>Runs one config now: takes the cross-instance lock, records the run in SyncRuns, retries transient failures.</summary>
public interface ISyncRunner
{
    /// <summary>
    /// Returns the finished run. Outcome Skipped (not recorded) when another run of the config holds the lock,
    /// or when the config is paused and the trigger is not Manual.
    /// </summary>
    Task<SyncRun> RunAsync(RunRequest request, CancellationToken cancellationToken = default);
}
