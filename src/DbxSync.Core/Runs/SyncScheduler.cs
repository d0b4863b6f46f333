using System.Collections.Concurrent;
using DbxSync.Core.Configs;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Runs;

public sealed record SchedulerOptions
{
    /// <summary>How many configs one tick works on at once.</summary>
    public int MaxParallelRuns { get; init; } = 16;
}

public sealed record TickSummary(int Configs, int Due, int Succeeded, int NoChange, int Failed, int Skipped, TimeSpan Duration);

/// <summary>
/// One timer tick: every active config whose poll interval has elapsed is run once (probe for tables,
/// listing for volumes, a scan of labeled/ for imports: the safety net for lost blob events).
/// </summary>
public sealed class SyncScheduler(SyncConfigRepository configs, ISyncRunner runner, TimeProvider time, SchedulerOptions options, ILogger<SyncScheduler> logger)
{
    // Per instance: a new instance treats every config as due once, which is harmless (runs are idempotent).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastStarted = new();

    public async Task<TickSummary> TickAsync(CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        var all = new List<SyncConfig>();
        await foreach (var c in configs.ListAsync(cancellationToken)) all.Add(c);
        var due = all.Where(c => c.IsActive && IsDue(c, now)).ToList();

        int ok = 0, none = 0, failed = 0, skipped = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelRuns), CancellationToken = cancellationToken }, async (config, ct) =>
        {
            _lastStarted[config.Id] = now;
            try
            {
                var run = await runner.RunAsync(new RunRequest(config.Id, RunTrigger.Timer), ct);
                switch (run.Outcome)
                {
                    case RunOutcome.Succeeded: Interlocked.Increment(ref ok); break;
                    case RunOutcome.NoChange: Interlocked.Increment(ref none); break;
                    case RunOutcome.Failed: Interlocked.Increment(ref failed); break;
                    default: Interlocked.Increment(ref skipped); break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref failed);
                logger.LogError(ex, "Timer run of sync config {ConfigId} failed", config.Id);
            }
        });

        var summary = new TickSummary(all.Count, due.Count, ok, none, failed, skipped, time.GetElapsedTime(started));
        logger.LogInformation("Tick: {Configs} configs, {Due} due: {Succeeded} synced, {NoChange} unchanged, {Failed} failed, {Skipped} skipped in {DurationMs} ms",
            summary.Configs, summary.Due, summary.Succeeded, summary.NoChange, summary.Failed, summary.Skipped, (long)summary.Duration.TotalMilliseconds);
        return summary;
    }

    private bool IsDue(SyncConfig c, DateTimeOffset now)
        // A little slack so a 60 s interval on a 60 s timer does not skip every other tick.
        => !_lastStarted.TryGetValue(c.Id, out var last) || now - last >= TimeSpan.FromSeconds(c.PollIntervalSeconds) - TimeSpan.FromSeconds(2);
}
