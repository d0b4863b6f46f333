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
/// table: when the Delta version moved past the checkpoint, exports the unlabeled rows that changed, then advances the
/// checkpoint. The range is pinned at its last version and written in bounded parts by <see cref="ExportPartWriter"/>
/// (exports/{config}/{table}_g{n}_v{from}-v{to}_part{000001}.csv, each with a manifest, and a final
/// {table}_g{n}_v{from}-v{to}.manifest.json once all are written). The progress row records the last finished part,
/// so a run stopped by its limit, a lost lease or a crash is continued by the next run with the next part; a rewritten
/// part has the same name and the same rows, so nothing is duplicated or lost.
/// </summary>
public sealed partial class TableExportSync(IBlobStore blobs, SyncStateRepository state, ExportProgressRepository exports, ExportPartWriter parts, TimeProvider time) : ISync
{
    public SyncConfigType Type => SyncConfigType.Table;

    /// <summary>The changes since the checkpoint, then the rows imports left alone that wait to go out again.</summary>
    public async Task<SyncResult> RunAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var changes = await ExportChangesAsync(context, cancellationToken);
        // A run stopped at its time limit leaves the left-alone rows to the run that finishes the export.
        if (changes.Error is not null || changes.Outcome is RunOutcome.Failed or RunOutcome.Partial) return changes;
        return await ExportLeftAloneAsync(context, changes, cancellationToken);
    }

    private async Task<SyncResult> ExportChangesAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var table = TableName.Parse(config.DatabricksPath);
        var log = context.Logger;
        var checkpoint = await state.GetCheckpointAsync(config.Id, cancellationToken);

        // The recent history in one statement: the latest version, and for a small change the versions since the
        // checkpoint, which answer both "same table?" and "only no-data versions?" without more statements.
        var recent = await ReadHistoryAsync(context, ExportQueries.History(table, RecentHistory), cancellationToken);
        var latest = LatestOf(recent, table);
        var current = latest.Version;
        // The checkpoint's version with the same commit timestamp: the same table, unchanged (one statement).
        if (IsUnchanged(checkpoint, latest))
            return SyncResult.NoChange($"table is at version {current}, already exported", current);
        var tableId = SameTableAsCheckpoint(checkpoint, recent) ? checkpoint.TableId! : await ReadTableIdAsync(context, table, cancellationToken);
        if (checkpoint.Version is not null && checkpoint.TableId is not null && checkpoint.TableId != tableId)
        {
            // A new generation first, then a checkpoint without a version: a crash in between only starts one more
            // generation before any file of it exists; after it, the next run is a plain first run of the new table.
            var next = await state.NextGenerationAsync(config, time.GetUtcNow(), cancellationToken);
            log.LogWarning("{Table} was dropped and recreated (table id {OldId} is now {NewId}); its versions restarted, so this run exports a fresh snapshot (export generation {Generation})",
                table, checkpoint.TableId, tableId, next);
            checkpoint = await state.SaveCheckpointAsync(checkpoint with { Version = null, TableId = tableId, CommitTimestamp = null }, time.GetUtcNow(), cancellationToken);
        }
        checkpoint = checkpoint with { TableId = tableId };
        if (checkpoint.Version is { } seen && current <= seen)
        {
            // Same table id: its commit timestamp was not known yet (or reads differently), so keep it for the next
            // probe. Conditional on the row read: a run that moved the checkpoint meanwhile wins.
            if (current == seen && !SameInstant(checkpoint.CommitTimestamp, latest.Timestamp))
                await SaveCommitTimestampAsync(checkpoint with { CommitTimestamp = latest.Timestamp }, cancellationToken);
            return SyncResult.NoChange($"table is at version {current}, already exported", current);
        }

        var generation = await state.GetGenerationAsync(config.Id, cancellationToken);
        var progress = await exports.GetAsync(config.Id, cancellationToken);
        if (progress is not null && (progress.Generation != generation || progress.AfterCheckpoint != checkpoint.Version))
        {
            // Left by an export of another generation or checkpoint: a complete one only lost its cleanup; the parts of
            // an unfinished one are deleted, so they are never mixed with the export that replaces it.
            if (!progress.Complete)
                log.LogWarning("Abandoned an unfinished export of v{From}-v{To} (generation {Generation}); deleted its {Parts} parts",
                    progress.FromVersion, progress.ToVersion, progress.Generation, await parts.DeletePartsAsync(progress, table, cancellationToken));
            await exports.DeleteAsync(config.Id, cancellationToken);
            progress = null;
        }

        var toVersion = progress?.ToVersion ?? current;
        if (progress is null && checkpoint.Version is { } last && await OnlyNoDataVersionsAsync(context, table, recent, last, toVersion, cancellationToken))
        {
            await state.SaveCheckpointAsync(At(checkpoint, toVersion, latest), time.GetUtcNow(), cancellationToken);
            log.LogInformation("Versions {From}-{To} of {Table} change no data; checkpoint advanced", last + 1, toVersion, table);
            return SyncResult.NoChange($"versions {last + 1}-{toVersion} change no data", toVersion) with { FromVersion = last + 1 };
        }

        // The checkpoint's schema is read beside the current one: a change plan compares the two (and one statement's
        // round trip is most of a small export's fixed cost).
        var schemaNow = ReadColumnsAsync(context, table, toVersion, cancellationToken);
        var schemaBefore = progress is null && checkpoint.Version is { } since ? ReadColumnsAsync(context, table, since, cancellationToken) : Task.FromResult<IReadOnlyList<SqlColumn>?>(null);
        await Task.WhenAll(schemaNow, schemaBefore);
        var schema = await schemaNow;
        ExportPlan? plan = null;
        if (progress is not null && schema is null)
        {
            // The pinned version was vacuumed between two runs of this export: start it again at the current version.
            (progress, generation, plan) = await RestartVacuumedAsync(context, table, ExportPlan.Of(progress), progress, current, cancellationToken);
            schema = await ReadColumnsAsync(context, table, plan.ToVersion, cancellationToken);
        }
        if (schema is null)
            throw new WorkspaceException(WorkspaceErrorKind.Other, $"Version {toVersion} of {table} cannot be read.");
        var columns = ExportColumns.For(schema, config.PkColumn!, config.LabelColumn!);
        if (progress is not null)
        {
            plan = ExportPlan.Of(progress);
            log.LogInformation("Continuing the {Method} export of {Table} v{From}-v{To} after part {Part} ({Rows} rows so far)",
                plan.Method, table, plan.FromVersion, plan.ToVersion, progress.PartsDone, progress.Rows);
        }
        else
        {
            plan ??= checkpoint.Version is not { } previous
                ? ExportPlan.Snapshot(toVersion, generation == 0 ? "first run" : $"first run of export generation {generation}")
                : PlanChanges(context, table, await schemaBefore, schema, previous, toVersion);
        }

        ExportPartsWritten written;
        while (true)
        {
            progress ??= await exports.SaveAsync(new ExportProgress
            {
                ConfigId = config.Id, Generation = generation, Method = plan.Method, FromVersion = plan.FromVersion, ToVersion = plan.ToVersion,
                AfterCheckpoint = checkpoint.Version, Describe = plan.Describe, StartedAt = time.GetUtcNow(),
            }, cancellationToken);
            try
            {
                written = await parts.WriteAsync(context, table, columns, plan, progress, cancellationToken);
                break;
            }
            catch (WorkspaceException ex) when (plan.Kind == ExportKind.ChangeFeed && ex.ErrorClass is { } c && ExportQueries.ChangeFeedUnavailable.Contains(c))
            {
                log.LogInformation("Change feed cannot serve v{From}-v{To} of {Table} ({ErrorClass}); comparing versions instead", plan.FromVersion, plan.ToVersion, table, c);
                (progress, generation) = await ReplanAsync(context, table, progress, cancellationToken);
                plan = plan with { Kind = ExportKind.VersionDifference };
            }
            catch (WorkspaceException ex) when (plan.Kind == ExportKind.VersionDifference && ex.ErrorClass is { } c && ExportQueries.HistoryGone.Contains(c))
            {
                log.LogWarning("Version {Version} of {Table} is no longer retained ({ErrorClass}); falling back to a snapshot of unlabeled rows at v{To}",
                    plan.FromVersion - 1, table, c, plan.ToVersion);
                (progress, generation) = await ReplanAsync(context, table, progress, cancellationToken);
                plan = plan with { Kind = ExportKind.Snapshot, Describe = $"snapshot at v{plan.ToVersion}: checkpoint v{plan.FromVersion - 1} is older than the retained history" };
            }
            catch (WorkspaceException ex) when (plan.Kind == ExportKind.Snapshot && ex.ErrorClass is { } c && ExportQueries.HistoryGone.Contains(c))
            {
                log.LogWarning("The pinned version v{Version} of {Table} is no longer retained ({ErrorClass})", plan.ToVersion, table, c);
                latest = await ReadLatestCommitAsync(context.Workspace, context.WarehouseId, table, cancellationToken);
                current = latest.Version;
                (progress, generation, plan) = await RestartVacuumedAsync(context, table, plan, progress, current, cancellationToken);
                columns = ExportColumns.For(await ReadColumnsAsync(context, table, plan.ToVersion, cancellationToken)
                    ?? throw new WorkspaceException(WorkspaceErrorKind.Other, $"Version {plan.ToVersion} of {table} cannot be read."), config.PkColumn!, config.LabelColumn!);
            }
        }

        progress = written.Progress;
        if (written.StoppedForLimit)
        {
            log.LogInformation("Stopped the export of {Table} v{From}-v{To} at the run's time limit after part {Part} ({Rows} rows so far); the next run continues",
                table, plan.FromVersion, plan.ToVersion, progress.PartsDone, progress.Rows);
            return new SyncResult
            {
                Outcome = RunOutcome.Partial, FromVersion = plan.FromVersion, ToVersion = plan.ToVersion,
                Rows = written.Rows, Files = written.Parts, Bytes = written.Bytes,
                Output = $"{BlobContainers.Exports}/{ExportPartWriter.PartName(ExportPartWriter.BaseName(progress, table), progress.PartsDone)}",
                Message = $"{plan.Describe}: {progress.PartsDone} parts ({progress.Rows} rows) written so far; stopped at the run's time limit, the next run continues with part {progress.PartsDone + 1}",
            };
        }

        if (progress.Rows > 0)
            await parts.WriteFinalManifestAsync(config, table, plan, progress, cancellationToken);
        await state.SaveCheckpointAsync(At(checkpoint, plan.ToVersion, latest), time.GetUtcNow(), cancellationToken);
        await exports.DeleteAsync(config.Id, cancellationToken);
        if (progress.Rows == 0)
            return new SyncResult { Outcome = RunOutcome.Succeeded, FromVersion = plan.FromVersion, ToVersion = plan.ToVersion, Message = $"no unlabeled rows changed ({plan.Describe})" };

        var final = ExportPartWriter.FinalManifestName(ExportPartWriter.BaseName(progress, table));
        log.LogInformation("Exported {Rows} rows ({Bytes} bytes) of {Table} v{From}-v{To} in {Parts} parts to {Container}/{Blob} ({How})",
            progress.Rows, progress.Bytes, table, plan.FromVersion, plan.ToVersion, progress.PartsDone, BlobContainers.Exports, final, plan.Describe);
        return new SyncResult
        {
            FromVersion = plan.FromVersion,
            ToVersion = plan.ToVersion,
            Rows = written.Rows,
            Files = written.Parts,
            Bytes = written.Bytes,
            // The last part this run wrote (what to read first); the final manifest when it only finished the export.
            Output = written.Parts > 0
                ? $"{BlobContainers.Exports}/{ExportPartWriter.PartName(ExportPartWriter.BaseName(progress, table), progress.PartsDone)}"
                : $"{BlobContainers.Exports}/{final}",
            Message = progress.PartsDone == 1 ? plan.Describe : $"{plan.Describe}, complete in {progress.PartsDone} parts, {progress.Rows} rows ({BlobContainers.Exports}/{final})",
        };
    }

    /// <summary>
    /// The plan changes method for the same range: parts already written were cut by the old method, so they are deleted and the
    /// range starts again in a new generation (names never mix the two); without parts, only the progress row goes.
    /// </summary>
    private async Task<(ExportProgress?, long)> ReplanAsync(SyncContext context, TableName table, ExportProgress progress, CancellationToken cancellationToken)
    {
        var generation = progress.Generation;
        if (progress.PartsDone > 0)
        {
            await parts.DeletePartsAsync(progress, table, cancellationToken);
            generation = await state.NextGenerationAsync(context.Config, time.GetUtcNow(), cancellationToken);
        }
        await exports.DeleteAsync(context.Config.Id, cancellationToken);
        return (null, generation);
    }

    /// <summary>
    /// The pinned version of an export in parts was vacuumed: its parts are deleted and the export starts again at
    /// <paramref name="current"/> in a new generation, logged.
    /// </summary>
    private async Task<(ExportProgress?, long, ExportPlan)> RestartVacuumedAsync(SyncContext context, TableName table, ExportPlan plan, ExportProgress progress, long current, CancellationToken cancellationToken)
    {
        var deleted = await parts.DeletePartsAsync(progress, table, cancellationToken);
        await exports.DeleteAsync(context.Config.Id, cancellationToken);
        var generation = await state.NextGenerationAsync(context.Config, time.GetUtcNow(), cancellationToken);
        context.Logger.LogWarning("The export of {Table} pinned at v{Pinned} cannot continue: that version was vacuumed after {Parts} parts. Deleted {Deleted} part files; exporting again at v{Current} in generation {Generation}",
            table, plan.ToVersion, progress.PartsDone, deleted, current, generation);
        return (null, generation, ExportPlan.Snapshot(current, $"v{plan.ToVersion} was vacuumed during the export") with { FromVersion = plan.FromVersion });
    }

    /// <summary>
    /// Changes since the checkpoint, unless the schema differs between the two versions (ADD/DROP/RENAME COLUMN,
    /// type changes): then rows cannot be compared and every marker changed, so all unlabeled rows go out again.
    /// </summary>
    private static ExportPlan PlanChanges(SyncContext context, TableName table, IReadOnlyList<SqlColumn>? before, IReadOnlyList<SqlColumn> schema, long previous, long toVersion)
    {
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

    private static int IndexOf(IReadOnlyList<SqlColumn> columns, string name)
        => columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))?.Position
           ?? throw new ValidationException($"The result has no column '{name}'.", "databricks_path", "column-not-found");

    /// <summary>One DESCRIBE HISTORY row: the version, its operation and its commit timestamp (parsed with its offset: the text follows the session time zone).</summary>
    private sealed record HistoryEntry(long Version, string? Operation, DateTimeOffset? Timestamp = null);

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
        => (await ReadLatestCommitAsync(workspace, warehouseId, table, cancellationToken)).Version;

    private static async Task<HistoryEntry> ReadLatestCommitAsync(IDatabricksWorkspace workspace, string? warehouseId, TableName table, CancellationToken cancellationToken)
        => LatestOf(await ReadHistoryAsync(workspace, warehouseId, ExportQueries.LatestHistory(table), cancellationToken), table);

    /// <summary>The newest entry of a DESCRIBE HISTORY result (newest first).</summary>
    private static HistoryEntry LatestOf(List<HistoryEntry> history, TableName table)
        => history.Count > 0 ? history[0] : throw new WorkspaceException(WorkspaceErrorKind.Other, $"DESCRIBE HISTORY returned no rows for {table}.");

    /// <summary>
    /// The versions a run reads in its first statement (DESCRIBE HISTORY LIMIT n): enough for the changes between two
    /// ticks of a table written a few times a minute; more versions cost one more statement, as before.
    /// </summary>
    private const int RecentHistory = 16;

    /// <summary>
    /// The recent history still holds the checkpoint's version with the checkpoint's commit timestamp: the same table
    /// (a table recreated under the name restarts its versions, and its commit at that number has a later timestamp),
    /// so its id is the checkpoint's and DESCRIBE DETAIL is not needed.
    /// </summary>
    private static bool SameTableAsCheckpoint(SyncCheckpoint checkpoint, List<HistoryEntry> recent)
        => checkpoint is { Version: { } version, TableId: not null, CommitTimestamp: not null }
           && recent.FirstOrDefault(h => h.Version == version) is { } entry && SameInstant(checkpoint.CommitTimestamp, entry.Timestamp);

    /// <summary>
    /// The checkpoint's version is the current one and has the same commit timestamp: the same table, nothing new.
    /// A table dropped and recreated under the name restarts its versions, and its commit at that version number has
    /// another timestamp (Delta commit timestamps strictly increase per table); only then, or while the timestamp is
    /// not known yet, does a run ask DESCRIBE DETAIL for the table id.
    /// </summary>
    private static bool IsUnchanged(SyncCheckpoint checkpoint, HistoryEntry latest)
        => checkpoint.Version == latest.Version && checkpoint.TableId is not null && checkpoint.CommitTimestamp is not null
           && SameInstant(checkpoint.CommitTimestamp, latest.Timestamp);

    // Instants to the millisecond, DESCRIBE HISTORY's precision: the same commit read in another session time zone is equal.
    private static bool SameInstant(DateTimeOffset? a, DateTimeOffset? b)
        => a is { } x && b is { } y && x.ToUnixTimeMilliseconds() == y.ToUnixTimeMilliseconds();

    /// <summary>The checkpoint at <paramref name="version"/>, with its commit timestamp when that is the version the run's probe read.</summary>
    private static SyncCheckpoint At(SyncCheckpoint checkpoint, long version, HistoryEntry latest)
        => checkpoint with { Version = version, CommitTimestamp = version == latest.Version ? latest.Timestamp : null };

    private async Task SaveCommitTimestampAsync(SyncCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        try
        {
            await state.SaveCheckpointAsync(checkpoint, time.GetUtcNow(), cancellationToken);
        }
        catch (Exception ex) when (ex is ConcurrencyException or ConflictException)
        {
            // Another run moved the checkpoint since it was read: its own write stands; the next probe learns the timestamp.
        }
    }

    private static Task<List<HistoryEntry>> ReadHistoryAsync(SyncContext context, string statement, CancellationToken cancellationToken)
        => ReadHistoryAsync(context.Workspace, context.WarehouseId, statement, cancellationToken);

    private static async Task<List<HistoryEntry>> ReadHistoryAsync(IDatabricksWorkspace workspace, string? warehouseId, string statement, CancellationToken cancellationToken)
    {
        var result = await workspace.ExecuteAsync(statement, null, new StatementOptions { WarehouseId = warehouseId }, cancellationToken);
        int version = IndexOf(result.Columns, "version"), operation = IndexOf(result.Columns, "operation"), timestamp = IndexOf(result.Columns, "timestamp");
        var list = new List<HistoryEntry>();
        await foreach (var row in result.ReadRowsAsync(cancellationToken))
            list.Add(new HistoryEntry(long.Parse(row[version]!, CultureInfo.InvariantCulture), row[operation],
                DateTimeOffset.TryParse(row[timestamp], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null));
        return list;
    }

    private static async Task<bool> OnlyNoDataVersionsAsync(SyncContext context, TableName table, List<HistoryEntry> recent, long previous, long current, CancellationToken cancellationToken)
    {
        const long MaxVersionsToInspect = 1000;
        var span = current - previous;
        if (span > MaxVersionsToInspect) return false;
        // The run's first statement read the last RecentHistory versions: a small change needs no second one.
        var history = span <= recent.Count ? recent : await ReadHistoryAsync(context, ExportQueries.History(table, span), cancellationToken);
        var range = history.Where(h => h.Version > previous && h.Version <= current).ToList();
        if (range.Count != span || !range.All(h => h.Operation is not null && ExportQueries.NoDataOperations.Contains(h.Operation))) return false;
        // CHANGE COLUMN covers a comment, a move (FIRST/AFTER) and a type change: only the schema comparison tells
        // whether the values' text (and so the row markers) stayed the same.
        if (!range.Any(h => string.Equals(h.Operation, ExportQueries.ChangeColumn, StringComparison.OrdinalIgnoreCase))) return true;
        var before = await ReadColumnsAsync(context, table, previous, cancellationToken);
        var after = await ReadColumnsAsync(context, table, current, cancellationToken);
        return before is not null && after is not null && ExportColumns.SameSchema(before, after);
    }
}
