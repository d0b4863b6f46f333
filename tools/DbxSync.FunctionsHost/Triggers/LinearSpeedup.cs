namespace DbxSync.FunctionsHost.Triggers;

/// <summary>
/// The renewal pacing of WebJobs' LinearSpeedupStrategy (Microsoft.Azure.WebJobs.Host/Timers/LinearSpeedupStrategy.cs),
/// used there for lease renewal (SingletonManager) and queue visibility renewal (QueueListener): the normal interval
/// after a success; after a failure the current interval halved, but never below the minimum, so the next try
/// still comes before the lease or invisibility runs out.
/// </summary>
public sealed class LinearSpeedup(TimeSpan normal, TimeSpan minimum)
{
    private readonly TimeSpan _minimum = minimum < normal ? minimum : normal;
    private TimeSpan _current = normal;

    public TimeSpan Next(bool succeeded)
    {
        _current = succeeded ? normal : TimeSpan.FromTicks(Math.Max(_current.Ticks / 2, _minimum.Ticks));
        return _current;
    }
}
