namespace DbxSync.Databricks.Tests.Infrastructure;

/// <summary>
/// A clock that moves only when told. Timers due within AutoAdvanceLimit fire at once (moving the clock and
/// recording the wait), so backoff and Retry-After run instantly while longer timers (attempt timeouts) stay pending.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public TimeSpan AutoAdvanceLimit { get; set; } = TimeSpan.FromSeconds(10);
    public List<TimeSpan> Waits { get; } = [];

    public override DateTimeOffset GetUtcNow() { lock (_gate) return _now; }
    public override long GetTimestamp() => GetUtcNow().UtcTicks;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_gate)
        {
            _now += by;
            due = _timers.Where(t => t.DueAt <= _now).ToList();
            foreach (var t in due) _timers.Remove(t);
        }
        foreach (var t in due) t.Fire();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Schedule(ManualTimer timer, TimeSpan dueTime)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan) return;
            if (dueTime <= AutoAdvanceLimit)
            {
                Waits.Add(dueTime);
                _now += dueTime;
                ThreadPool.QueueUserWorkItem(_ => timer.Fire());
                return;
            }
            timer.DueAt = _now + dueTime;
            _timers.Add(timer);
        }
    }

    private void Cancel(ManualTimer timer) { lock (_gate) _timers.Remove(timer); }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private volatile bool _disposed;
        public DateTimeOffset DueAt { get; set; }
        public void Fire() { if (!_disposed) callback(state); }
        public bool Change(TimeSpan dueTime, TimeSpan period) { owner.Schedule(this, dueTime); return true; }
        public void Dispose() { _disposed = true; owner.Cancel(this); }
        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}
