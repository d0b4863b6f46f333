using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.State;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs.TableExport;

/// <summary>
/// table: when the Delta version moved past the checkpoint, exports the unlabeled rows that changed to one CSV
/// (exports/{config}/{table}_v{from}-v{to}.csv + manifest), then advances the checkpoint. A crash before the
/// checkpoint moves makes the next run rewrite the same file name for the same range: no duplicates, no loss.
/// </summary>
public sealed class TableExportSync(IBlobStore blobs, SyncStateRepository state, TimeProvider time) : ISync
{
    public SyncConfigType Type => SyncConfigType.Table;

    public async Task<SyncResult> RunAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var table = TableName.Parse(config.DatabricksPath);
        var log = context.Logger;
        var checkpoint = await state.GetCheckpointAsync(config.Id, cancellationToken);

        var latest = await ReadHistoryAsync(context, ExportQueries.LatestHistory(table), cancellationToken);
        if (latest.Count == 0) throw new WorkspaceException(WorkspaceErrorKind.Other, $"DESCRIBE HISTORY returned no rows for {table}.");
        var current = latest[0].Version;
        if (checkpoint.Version is { } seen && current <= seen)
            return SyncResult.NoChange($"table is at version {current}, already exported", current);

        var pending = await FindPendingExportAsync(config.Id, table, checkpoint.Version, current, cancellationToken);
        var toVersion = pending ?? current;
        if (pending is not null)
            log.LogInformation("Found an export of v{From}-v{To} written before its checkpoint; rewriting the same range", (checkpoint.Version ?? -1) + 1, pending);

        ExportPlan plan;
        if (checkpoint.Version is not { } previous)
            plan = ExportPlan.Snapshot(toVersion, "first run");
        else
        {
            if (pending is null && await OnlyNoDataVersionsAsync(context, table, previous, toVersion, cancellationToken))
            {
                await state.SaveCheckpointAsync(checkpoint with { Version = toVersion }, time.GetUtcNow(), cancellationToken);
                log.LogInformation("Versions {From}-{To} of {Table} change no data; checkpoint advanced", previous + 1, toVersion, table);
                return SyncResult.NoChange($"versions {previous + 1}-{toVersion} change no data", toVersion) with { FromVersion = previous + 1 };
            }
            plan = ExportPlan.Changes(previous, toVersion);
        }

        var fileName = ExportFileName(config.Id, table, plan.FromVersion, plan.ToVersion);
        var (result, used) = await ExportAsync(context, table, plan, fileName, cancellationToken);
        if (result is null)
        {
            await state.SaveCheckpointAsync(checkpoint with { Version = toVersion }, time.GetUtcNow(), cancellationToken);
            return new SyncResult { Outcome = RunOutcome.Succeeded, FromVersion = plan.FromVersion, ToVersion = toVersion, Message = $"no unlabeled rows changed ({used.Describe})" };
        }

        await WriteManifestAsync(config, table, used, fileName, result, cancellationToken);
        await state.SaveCheckpointAsync(checkpoint with { Version = toVersion }, time.GetUtcNow(), cancellationToken);
        log.LogInformation("Exported {Rows} rows ({Bytes} bytes) of {Table} v{From}-v{To} to {Container}/{Blob} ({How})",
            result.Rows, result.Bytes, table, used.FromVersion, used.ToVersion, BlobContainers.Exports, fileName, used.Describe);
        return new SyncResult
        {
            FromVersion = used.FromVersion,
            ToVersion = used.ToVersion,
            Rows = result.Rows,
            Files = 1,
            Bytes = result.Bytes,
            Output = $"{BlobContainers.Exports}/{fileName}",
            Message = used.Describe,
        };
    }

    public static string ExportFileName(string configId, TableName table, long fromVersion, long toVersion)
        => string.Create(CultureInfo.InvariantCulture, $"{configId}/{table.Table}_v{fromVersion}-v{toVersion}.csv");

    /// <summary>
    /// Runs the plan; on a change-feed gap falls back to the version difference, and when history is gone to a
    /// snapshot. Returns null when no row qualified (then no file is written).
    /// </summary>
    private async Task<(CsvBlobResult?, ExportPlan)> ExportAsync(SyncContext context, TableName table, ExportPlan plan, string fileName, CancellationToken cancellationToken)
    {
        var config = context.Config;
        while (true)
        {
            try
            {
                var statement = plan.Kind switch
                {
                    ExportKind.Snapshot => ExportQueries.Snapshot(table, config.PkColumn!, config.LabelColumn!, plan.ToVersion),
                    ExportKind.ChangeFeed => ExportQueries.ChangeFeed(table, config.PkColumn!, plan.FromVersion, plan.ToVersion),
                    _ => ExportQueries.VersionDifference(table, config.LabelColumn!, plan.FromVersion - 1, plan.ToVersion),
                };
                var result = await context.Workspace.ExecuteAsync(statement, null,
                    new StatementOptions { WarehouseId = context.WarehouseId, LargeResult = true }, cancellationToken);
                var output = await WriteCsvAsync(context, result, plan, fileName, cancellationToken);
                return (output, plan);
            }
            catch (WorkspaceException ex) when (plan.Kind == ExportKind.ChangeFeed && ex.ErrorClass is { } c && ExportQueries.ChangeFeedUnavailable.Contains(c))
            {
                context.Logger.LogInformation("Change feed cannot serve v{From}-v{To} of {Table} ({ErrorClass}); comparing versions instead", plan.FromVersion, plan.ToVersion, table, c);
                plan = plan with { Kind = ExportKind.VersionDifference };
            }
            catch (WorkspaceException ex) when (plan.Kind == ExportKind.VersionDifference && ex.ErrorClass is { } c && ExportQueries.HistoryGone.Contains(c))
            {
                context.Logger.LogWarning("Version {Version} of {Table} is no longer retained ({ErrorClass}); falling back to a snapshot of unlabeled rows at v{To}",
                    plan.FromVersion - 1, table, c, plan.ToVersion);
                plan = plan with { Kind = ExportKind.Snapshot, Describe = $"snapshot at v{plan.ToVersion}: checkpoint v{plan.FromVersion - 1} is older than the retained history" };
            }
        }
    }

    private async Task<CsvBlobResult?> WriteCsvAsync(SyncContext context, IStatementResult result, ExportPlan plan, string fileName, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var columns = result.Columns;
        var outputIndexes = columns.Where(c => c.Name is not (ExportQueries.ChangeType or ExportQueries.CommitVersion or ExportQueries.CommitTimestamp))
            .Select(c => c.Position).ToArray();
        var header = outputIndexes.Select(i => columns[i].Name).ToList();
        // The guard never touches the key (or the row marker): the import matches on them byte for byte.
        var guard = config.SpreadsheetSafe
            ? outputIndexes.Select(i => columns[i].TypeName is "STRING" or "CHAR" or "VARCHAR"
                && !string.Equals(columns[i].Name, config.PkColumn, StringComparison.OrdinalIgnoreCase) && columns[i].Name != RowMarker.Column).ToList()
            : null;
        var rows = plan.Kind == ExportKind.ChangeFeed
            ? NewestUnlabeledImages(result.ReadRowsAsync(cancellationToken), columns, config, outputIndexes, cancellationToken)
            : Project(result.ReadRowsAsync(cancellationToken), outputIndexes, cancellationToken);

        // Look at the first row before creating the blob: no file for a range with nothing to export.
        await using var enumerator = rows.GetAsyncEnumerator(cancellationToken);
        if (!await enumerator.MoveNextAsync()) return null;
        var first = enumerator.Current;

        var options = new BlobWriteOptions
        {
            ContentType = "text/csv; charset=utf-8",
            Metadata = new Dictionary<string, string>
            {
                ["dbxsync_config"] = config.Id,
                ["dbxsync_from_version"] = plan.FromVersion.ToString(CultureInfo.InvariantCulture),
                ["dbxsync_to_version"] = plan.ToVersion.ToString(CultureInfo.InvariantCulture),
            },
        };
        return await CsvBlobWriter.WriteAsync(blobs, BlobContainers.Exports, fileName, header, Prepend(first, enumerator), guard, options,
            n => { context.Progress?.Report(new SyncProgress("export", n, result.TotalRowCount, "rows")); if (n % 100_000 == 0) context.Logger.LogInformation("Exported {Rows} rows so far", n); },
            cancellationToken);
    }

    /// <summary>Change rows arrive ordered by key then version: keep each key's last image if it is not a delete and still unlabeled.</summary>
    private static async IAsyncEnumerable<string?[]> NewestUnlabeledImages(IAsyncEnumerable<string?[]> rows, IReadOnlyList<SqlColumn> columns, SyncConfig config, int[] outputIndexes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int pk = IndexOf(columns, config.PkColumn!), label = IndexOf(columns, config.LabelColumn!), change = IndexOf(columns, ExportQueries.ChangeType);
        string?[]? held = null;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            if (held is not null && !string.Equals(held[pk], row[pk], StringComparison.Ordinal))
            {
                if (Qualifies(held)) yield return Pick(held, outputIndexes);
            }
            held = row;
        }
        if (held is not null && Qualifies(held)) yield return Pick(held, outputIndexes);

        bool Qualifies(string?[] r) => r[change] != "delete" && r[label] is null;
    }

    private static async IAsyncEnumerable<string?[]> Project(IAsyncEnumerable<string?[]> rows, int[] outputIndexes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in rows.WithCancellation(cancellationToken))
            yield return outputIndexes.Length == row.Length ? row : Pick(row, outputIndexes);
    }

    private static async IAsyncEnumerable<string?[]> Prepend(string?[] first, IAsyncEnumerator<string?[]> rest)
    {
        yield return first;
        while (await rest.MoveNextAsync()) yield return rest.Current;
    }

    private static string?[] Pick(string?[] row, int[] indexes)
    {
        var picked = new string?[indexes.Length];
        for (int i = 0; i < indexes.Length; i++) picked[i] = row[indexes[i]];
        return picked;
    }

    private static int IndexOf(IReadOnlyList<SqlColumn> columns, string name)
        => columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))?.Position
           ?? throw new ValidationException($"The result has no column '{name}'.", "databricks_path", "column-not-found");

    private sealed record HistoryEntry(long Version, string? Operation);

    private static async Task<List<HistoryEntry>> ReadHistoryAsync(SyncContext context, string statement, CancellationToken cancellationToken)
    {
        var result = await context.Workspace.ExecuteAsync(statement, null, new StatementOptions { WarehouseId = context.WarehouseId }, cancellationToken);
        int version = IndexOf(result.Columns, "version"), operation = IndexOf(result.Columns, "operation");
        var list = new List<HistoryEntry>();
        await foreach (var row in result.ReadRowsAsync(cancellationToken))
            list.Add(new HistoryEntry(long.Parse(row[version]!, CultureInfo.InvariantCulture), row[operation]));
        return list;
    }

    private static async Task<bool> OnlyNoDataVersionsAsync(SyncContext context, TableName table, long previous, long current, CancellationToken cancellationToken)
    {
        const long MaxVersionsToInspect = 1000;
        var span = current - previous;
        if (span > MaxVersionsToInspect) return false;
        var history = await ReadHistoryAsync(context, ExportQueries.History(table, span), cancellationToken);
        var range = history.Where(h => h.Version > previous && h.Version <= current).ToList();
        return range.Count == span && range.All(h => h.Operation is not null && ExportQueries.NoDataOperations.Contains(h.Operation));
    }

    /// <summary>A CSV for (checkpoint, x] that exists although the checkpoint never moved: a crash between the two.</summary>
    private async Task<long?> FindPendingExportAsync(string configId, TableName table, long? checkpoint, long current, CancellationToken cancellationToken)
    {
        var from = (checkpoint ?? -1) + 1;
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{configId}/{table.Table}_v{from}-v");
        long? found = null;
        await foreach (var blob in blobs.ListAsync(BlobContainers.Exports, prefix, cancellationToken))
        {
            var rest = blob.Name[prefix.Length..];
            if (!rest.EndsWith(".csv", StringComparison.Ordinal)) continue;
            if (long.TryParse(rest[..^4], NumberStyles.None, CultureInfo.InvariantCulture, out var to) && to <= current)
                found = found is null ? to : Math.Max(found.Value, to);
        }
        return found;
    }

    private async Task WriteManifestAsync(SyncConfig config, TableName table, ExportPlan plan, string fileName, CsvBlobResult csv, CancellationToken cancellationToken)
    {
        var manifest = new
        {
            config_id = config.Id,
            table = table.FullName,
            from_version = plan.FromVersion,
            to_version = plan.ToVersion,
            method = plan.Kind switch { ExportKind.Snapshot => "snapshot", ExportKind.ChangeFeed => "change_data_feed", _ => "version_difference" },
            row_count = csv.Rows,
            bytes = csv.Bytes,
            sha256 = csv.Sha256,
            columns = csv.Header,
            pk_column = config.PkColumn,
            label_column = config.LabelColumn,
            blob = $"{BlobContainers.Exports}/{fileName}",
            created_at = time.GetUtcNow(),
        };
        using var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(manifest, new JsonSerializerOptions { WriteIndented = true }));
        await blobs.UploadAsync(BlobContainers.Exports, fileName[..^4] + ".manifest.json", body,
            new BlobWriteOptions { ContentType = "application/json" }, cancellationToken);
    }

    private enum ExportKind { Snapshot, ChangeFeed, VersionDifference }

    /// <summary>FromVersion..ToVersion inclusive; a snapshot covers 0..ToVersion.</summary>
    private sealed record ExportPlan(ExportKind Kind, long FromVersion, long ToVersion, string Describe)
    {
        public static ExportPlan Snapshot(long version, string why) => new(ExportKind.Snapshot, 0, version, $"snapshot at v{version} ({why})");
        public static ExportPlan Changes(long checkpoint, long to) => new(ExportKind.ChangeFeed, checkpoint + 1, to, $"changes v{checkpoint + 1}-v{to}");
    }
}
