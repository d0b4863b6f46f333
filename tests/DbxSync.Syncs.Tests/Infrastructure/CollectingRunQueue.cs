using System.Collections.Concurrent;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;

namespace DbxSync.Syncs.Tests.Infrastructure;

/// <summary>Keeps what a tick enqueued, so a test runs those runs itself instead of a queue trigger (the Functions tests cover the real queue).</summary>
public sealed class CollectingRunQueue : IRunQueue
{
    public ConcurrentQueue<QueuedRun> Runs { get; } = new();

    public Task EnqueueAsync(QueuedRun run, CancellationToken cancellationToken = default)
    {
        Runs.Enqueue(run);
        return Task.CompletedTask;
    }

    /// <summary>Runs everything enqueued so far, as RunSync would, and returns the finished runs.</summary>
    public async Task<IReadOnlyList<SyncRun>> DrainAsync(ISyncRunner runner)
    {
        var finished = new List<SyncRun>();
        while (Runs.TryDequeue(out var queued))
            finished.Add(await runner.RunAsync(new RunRequest(queued.ConfigId, queued.Trigger, RunId: queued.RunId)));
        return finished;
    }
}
