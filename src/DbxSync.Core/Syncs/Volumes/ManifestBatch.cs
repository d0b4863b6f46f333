using DbxSync.Core.Ports;
using DbxSync.Core.State;

namespace DbxSync.Core.Syncs.Volumes;

/// <summary>
/// The manifest entries of files that landed, written in batches (one Table Storage transaction per 100) instead of
/// one request per file: for 2,000 small files that was a third of the run's requests. What a crash can cost is
/// bounded: a batch is written once it holds <see cref="IStateStore.MaxBatch"/> files or <see cref="MaxPendingBytes"/>,
/// so at most that much was sent but not recorded, and the next run sends it again (an overwrite with the same
/// content). A file is recorded only after it landed, never before.
/// </summary>
public sealed class ManifestBatch(SyncStateRepository state, string configId)
{
    /// <summary>Bytes sent but not yet recorded at most (a single larger file is recorded on its own, at once).</summary>
    public const long MaxPendingBytes = 64L * 1024 * 1024;

    private readonly Lock _lock = new();
    private List<ManifestEntry> _pending = [];
    private long _pendingBytes;

    /// <summary>Records a landed file; writes the batch when it is full.</summary>
    public Task AddAsync(ManifestEntry entry, CancellationToken cancellationToken)
    {
        List<ManifestEntry> full;
        lock (_lock)
        {
            _pending.Add(entry);
            _pendingBytes += entry.Size;
            if (_pending.Count < IStateStore.MaxBatch && _pendingBytes < MaxPendingBytes) return Task.CompletedTask;
            full = Take();
        }
        return state.SaveManifestEntriesAsync(configId, full, cancellationToken);
    }

    /// <summary>Writes what is pending (the end of a run, also a failed one: what landed is recorded).</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        List<ManifestEntry> rest;
        lock (_lock) rest = Take();
        return rest.Count == 0 ? Task.CompletedTask : state.SaveManifestEntriesAsync(configId, rest, cancellationToken);
    }

    private List<ManifestEntry> Take()
    {
        var taken = _pending;
        _pending = [];
        _pendingBytes = 0;
        return taken;
    }
}
