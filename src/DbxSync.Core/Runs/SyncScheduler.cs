using System.Collections.Concurrent;
using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Runs;

public sealed record TickSummary(int Configs, int Due, int Enqueued, TimeSpan Duration);

/// <summary>
/// One timer tick: decides which active configs are due (their poll interval has elapsed) and enqueues one run for
/// each; it does no sync work itself, so a slow config cannot hold up the tick or the others. The runs probe tables,
/// list volumes, and scan labeled/ and volumes/ (the safety net for a lost blob event).
/// </summary>
public sealed class SyncScheduler(SyncConfigRepository configs, SyncRunRepository runs, IRunQueue queue, TimeProvider time, ILogger<SyncScheduler> logger)
{
    private const int MaxParallelEnqueues = 16;

    // Per instance: a new instance treats every config as due once, which is harmless (runs are idempotent).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastEnqueued = new();

    public async Task<TickSummary> TickAsync(CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        var all = new List<SyncConfig>();
        await foreach (var c in configs.ListAsync(cancellationToken)) all.Add(c);
        var due = all.Where(c => c.IsActive && IsDue(c, now)).ToList();

        var enqueued = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelEnqueues, CancellationToken = cancellationToken }, async (config, ct) =>
        {
            await queue.EnqueueAsync(new QueuedRun(config.Id, RunTrigger.Timer, runs.NewRunId()), ct);
            _lastEnqueued[config.Id] = now;
            Interlocked.Increment(ref enqueued);
        });

        var summary = new TickSummary(all.Count, due.Count, enqueued, time.GetElapsedTime(started));
        logger.LogInformation("Tick: {Configs} configs, {Due} due, {Enqueued} runs enqueued in {DurationMs} ms",
            summary.Configs, summary.Due, summary.Enqueued, (long)summary.Duration.TotalMilliseconds);
        return summary;
    }

    private bool IsDue(SyncConfig c, DateTimeOffset now)
        // A little slack so a 60 s interval on a 60 s timer does not skip every other tick.
        => !_lastEnqueued.TryGetValue(c.Id, out var last) || now - last >= TimeSpan.FromSeconds(c.PollIntervalSeconds) - TimeSpan.FromSeconds(2);
}
