using DbxSync.Core.Runs;
using DbxSync.Core.State;

namespace DbxSync.Core.Syncs;

/// <summary>
/// A sync that can tell before its lease, reading only, that a scheduled run would find nothing to do: then the run
/// takes no lease, writes nothing to the source or to blobs, and records no run row (<see cref="Runs.UnchangedProbe"/>).
/// </summary>
public interface IChangeProbe
{
    /// <summary>
    /// The no-change result when the source certainly did not change since <paramref name="state"/>'s checkpoint;
    /// null when a run is needed or the probe cannot tell (the run under the lease then decides, as always).
    /// </summary>
    Task<SyncResult?> ProbeAsync(SyncContext context, ProbeState state, CancellationToken cancellationToken);
}
