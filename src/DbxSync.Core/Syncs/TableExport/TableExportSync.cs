using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.State;
using DbxSync.Core.Syncs.Datasets;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs.TableExport;

/// <summary>
/// table: when the Delta version moved past the checkpoint, exports the unlabeled rows that changed to one CSV
/// (exports/{config}/{table}_v{from}-v{to}.csv + manifest), then advances the checkpoint. A crash before the
/// checkpoint moves makes the next run rewrite the same file name for the same range: no duplicates, no loss.
/// </summary>
public sealed partial class TableExportSync(IBlobStore blobs, SyncStateRepository state, TimeProvider time) : ISync
{
    public SyncConfigType Type => SyncConfigType.Table;

    /// <summary>The changes since the checkpoint, then the rows imports left alone that wait to go out again.</summary>
    public async Task<SyncResult> RunAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var changes = await ExportChangesAsync(context, cancellationToken);
        if (changes.Error is not null || changes.Outcome == RunOutcome.Failed) return changes;
        return await ExportLeftAloneAsync(context, changes, cancellationToken);
    }

    private async Task<SyncResult> ExportChangesAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var table = TableName.Parse(config.DatabricksPath);
        var log = context.Logger;
        var checkpoint = await state.GetCheckpointAsync(config.Id, cancellationToken);

        var current = await ReadLatestVersionAsync(context.Workspace, context.WarehouseId, table, cancellationToken);
        var tableId = await ReadTableIdAsync(context, table, cancellationToken);
        if (checkpoint.Version is not null && checkpoint.TableId is not null && checkpoint.TableId != tableId)
        {
            // A new generation first, then a checkpoint without a version: a crash in between only starts one more
            // generation before any file of it exists; after it, the next run is a plain first run of the new table.
            var next = await state.NextGenerationAsync(config, time.GetUtcNow(), cancellationToken);
            log.LogWarning("{Table} was dropped and recreated (table id {OldId} is now {NewId}); its versions restarted, so this run exports a fresh snapshot (export generation {Generation})",
                table, checkpoint.TableId, tableId, next);
            checkpoint = await state.SaveCheckpointAsync(checkpoint with { Version = null, TableId = tableId }, time.GetUtcNow(), cancellationToken);
        }
        checkpoint = checkpoint with { TableId = tableId };
        if (checkpoint.Version is { } seen && current <= seen)
            return SyncResult.NoChange($"table is at version {current}, already exported", current);

        var generation = await state.GetGenerationAsync(config.Id, cancellationToken);
        var pending = await FindPendingExportAsync(config.Id, table, generation, checkpoint.Version, current, cancellationToken);
        var toVersion = pending ?? current;
        if (pending is not null)
            log.LogInformation("Found an export of v{From}-v{To} written before its checkpoint; rewriting the same range", (checkpoint.Version ?? -1) + 1, pending);

        if (checkpoint.Version is { } last && pending is null && await OnlyNoDataVersionsAsync(context, table, last, toVersion, cancellationToken))
        {
            await state.SaveCheckpointAsync(checkpoint with { Version = toVersion }, time.GetUtcNow(), cancellationToken);
            log.LogInformation("Versions {From}-{To} of {Table} change no data; checkpoint advanced", last + 1, toVersion, table);
            return SyncResult.NoChange($"versions {last + 1}-{toVersion} change no data", toVersion) with { FromVersion = last + 1 };
        }

        var schema = await ReadColumnsAsync(context, table, toVersion, cancellationToken)
            ?? throw new WorkspaceException(WorkspaceErrorKind.Other, $"Version {toVersion} of {table} cannot be read.");
        var columns = ExportColumns.For(schema, config.PkColumn!, config.LabelColumn!);
        var plan = checkpoint.Version is not { } previous
            ? ExportPlan.Snapshot(toVersion, generation == 0 ? "first run" : $"first run of export generation {generation}")
            : await PlanChangesAsync(context, table, schema, previous, toVersion, cancellationToken);

        var fileName = ExportFileName(config.Id, table, generation, plan.FromVersion, plan.ToVersion);
        var (result, used) = await ExportAsync(context, table, columns, plan, fileName, cancellationToken);
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

    /// <summary>
    /// Changes since the checkpoint, unless the schema differs between the two versions (ADD/DROP/RENAME COLUMN,
    /// type changes): then rows cannot be compared and every marker changed, so all unlabeled rows go out again.
    /// </summary>
    private static async Task<ExportPlan> PlanChangesAsync(SyncContext context, TableName table, IReadOnlyList<SqlColumn> schema, long previous, long toVersion, CancellationToken cancellationToken)
    {
        var before = await ReadColumnsAsync(context, table, previous, cancellationToken);
        if (before is null)
        {
            context.Logger.LogWarning("Version {Version} of {Table} is no longer retained; falling back to a snapshot of unlabeled rows at v{To}", previous, table, toVersion);
            return ExportPlan.Snapshot(toVersion, $"checkpoint v{previous} is older than the retained history") with { FromVersion = previous + 1 };
        }
        if (!ExportColumns.SameSchema(before, schema))
        {
            context.Logger.LogWarning("The schema of {Table} changed between v{From} and v{To} ({Before} -> {After}); exporting a snapshot of unlabeled rows at v{To}",
                table, previous, toVersion, string.Join(", ", before.Select(c => c.Name)), string.Join(", ", schema.Select(c => c.Name)), toVersion);
            return ExportPlan.Snapshot(toVersion, $"schema changed after v{previous}") with { FromVersion = previous + 1 };
        }
        return ExportPlan.Changes(previous, toVersion);
    }

    /// <summary>
    /// exports/{config}/{table}_v{from}-v{to}.csv; after the config's source changed or its table was recreated
    /// (generation n &gt; 0) {table}_g{n}_v{from}-v{to}.csv, so the new source's versions never overwrite old files.
    /// </summary>
    public static string ExportFileName(string configId, TableName table, long generation, long fromVersion, long toVersion)
        => ExportFilePrefix(configId, table, generation) + string.Create(CultureInfo.InvariantCulture, $"{fromVersion}-v{toVersion}.csv");

    private static string ExportFilePrefix(string configId, TableName table, long generation)
        => string.Create(CultureInfo.InvariantCulture, $"{configId}/{table.Table}_{(generation == 0 ? "" : $"g{generation}_")}v");

    /// <summary>
    /// Runs the plan; on a change-feed gap falls back to the version difference, and when history is gone to a
    /// snapshot. Returns null when no row qualified (then no file is written).
    /// </summary>
    private async Task<(CsvBlobResult?, ExportPlan)> ExportAsync(SyncContext context, TableName table, ExportColumns columns, ExportPlan plan, string fileName, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var statement = plan.Kind switch
                {
                    ExportKind.Snapshot => ExportQueries.Snapshot(table, columns, plan.ToVersion),
                    ExportKind.ChangeFeed => ExportQueries.ChangeFeed(table, columns, plan.FromVersion, plan.ToVersion),
                    _ => ExportQueries.VersionDifference(table, columns, plan.FromVersion - 1, plan.ToVersion),
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
        var header = result.Columns.Select(c => c.Name).ToList();
        // The guard never touches the key or the marker: the import matches rows by them.
        var guard = config.SpreadsheetSafe
            ? result.Columns.Select(c => c.TypeName is "STRING" or "CHAR" or "VARCHAR"
                && !string.Equals(c.Name, config.PkColumn, StringComparison.OrdinalIgnoreCase)
                && c.Name != RowMarker.Column).ToList()
            : null;
        var rows = result.ReadRowsAsync(cancellationToken);
        if (ClarifaiInputsFormat.For(config, blobs, context.Workspace, result.Columns) is { } format)
            (header, rows, guard) = (format.Header.ToList(), format.FormatAsync(rows, cancellationToken), null);

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

    private static async IAsyncEnumerable<string?[]> Prepend(string?[] first, IAsyncEnumerator<string?[]> rest)
    {
        yield return first;
        while (await rest.MoveNextAsync()) yield return rest.Current;
    }

    private static int IndexOf(IReadOnlyList<SqlColumn> columns, string name)
        => columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))?.Position
           ?? throw new ValidationException($"The result has no column '{name}'.", "databricks_path", "column-not-found");

    private sealed record HistoryEntry(long Version, string? Operation);

    private static async Task<string> ReadTableIdAsync(SyncContext context, TableName table, CancellationToken cancellationToken)
    {
        var result = await context.Workspace.ExecuteAsync(ExportQueries.Detail(table), null, new StatementOptions { WarehouseId = context.WarehouseId }, cancellationToken);
        var id = IndexOf(result.Columns, "id");
        await foreach (var row in result.ReadRowsAsync(cancellationToken))
            if (row[id] is { Length: > 0 } value) return value;
        throw new WorkspaceException(WorkspaceErrorKind.Other, $"DESCRIBE DETAIL returned no table id for {table}.");
    }

    /// <summary>The table's columns as of a version; null when that version is no longer retained.</summary>
    private static async Task<IReadOnlyList<SqlColumn>?> ReadColumnsAsync(SyncContext context, TableName table, long version, CancellationToken cancellationToken)
    {
        try
        {
            var result = await context.Workspace.ExecuteAsync(ExportQueries.Columns(table, version), null, new StatementOptions { WarehouseId = context.WarehouseId }, cancellationToken);
            await foreach (var _ in result.ReadRowsAsync(cancellationToken)) { }
            return result.Columns;
        }
        catch (WorkspaceException ex) when (ex.ErrorClass is { } c && ExportQueries.HistoryGone.Contains(c))
        {
            return null;
        }
    }

    /// <summary>The table's current Delta version: the same cheap probe (DESCRIBE HISTORY LIMIT 1) a run starts with.</summary>
    public static async Task<long> ReadLatestVersionAsync(IDatabricksWorkspace workspace, string? warehouseId, TableName table, CancellationToken cancellationToken)
    {
        var latest = await ReadHistoryAsync(workspace, warehouseId, ExportQueries.LatestHistory(table), cancellationToken);
        return latest.Count > 0 ? latest[0].Version : throw new WorkspaceException(WorkspaceErrorKind.Other, $"DESCRIBE HISTORY returned no rows for {table}.");
    }

    private static Task<List<HistoryEntry>> ReadHistoryAsync(SyncContext context, string statement, CancellationToken cancellationToken)
        => ReadHistoryAsync(context.Workspace, context.WarehouseId, statement, cancellationToken);

    private static async Task<List<HistoryEntry>> ReadHistoryAsync(IDatabricksWorkspace workspace, string? warehouseId, string statement, CancellationToken cancellationToken)
    {
        var result = await workspace.ExecuteAsync(statement, null, new StatementOptions { WarehouseId = warehouseId }, cancellationToken);
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
        if (range.Count != span || !range.All(h => h.Operation is not null && ExportQueries.NoDataOperations.Contains(h.Operation))) return false;
        // CHANGE COLUMN covers a comment, a move (FIRST/AFTER) and a type change: only the schema comparison tells
        // whether the values' text (and so the row markers) stayed the same.
        if (!range.Any(h => string.Equals(h.Operation, ExportQueries.ChangeColumn, StringComparison.OrdinalIgnoreCase))) return true;
        var before = await ReadColumnsAsync(context, table, previous, cancellationToken);
        var after = await ReadColumnsAsync(context, table, current, cancellationToken);
        return before is not null && after is not null && ExportColumns.SameSchema(before, after);
    }

    /// <summary>A CSV for (checkpoint, x] that exists although the checkpoint never moved: a crash between the two.</summary>
    private async Task<long?> FindPendingExportAsync(string configId, TableName table, long generation, long? checkpoint, long current, CancellationToken cancellationToken)
    {
        var from = (checkpoint ?? -1) + 1;
        var prefix = ExportFilePrefix(configId, table, generation) + string.Create(CultureInfo.InvariantCulture, $"{from}-v");
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
            method = plan.Kind switch { ExportKind.Snapshot => "snapshot", ExportKind.ChangeFeed => "change_data_feed", ExportKind.LeftAlone => "left_alone", _ => "version_difference" },
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

    private enum ExportKind { Snapshot, ChangeFeed, VersionDifference, LeftAlone }

    /// <summary>FromVersion..ToVersion inclusive; a snapshot covers 0..ToVersion.</summary>
    private sealed record ExportPlan(ExportKind Kind, long FromVersion, long ToVersion, string Describe)
    {
        public static ExportPlan Snapshot(long version, string why) => new(ExportKind.Snapshot, 0, version, $"snapshot at v{version} ({why})");
        public static ExportPlan Changes(long checkpoint, long to) => new(ExportKind.ChangeFeed, checkpoint + 1, to, $"changes v{checkpoint + 1}-v{to}");
    }
}
