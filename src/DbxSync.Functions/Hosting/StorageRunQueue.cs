using Azure.Storage.Queues;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;

namespace DbxSync.Functions.Hosting;

/// <summary>The sync-runs storage queue that RunSync is triggered by. Base64 messages: the queue trigger's default encoding.</summary>
public sealed class StorageRunQueue(QueueClient queue) : IRunQueue
{
    public const string Name = "sync-runs";
    public const string PoisonName = Name + "-poison";

    public QueueClient Client => queue;

    public async Task EnqueueAsync(QueuedRun run, CancellationToken cancellationToken = default)
        => await queue.SendMessageAsync(RunQueueMessage.Format(run), cancellationToken);
}
