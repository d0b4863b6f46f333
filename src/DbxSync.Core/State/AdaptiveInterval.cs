using DbxSync.Core.Configs;

namespace DbxSync.Core.State;

/// <summary>
/// Adaptive polling: each run that found its source unchanged doubles the interval to the next probe, from the config's
/// poll_interval_seconds up to its max_poll_interval_seconds; a run that found a change goes back to the poll interval.
/// A SQL warehouse that is not asked anything for its auto-stop time stops (README "Warehouse cost"), which a fixed
/// 60 s probe never allows. The interval moves the one next_due_at (reason adaptive while above the poll interval).
/// </summary>
public static class AdaptiveInterval
{
    /// <summary>The schedule after a run that checked the source at <paramref name="checkedAt"/>; an error episode, if any, is over.</summary>
    public static DueSchedule After(DueSchedule schedule, SyncConfig config, bool unchanged, DateTimeOffset checkedAt)
    {
        var poll = config.PollIntervalSeconds;
        var interval = unchanged ? Clamp((long)Current(schedule, config) * 2, config) : poll;
        return schedule.Recovered(checkedAt + TimeSpan.FromSeconds(interval)) with
        {
            Reason = interval > poll ? DueReason.Adaptive : DueReason.Due,
            IntervalSeconds = interval,
            LastCheckedAt = checkedAt,
            // The last check that found a change (or the first check): "unchanged since" for the console.
            UnchangedSince = unchanged ? schedule.UnchangedSince ?? checkedAt : checkedAt,
        };
    }

    /// <summary>The interval the config is probed at now, within its current bounds (the config may have changed since).</summary>
    public static int Current(DueSchedule schedule, SyncConfig config) => Clamp(schedule.IntervalSeconds ?? config.PollIntervalSeconds, config);

    /// <summary>The longest interval: max_poll_interval_seconds, or the poll interval when it is not set (fixed polling).</summary>
    public static int Cap(SyncConfig config) => Math.Max(config.PollIntervalSeconds, config.MaxPollIntervalSeconds ?? config.PollIntervalSeconds);

    private static int Clamp(long seconds, SyncConfig config) => (int)Math.Clamp(seconds, config.PollIntervalSeconds, Cap(config));
}
