using DbxSync.Core.Configs;
using DbxSync.Core.Ports;

namespace DbxSync.Core.Runs;

/// <summary>
/// Starts a run on request: records it as queued and gives back the message that runs it, so the caller can poll the
/// run record instead of holding a request open for the whole sync (Azure cuts HTTP responses at 230 s).
/// </summary>
/// <remarks>
/// The caller sends the message. The API returns it through its queue output binding rather than with a QueueClient:
/// the Functions host then tells its own sync-runs listener, which polls at once instead of finishing its backoff
/// (up to host.json's maxPollingInterval), so a run asked for is picked up in milliseconds.
/// </remarks>
public sealed class ManualRuns(SyncConfigService configs, SyncRunRepository runs, ISyncLock locks, TimeProvider time)
{
    /// <summary>The queued run and its message, or a Skipped run (not recorded, no message) when another run of the config holds its lock right now.</summary>
    public async Task<(SyncRun Run, QueuedRun? Message)> StartAsync(string configId, CancellationToken cancellationToken = default)
    {
        var config = await configs.GetAsync(configId, cancellationToken);
        var run = new SyncRun { ConfigId = config.Id, RunId = runs.NewRunId(), Trigger = RunTrigger.Manual, StartedAt = time.GetUtcNow(), Outcome = RunOutcome.Queued };

        // Answer "busy" now rather than queue a run that would only be skipped; a run starting after this check
        // is handled by the runner, which records the skip on this run's record.
        await using (var probe = await locks.TryAcquireAsync(SyncRunner.LockName(config.Id), cancellationToken))
        {
            if (probe is null)
                return (run with { Outcome = RunOutcome.Skipped, FinishedAt = run.StartedAt, Message = $"Another run of sync config '{config.Id}' holds its lock; try again when it has finished." }, null);
        }

        await runs.SaveAsync(run, cancellationToken);
        return (run, new QueuedRun(config.Id, RunTrigger.Manual, run.RunId));
    }
}
