namespace DbxSync.Cli;

/// <summary>One progress value of a run record: stage, rows or files done (of total), bytes (of total), and when the sync reported it.</summary>
public sealed record ProgressSample(string Stage, string Unit, long Done, long? Total, long Bytes, long? BytesTotal, DateTimeOffset At);

/// <summary>
/// Rate and ETA of a running sync from successive progress values. The rate is an exponential moving average over
/// about <see cref="Smoothing"/> of the server's clock (the values' own times, not when they were polled), so one
/// fast or slow second does not make the ETA jump; a new stage starts over. No ETA while the total is unknown, before
/// two values a second apart, or while nothing moves.
/// </summary>
public sealed class ProgressRate
{
    public static readonly TimeSpan Smoothing = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MinimumSpan = TimeSpan.FromSeconds(1);

    private ProgressSample? _first, _last;
    private double? _itemsPerSecond, _bytesPerSecond;

    public ProgressSample? Last => _last;
    /// <summary>Rows or files per second, smoothed; null until known.</summary>
    public double? ItemsPerSecond => _itemsPerSecond;
    public double? BytesPerSecond => _bytesPerSecond;

    public void Add(ProgressSample sample)
    {
        if (_last is { } last && sample.Stage == last.Stage && sample.Unit == last.Unit)
        {
            var seconds = (sample.At - last.At).TotalSeconds;
            if (seconds <= 0) return;
            // The first rate is the average since the stage began (once a second of data is in), then it is smoothed.
            if (_itemsPerSecond is null)
            {
                var span = sample.At - _first!.At;
                if (span < MinimumSpan) { _last = sample; return; }
                _itemsPerSecond = (sample.Done - _first.Done) / span.TotalSeconds;
                _bytesPerSecond = (sample.Bytes - _first.Bytes) / span.TotalSeconds;
            }
            else
            {
                var weight = 1 - Math.Exp(-seconds / Smoothing.TotalSeconds);
                _itemsPerSecond += weight * ((sample.Done - last.Done) / seconds - _itemsPerSecond);
                _bytesPerSecond += weight * ((sample.Bytes - last.Bytes) / seconds - _bytesPerSecond);
            }
            _last = sample;
            return;
        }
        (_first, _last, _itemsPerSecond, _bytesPerSecond) = (sample, sample, null, null);
    }

    /// <summary>
    /// Bytes measure the work better when their total is known (a few large files, a file being validated); else the
    /// count (an export's rows).
    /// </summary>
    public bool ByBytes => _last is { BytesTotal: not null };

    /// <summary>Share done (0..1) by bytes or by count; null when that total is not known.</summary>
    public double? Fraction => _last switch
    {
        { BytesTotal: > 0 and var bytes } s => Math.Clamp((double)s.Bytes / bytes, 0, 1),
        { BytesTotal: null, Total: > 0 and var total } s => Math.Clamp((double)s.Done / total, 0, 1),
        _ => null,
    };

    /// <summary>Time left at the smoothed rate, counted down from the last value's time to <paramref name="now"/>.</summary>
    public TimeSpan? Remaining(DateTimeOffset now)
    {
        if (_last is not { } s) return null;
        double? seconds = s switch
        {
            { BytesTotal: { } bytes } when _bytesPerSecond is > 0 => Math.Max(0, bytes - s.Bytes) / _bytesPerSecond.Value,
            { BytesTotal: null, Total: { } total } when _itemsPerSecond is > 0 => Math.Max(0, total - s.Done) / _itemsPerSecond.Value,
            _ => null,
        };
        if (seconds is not { } left) return null;
        var remaining = TimeSpan.FromSeconds(left) - (now - s.At);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }
}
