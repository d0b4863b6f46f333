using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs;

/// <summary>
/// Progress of a running sync, for the run record, the CLI's progress bar and the console: the phase (stage), how many
/// rows or files (unit) of how many when known, and the bytes so far of how many when known. A client computes rate
/// and ETA from two of these and their <see cref="At"/>.
/// </summary>
public sealed record SyncProgress(string Stage, long Done, long? Total, string Unit, long Bytes = 0, long? BytesTotal = null)
{
    /// <summary>When the sync reported it (stamped by the run's recorder): a rate needs the server's clock, not poll times.</summary>
    public DateTimeOffset? At { get; init; }
}

/// <summary>Everything one run of one config needs.</summary>
public sealed record SyncContext(
    SyncConfig Config,
    IDatabricksWorkspace Workspace,
    string? WarehouseId,
    RunTrigger Trigger,
    string RunId,
    /// <summary>The blob a blob-drop trigger is about (name within its container), null for scans and timers.</summary>
    string? SubjectBlob,
    IProgress<SyncProgress>? Progress,
    ILogger Logger,
    /// <summary>
    /// When the run's time limit ends it. A sync that works in parts starts no part it cannot expect to finish by then
    /// and returns <see cref="RunOutcome.Partial"/>; null means no limit.
    /// </summary>
    DateTimeOffset? Deadline = null);

/// <summary>One sync type. Every step is idempotent: a retried or duplicated trigger never duplicates or loses data.</summary>
public interface ISync
{
    SyncConfigType Type { get; }
    Task<SyncResult> RunAsync(SyncContext context, CancellationToken cancellationToken);
}
