using DbxSync.Core.Configs;
using DbxSync.Core.State;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Runs;

/// <summary>
/// What follows a finished run: the config's next due time and its reason in SyncState (<see cref="DueSchedule"/>),
/// which the timer reads, so the schedule survives instance recycling.
/// </summary>
public sealed class RunAftermath(DueScheduleRepository schedules, ILogger<RunAftermath> logger)
{
    /// <summary>Writes the config's next due time after <paramref name="run"/>; returns the run as it is to be recorded.</summary>
    public async Task<SyncRun> ScheduleNextAsync(SyncConfig config, SyncRun run, CancellationToken cancellationToken)
    {
        if (run.Outcome == RunOutcome.Skipped) return run;
        var next = run.StartedAt + TimeSpan.FromSeconds(config.PollIntervalSeconds);
        var schedule = await schedules.UpdateAsync(config.Id, s => s.Recovered(next), cancellationToken);
        logger.LogDebug("Config {ConfigId} is due next at {NextDueAt} ({Reason})", config.Id, schedule.NextDueAt, schedule.Reason);
        return run;
    }
}
