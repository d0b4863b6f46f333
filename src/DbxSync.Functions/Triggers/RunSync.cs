using DbxSync.Core.Runs;
using DbxSync.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Triggers;

/// <summary>
/// Runs exactly one config per sync-runs message: lease, run record, the sync. A run that failed with an exception
/// rethrows, so the host delivers the message again (same run id, same record) and after maxDequeueCount moves it
/// to sync-runs-poison; the record then shows the last failure.
/// </summary>
public sealed class RunSync(ISyncRunner runner)
{
    [Function(nameof(RunSync))]
    public async Task Run([QueueTrigger(StorageRunQueue.Name, Connection = "AzureWebJobsStorage")] string message, CancellationToken ct)
    {
        var queued = RunQueueMessage.Parse(message);
        RunFailedException.ThrowIfRetryable(await runner.RunAsync(new RunRequest(queued.ConfigId, queued.Trigger, RunId: queued.RunId), ct));
    }
}
