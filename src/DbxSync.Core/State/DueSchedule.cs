namespace DbxSync.Core.State;

/// <summary>Why a config is due when it is.</summary>
public enum DueReason
{
    /// <summary>Its poll interval: the next probe after a run that went normally.</summary>
    Due,
    /// <summary>
    /// It is in an error episode (a permanent failure, or a transient one that outlasted every delivery of its message):
    /// the next probe waits longer after each failure, up to a cap.
    /// </summary>
    Backoff,
    /// <summary>A run stopped before its work was done (time limit, parts left): due again at once to continue.</summary>
    Continuing,
    /// <summary>Moved by a policy that adapts the interval to how often the source changes.</summary>
    Adaptive,
}

/// <summary>The class of a failed run, and what the runner does about it.</summary>
public enum FailureClass
{
    /// <summary>
    /// Network, 429/503, warehouse starting, lease lost: retried (in the run, then by the queue); when the message's last
    /// delivery fails too, the config enters its error episode as for a permanent failure.
    /// </summary>
    Transient,
    /// <summary>
    /// Table or volume gone, permission denied, warehouse deleted, principal revoked, a configuration the work cannot
    /// be done under: the config enters an error state with backoff and one alert per episode; not retried by the queue.
    /// </summary>
    Permanent,
    /// <summary>The labeled file is wrong: it moves to failed/ with its errors; the config itself is fine.</summary>
    Data,
}

/// <summary>
/// A config's row "schedule" in SyncState: when it is due next and why, and its error episode if it is in one. The
/// single source for the timer, the API and the console, so the schedule survives instance recycling.
/// </summary>
public sealed record DueSchedule
{
    public required string ConfigId { get; init; }
    /// <summary>Null: never scheduled, due now.</summary>
    public DateTimeOffset? NextDueAt { get; init; }
    public DueReason Reason { get; init; } = DueReason.Due;
    /// <summary>The error episode: set by a permanent failure, cleared by the next run that does not fail.</summary>
    public string? Error { get; init; }
    public DateTimeOffset? ErrorSince { get; init; }
    /// <summary>Permanent failures in a row in this episode (the backoff doubles with each).</summary>
    public int ConsecutiveFailures { get; init; }
    /// <summary>When this episode's one alert was sent (null: not yet).</summary>
    public DateTimeOffset? AlertedAt { get; init; }
    /// <summary>
    /// The interval the config is probed at now (null: its poll interval). It doubles with each run that found nothing
    /// changed, up to the config's max_poll_interval_seconds, and a change resets it (<see cref="AdaptiveInterval"/>).
    /// </summary>
    public int? IntervalSeconds { get; init; }
    /// <summary>When a run last checked the source (changed or not), and since when it found nothing changed (null: it changed last time).</summary>
    public DateTimeOffset? LastCheckedAt { get; init; }
    public DateTimeOffset? UnchangedSince { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public string? ETag { get; init; }

    public bool InErrorState => Error is not null;

    public bool IsDue(DateTimeOffset now, TimeSpan slack) => NextDueAt is not { } at || at <= now + slack;

    /// <summary>The next probe after a normal run: the error episode (if any) is over.</summary>
    public DueSchedule Recovered(DateTimeOffset nextDueAt) => this with
    {
        NextDueAt = nextDueAt, Reason = DueReason.Due, Error = null, ErrorSince = null, ConsecutiveFailures = 0, AlertedAt = null,
    };
}
