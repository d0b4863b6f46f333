using DbxSync.Core.Runs;

namespace DbxSync.Functions.Triggers;

/// <summary>Thrown by a trigger whose run failed in a way a new delivery may fix, so that the host retries (and finally poisons) it.</summary>
public sealed class RunFailedException(SyncRun run) : Exception($"Run {run.RunId} of sync config {run.ConfigId} failed: {run.Error}")
{
    public static void ThrowIfRetryable(SyncRun? run)
    {
        if (run is { Outcome: RunOutcome.Failed, Retryable: true }) throw new RunFailedException(run);
    }
}
