namespace DbxSync.Core.Syncs;

/// <summary>
/// Counts one phase's rows (or files) and bytes from a hot loop and hands the run's progress a snapshot at most every
/// <see cref="ReportInterval"/>. Between reports a call costs one clock read and two interlocked adds, no allocation,
/// so counting every row does not slow a sync, while the run record (written about once a second by the runner's
/// recorder) always has a value less than a second old. Thread-safe: parallel transfers add to one meter.
/// </summary>
public sealed class ProgressMeter
{
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(200);

    private readonly IProgress<SyncProgress>? _progress;
    private readonly TimeProvider _time;
    private readonly long _intervalTicks;
    private long _done, _bytes, _lastReport;
    private volatile string _stage;

    public ProgressMeter(IProgress<SyncProgress>? progress, string stage, string unit, long? total = null, long? bytesTotal = null, TimeProvider? time = null)
    {
        _progress = progress;
        _stage = stage;
        Unit = unit;
        Total = total;
        BytesTotal = bytesTotal;
        _time = time ?? TimeProvider.System;
        _intervalTicks = (long)(ReportInterval.TotalSeconds * _time.TimestampFrequency);
    }

    public string Stage => _stage;
    public string Unit { get; }
    /// <summary>Rows or files of the phase in all, when known.</summary>
    public long? Total { get; set; }
    public long? BytesTotal { get; set; }
    public long Done => Interlocked.Read(ref _done);
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Counts rows or files done and bytes moved; reports when the last report is older than the interval.</summary>
    public void Add(long items, long bytes)
    {
        if (items != 0) Interlocked.Add(ref _done, items);
        if (bytes != 0) Interlocked.Add(ref _bytes, bytes);
        if (_progress is null) return;
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastReport);
        if (now - last < _intervalTicks || Interlocked.CompareExchange(ref _lastReport, now, last) != last) return;
        _progress.Report(Snapshot());
    }

    /// <summary>Sets the counts to exact values (a finished part's), and reports them now.</summary>
    public void Set(long done, long bytes)
    {
        Interlocked.Exchange(ref _done, done);
        Interlocked.Exchange(ref _bytes, bytes);
        Report();
    }

    /// <summary>Enters another phase of the same counts (waiting for a statement, then reading its rows), reported now.</summary>
    public void Enter(string stage)
    {
        _stage = stage;
        Report();
    }

    /// <summary>Reports now, whatever the interval: a phase's start and end.</summary>
    public void Report()
    {
        Interlocked.Exchange(ref _lastReport, _time.GetTimestamp());
        _progress?.Report(Snapshot());
    }

    public SyncProgress Snapshot() => new(_stage, Done, Total, Unit, Bytes, BytesTotal);

    /// <summary>A read stream whose bytes count towards this meter as they are read (a file streamed to its target).</summary>
    public Stream Track(Stream inner) => new MeteredReadStream(inner, this);
}
