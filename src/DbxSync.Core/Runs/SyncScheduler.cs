using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.State;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Runs;

public sealed record TickSummary(int Configs, int Due, int Enqueued, TimeSpan Duration);

/// <summary>
/// One timer tick: decides which active configs are due (their <see cref="DueSchedule.NextDueAt"/> in SyncState has
/// come) and enqueues one run for each; it does no sync work itself, so a slow config cannot hold up the tick or the
/// others. The runs probe tables, list volumes, and scan labeled/ and volumes/ (the safety net for a lost blob event).
/// </summary>
public sealed class SyncScheduler(SyncConfigRepository configs, SyncRunRepository runs, DueScheduleRepository schedules, IRunQueue queue, TimeProvider time, ILogger<SyncScheduler> logger)
{
    private const int MaxParallel = 16;
    // A little slack so a 60 s interval on a 60 s timer does not skip every other tick.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    public async Task<TickSummary> TickAsync(CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        var all = new List<SyncConfig>();
        await foreach (var c in configs.ListAsync(cancellationToken)) all.Add(c);

        int due = 0, enqueued = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxParallel, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(all.Where(c => c.IsActive), options, async (config, ct) =>
        {
            var schedule = await schedules.GetAsync(config.Id, ct);
            if (!schedule.IsDue(now, Slack)) return;
            Interlocked.Increment(ref due);
            // Claim the run before enqueuing it: the write is conditional on the row read, so when two instances tick
            // at once only one enqueues. The run that follows writes the real next due time (and its reason).
            var claimed = schedule with { NextDueAt = now + TimeSpan.FromSeconds(AdaptiveInterval.Current(schedule, config)) };
            if (!await schedules.TrySaveAsync(claimed, ct))
            {
                logger.LogDebug("Config {ConfigId} was claimed by another tick", config.Id);
                return;
            }
            try
            {
                await queue.EnqueueAsync(new QueuedRun(config.Id, RunTrigger.Timer, runs.NewRunId()), ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // Not enqueued: due again on the next tick, not a poll interval later.
                await schedules.UpdateAsync(config.Id, s => s with { NextDueAt = schedule.NextDueAt }, CancellationToken.None);
                throw;
            }
            Interlocked.Increment(ref enqueued);
        });

        var summary = new TickSummary(all.Count, due, enqueued, time.GetElapsedTime(started));
        logger.LogInformation("Tick: {Configs} configs, {Due} due, {Enqueued} runs enqueued in {DurationMs} ms",
            summary.Configs, summary.Due, summary.Enqueued, (long)summary.Duration.TotalMilliseconds);
        return summary;
    }
}
