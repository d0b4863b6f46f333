using DbxSync.Core.Runs;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Triggers;

/// <summary>Each tick enqueues one run per due, active config on sync-runs; RunSync does the work.</summary>
public sealed class SyncTimer(SyncScheduler scheduler)
{
    [Function(nameof(SyncTimer))]
    public Task Run([TimerTrigger("%SyncTimerSchedule%")] TimerInfo timer, CancellationToken ct) => scheduler.TickAsync(ct);
}
