using DbxSync.Core.Syncs;

namespace DbxSync.Core.Runs;

/// <summary>
/// Writes a running sync's progress onto its run record about once per interval, so that GET .../runs/{id} shows
/// phase, counts and bytes while the run goes on. A sync reports as often as it likes (it only replaces the latest
/// value); a loop writes the latest value each interval when it changed, so the last report before a quiet phase (a
/// long statement) still lands within an interval, and the store sees at most one write per interval, never one per
/// row. Writes never overlap, and StopAsync waits for the one in flight so that a late progress write cannot
/// overwrite the finished record.
/// </summary>
internal sealed class RunProgressRecorder : IProgress<SyncProgress>
{
    private readonly SyncRunRepository _runs;
    private readonly SyncRun _run;
    private readonly IProgress<SyncProgress>? _forward;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private SyncProgress? _latest;

    public RunProgressRecorder(SyncRunRepository runs, SyncRun run, IProgress<SyncProgress>? forward, TimeProvider time, TimeSpan interval)
    {
        (_runs, _run, _forward, _time, _interval) = (runs, run, forward, time, interval);
        _loop = WriteLoopAsync();
    }

    public SyncProgress? Latest => Volatile.Read(ref _latest);

    public void Report(SyncProgress value)
    {
        var stamped = value with { At = _time.GetUtcNow() };
        Volatile.Write(ref _latest, stamped);
        _forward?.Report(stamped);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        SyncProgress? written = null;
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(_interval, _time, _stop.Token); }
            catch (OperationCanceledException) { return; }
            var latest = Latest;
            if (latest is null || ReferenceEquals(latest, written)) continue;
            // Not cancelled by StopAsync: it waits for this write instead, so the finished record is written after it.
            try { await _runs.SaveAsync(_run with { Progress = latest }, CancellationToken.None); }
            catch (Exception) { /* progress is best effort; the finished record is what counts */ }
            written = latest;
        }
    }
}
