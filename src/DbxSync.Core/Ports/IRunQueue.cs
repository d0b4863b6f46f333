using DbxSync.Core.Runs;

namespace DbxSync.Core.Ports;

/// <summary>Where runs wait to be executed, one message per run (the sync-runs queue; RunSync takes them one at a time).</summary>
public interface IRunQueue
{
    Task EnqueueAsync(QueuedRun run, CancellationToken cancellationToken = default);
}
