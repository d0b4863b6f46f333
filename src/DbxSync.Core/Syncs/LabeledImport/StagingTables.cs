using System.Globalization;
using System.Text.RegularExpressions;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// Names of the staging tables an import without a staging volume fills, and the sweep of those left behind.
/// Each attempt gets its own table, `_dbxsync_staging_{run id}_{nonce}`, so a table a crash, a failed DROP or a
/// recycled instance left behind can never make a later attempt fail (TABLE_OR_VIEW_ALREADY_EXISTS). The run id
/// starts with its inverted start time, so the sweep tells from the name alone that a table is ours and how old.
/// </summary>
public static partial class StagingTables
{
    public const string Prefix = "_dbxsync_staging_";
    /// <summary>A staging table older than this belongs to an attempt that is surely over.</summary>
    public static readonly TimeSpan SweepAge = TimeSpan.FromDays(1);

    [GeneratedRegex(@"^_dbxsync_staging_(\d{19})_[0-9a-f]{8}(_[0-9a-f]{8})?$")]
    private static partial Regex OursPattern();

    /// <summary>A fresh name for one attempt of <paramref name="runId"/>, in the schema of <paramref name="target"/>.</summary>
    public static TableName ForAttempt(TableName target, string runId)
        => target with { Table = Prefix + runId.Replace('-', '_') + "_" + Guid.NewGuid().ToString("N")[..8] };

    /// <summary>When the run that made a staging table started; null when the name is not one of ours.</summary>
    public static DateTimeOffset? StartedAt(string tableName)
    {
        var match = OursPattern().Match(tableName.ToLowerInvariant());
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var inverted)) return null;
        var ticks = DateTimeOffset.MaxValue.UtcTicks - inverted;
        return ticks is >= 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
    }

    /// <summary>
    /// Drops our staging tables in <paramref name="target"/>'s schema whose run started more than a day ago. Best
    /// effort: a failure is logged and the next import sweeps again.
    /// </summary>
    public static async Task<int> SweepAsync(SyncContext context, TableName target, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var dropped = 0;
        try
        {
            var stale = new List<TableName>();
            await foreach (var t in context.Workspace.ListTablesAsync(target.Catalog, target.Schema, cancellationToken))
                if (StartedAt(t.Name) is { } started && now - started > SweepAge)
                    stale.Add(target with { Table = t.Name });
            foreach (var table in stale)
            {
                await context.Workspace.ExecuteAsync(MergeStatementBuilder.DropTable(table), null,
                    new StatementOptions { WarehouseId = context.WarehouseId, IsWrite = true }, cancellationToken);
                context.Logger.LogInformation("Dropped staging table {Staging} left by an earlier attempt", table);
                dropped++;
            }
        }
        catch (Exception ex) when (ex is WorkspaceException or HttpRequestException or ValidationException && !cancellationToken.IsCancellationRequested)
        {
            context.Logger.LogWarning("Could not sweep old staging tables in {Catalog}.{Schema}: {Error}", target.Catalog, target.Schema, ex.Message);
        }
        return dropped;
    }
}
