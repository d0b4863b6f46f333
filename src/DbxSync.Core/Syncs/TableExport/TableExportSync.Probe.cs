using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs.TableExport;

/// <summary>
/// The probe before the lease: one DESCRIBE HISTORY LIMIT 1, compared with the checkpoint's version and commit
/// timestamp, and one listing of rows that imports left alone (read at the same time as the statement runs).
/// Anything else (a new version, another timestamp, an unknown timestamp, a changed source, rows waiting) is left
/// to the run under the lease, which asks DESCRIBE DETAIL when it must.
/// </summary>
public sealed partial class TableExportSync : IChangeProbe
{
    public async Task<SyncResult?> ProbeAsync(SyncContext context, ProbeState probe, CancellationToken cancellationToken)
    {
        var checkpoint = probe.Checkpoint;
        if (!probe.SourceUnchanged || checkpoint.Version is null || checkpoint.TableId is null || checkpoint.CommitTimestamp is null) return null;
        var table = TableName.Parse(context.Config.DatabricksPath);
        var waiting = new LeftAloneRows(blobs).AnyAsync(table, cancellationToken);
        var latest = await ReadLatestCommitAsync(context.Workspace, context.WarehouseId, table, cancellationToken);
        if (await waiting || !IsUnchanged(checkpoint, latest)) return null;
        return SyncResult.NoChange($"table is at version {latest.Version}, already exported", latest.Version);
    }
}
