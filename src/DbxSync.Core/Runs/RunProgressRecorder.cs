using DbxSync.Core.Syncs;

namespace DbxSync.Core.Runs;

/// <summary>
/// Writes a running sync's progress onto its run record, at most once per interval, so that GET .../runs/{id}
/// shows phase and counts while the run goes on. Saves never overlap, and StopAsync waits for the one in flight
/// so that a late progress write cannot overwrite the finished record.
/// </summary>
internal sealed class RunProgressRecorder(SyncRunRepository runs, SyncRun run, IProgress<SyncProgress>? forward, TimeProvider time, TimeSpan interval)
    : IProgress<SyncProgress>
{
    private readonly object _gate = new();
    private SyncProgress? _latest;
    private long _lastSaved;
    private Task _saving = Task.CompletedTask;
    private bool _stopped;

    public SyncProgress? Latest { get { lock (_gate) return _latest; } }

    public void Report(SyncProgress value)
    {
        forward?.Report(value);
        lock (_gate)
        {
            _latest = value;
            if (_stopped || !_saving.IsCompleted || (_lastSaved != 0 && time.GetElapsedTime(_lastSaved) < interval)) return;
            _lastSaved = time.GetTimestamp();
            _saving = SaveAsync(value);
        }
    }

    public async Task StopAsync()
    {
        Task pending;
        lock (_gate)
        {
            _stopped = true;
            pending = _saving;
        }
        await pending;
    }

    private async Task SaveAsync(SyncProgress progress)
    {
        await Task.Yield();
        try { await runs.SaveAsync(run with { Progress = progress }, CancellationToken.None); }
        catch (Exception) { /* progress is best effort; the finished record is what counts */ }
    }
}
