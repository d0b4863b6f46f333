using DbxSync.Core.Runs;
using DbxSync.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Triggers;

/// <summary>
/// Runs exactly one config per sync-runs message: lease, run record, the sync. A run that failed with an exception
/// rethrows, so the host delivers the message again (same run id, same record). On the last delivery the runner is
/// told so: a transient failure then puts the config into its error episode (one alert) and the message is done,
/// rather than moved to sync-runs-poison once per poll interval of a long outage.
/// </summary>
public sealed class RunSync(ISyncRunner runner, RunQueueDeliveries deliveries)
{
    [Function(nameof(RunSync))]
    public async Task Run([QueueTrigger(StorageRunQueue.Name, Connection = "AzureWebJobsStorage")] string message, FunctionContext context, CancellationToken ct)
    {
        var queued = RunQueueMessage.Parse(message);
        var request = new RunRequest(queued.ConfigId, queued.Trigger, RunId: queued.RunId, FinalDelivery: deliveries.IsFinal(context));
        RunFailedException.ThrowIfRetryable(await runner.RunAsync(request, ct));
    }
}
