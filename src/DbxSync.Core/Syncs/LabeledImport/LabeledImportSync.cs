using System.Globalization;
using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.State;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs.LabeledImport;

public sealed record LabeledImportOptions
{
    public long MaxFileBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// Without a staging volume: the most JSON bytes one staging INSERT carries (<see cref="StagingTable.DefaultMaxStatementBytes"/>,
    /// a quarter of the 16 MiB statement cap).
    /// </summary>
    public int MaxStatementBytes { get; init; } = StagingTable.DefaultMaxStatementBytes;

    /// <summary>
    /// The most labeled rows a file may have for a config without a staging volume (DbxSync:Imports:MaxRowsWithoutStaging).
    /// 1,000,000 rows of key, label and marker are ~78 MB of JSON: 19 staging INSERTs of 4 MiB (more for wider rows), each
    /// one Delta commit of the staging table, plus CREATE, count, MERGE and DROP: ~23 statements, which a warehouse runs
    /// in a few minutes, well inside a run.
    /// Beyond that the file belongs in a staging volume (one upload, one MERGE through read_files). A bigger file is not
    /// failed: it waits in labeled/ and the config reports a permanent configuration error until a volume is set.
    /// </summary>
    public long MaxRowsWithoutStaging { get; init; } = 1_000_000;
}

/// <summary>
/// table_reverse: a labeled CSV dropped in labeled/{config}/ is validated whole, then merged into the table by
/// primary key in ONE guarded MERGE (from the staged file through read_files, or from a staging table filled by
/// INSERTs of one JSON parameter each, up to a row cap), then moved to processed/ with {name}.report.json beside it. Every read, the move
/// and the delete are tied to the ETag seen at validation: a file replaced meanwhile is left for its own event.
/// A bad file changes nothing and goes to failed/ with {name}.errors.json beside it.
/// </summary>
public sealed class LabeledImportSync(IBlobStore blobs, SyncStateRepository state, TimeProvider time, LabeledImportOptions options) : ISync
{
    public SyncConfigType Type => SyncConfigType.TableReverse;

    private static readonly DroppedFileKind Kind = new(BlobContainers.Labeled, ".csv", "labeled files", "table", "column", LabeledBlobName.IsImportable);
    private DroppedFiles Dropped => new(blobs, state, time, Kind);

    public Task<SyncResult> RunAsync(SyncContext context, CancellationToken cancellationToken)
        => Dropped.ImportAsync(context, (blob, ct) => ImportVersionAsync(context, blob, ct), cancellationToken);

    private async Task<SyncResult> ImportVersionAsync(SyncContext context, BlobItem blob, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var log = context.Logger;
        var table = TableName.Parse(config.DatabricksPath);
        var tableInfo = await context.Workspace.GetTableAsync(table.FullName, cancellationToken)
            ?? throw new WorkspaceException(WorkspaceErrorKind.NotFound, $"Table {table} does not exist (or the principal cannot see it).");

        log.LogInformation("Validating labeled/{Blob} ({Bytes} bytes) against {Table}", blob.Name, blob.Length, table);
        // Rows and bytes read of the file's length; a second pass (suspected duplicate keys) is not counted again.
        var validating = new ProgressMeter(context.Progress, "validate", "rows", bytesTotal: blob.Length, time: time);
        var opened = 0;
        async Task<Stream> Open(CancellationToken ct)
        {
            var stream = await blobs.OpenReadAsync(BlobContainers.Labeled, blob.Name, blob.ETag, ct);
            return Interlocked.Increment(ref opened) == 1 ? validating.Track(stream) : stream;
        }
        validating.Report();
        var markerColumns = tableInfo.Columns.Where(c => !string.Equals(c.Name, config.LabelColumn, StringComparison.OrdinalIgnoreCase))
            .Select(c => new MarkerColumn(c.Name, c.TypeText)).ToList();
        // With a staging volume, the file is staged and counted by the workspace while the app validates its rows.
        await using var staged = config.UseStaging ? new StagedLabeledFile(context, blobs, blob) : null;
        var validation = await LabeledFileValidator.ValidateAsync(Open, tableInfo, config, options.MaxFileBytes,
            n => { validating.Add(n - validating.Done, 0); if (n % 100_000 == 0) log.LogInformation("Validated {Rows} rows of {Blob}", n, blob.Name); },
            header => staged?.Start((path, ct) => CountRowsAsync(context, new MergeStatementBuilder(table, header, markerColumns, config.OverwriteLabels).StagedFileSource(path), ct), cancellationToken),
            cancellationToken);
        validating.Report();
        if (!validation.IsValid)
            return await RejectAsync(context, blob, validation.Errors, validation.ErrorCount, cancellationToken);
        if (!config.UseStaging && validation.RowsToMerge > options.MaxRowsWithoutStaging)
            return NeedsStaging(context, blob, validation);

        // Rows the MERGE left alone because they changed since the export: kept, batch by batch, for the next export.
        var leftAlone = new LeftAloneRows(blobs).Begin(table, $"{BlobContainers.Labeled}/{blob.Name}", blob.ETag, blob.LastModified);
        MergeOutcome outcome;
        try
        {
            var builder = new MergeStatementBuilder(table, validation, markerColumns, config.OverwriteLabels);
            outcome = config.UseStaging
                ? await MergeThroughStagedFileAsync(context, staged!, builder, validation, leftAlone, cancellationToken)
                : await MergeThroughStagingTableAsync(context, blob, table, builder, validation, leftAlone, cancellationToken);
        }
        catch (ValidationException ex)
        {
            // A name the identifier rules refuse (in the table or the file): nothing was sent.
            return await RejectAsync(context, blob, [new ImportError(1, ex.Field, ex.Message)], 1, cancellationToken);
        }
        catch (WorkspaceException ex) when (FailureClassifier.IsDataError(ex))
        {
            // Only the file's own values (a cast, a constraint, two rows for one key) reject it; any other failure
            // (the table, a grant, the warehouse, the network) leaves it in labeled/ for a later attempt.
            // One MERGE is one commit, and staging writes never touch the target: the table is unchanged.
            var error = new ImportError(0, null, $"the MERGE failed: {(ex.ErrorClass is null ? "" : $"[{ex.ErrorClass}] ")}{ex.Message}");
            return await RejectAsync(context, blob, [error], 1, cancellationToken);
        }

        // Before the file counts as imported: a crash before this imports it again, which finds the same rows left alone
        // and writes the same batches over (they are named by the file's version).
        await leftAlone.CompleteAsync(cancellationToken);
        log.LogInformation("Merged labeled/{Blob}: {Rows} rows, {Updated} updated, {Inserted} inserted, {NotApplied} not applied, {Skipped} without a label",
            blob.Name, validation.Rows, outcome.Updated, outcome.Inserted, outcome.NotApplied.Total, validation.SkippedUnlabeled);
        var report = ImportReport.Create(config.Id, blob, validation, outcome, time.GetUtcNow());
        return await Dropped.CompleteAsync(context, blob, report, validation.RowsToMerge, outcome.Updated, outcome.Inserted, cancellationToken);
    }

    /// <summary>
    /// A valid file too big for the path without a staging volume: not the file's fault, so it is neither failed nor
    /// moved. The config's error is permanent (its error state, backoff and one alert): setting a staging volume ends it,
    /// and the next run (due at once after the config changes) imports the file that waited.
    /// </summary>
    private SyncResult NeedsStaging(SyncContext context, BlobItem blob, ImportValidation validation)
    {
        var error = string.Create(CultureInfo.InvariantCulture,
            $"labeled/{blob.Name} has {validation.RowsToMerge:N0} labeled rows, more than the {options.MaxRowsWithoutStaging:N0} allowed without a staging volume " +
            $"(DbxSync:Imports:MaxRowsWithoutStaging); it stays in labeled/ and is imported once the config has a staging volume (use_staging and staging_volume_path).");
        context.Logger.LogWarning("{Error}", error);
        return new SyncResult { Bytes = blob.Length, Output = $"{BlobContainers.Labeled}/{blob.Name}", Error = error, FailureClass = FailureClass.Permanent };
    }

    private static StatementOptions Write(SyncContext context) => new() { WarehouseId = context.WarehouseId, IsWrite = true };

    /// <summary>Through the staged file: once the workspace's count of it equals the validated rows, ONE MERGE reads it.</summary>
    private async Task<MergeOutcome> MergeThroughStagedFileAsync(SyncContext context, StagedLabeledFile staged, MergeStatementBuilder builder, ImportValidation validation, LeftAloneRows.Writer leftAlone, CancellationToken cancellationToken)
    {
        // Staged and counted while the rows were validated; it may still be counting.
        context.Progress?.Report(new SyncProgress("stage", validation.RowsToMerge, null, "rows"));
        RequireValidatedRowCount(await staged.CountAsync(), validation);
        return await MergeAsync(context, builder, builder.StagedFileSource(staged.Path), validation, leftAlone, cancellationToken);
    }

    /// <summary>
    /// Without a staging volume: the labeled rows go into a staging table through INSERTs of one JSON parameter each
    /// (bounded by <see cref="LabeledImportOptions.MaxStatementBytes"/>), then ONE MERGE reads it, then it is dropped.
    /// A failure while filling it leaves the target as it was.
    /// </summary>
    private async Task<MergeOutcome> MergeThroughStagingTableAsync(SyncContext context, BlobItem blob, TableName table, MergeStatementBuilder builder, ImportValidation validation, LeftAloneRows.Writer leftAlone, CancellationToken cancellationToken)
    {
        await StagingTables.SweepAsync(context, table, time.GetUtcNow(), cancellationToken);
        var staging = builder.StagingTable(StagingTables.ForAttempt(table, context.RunId), options.MaxStatementBytes);
        try
        {
            // Inside the try: a CREATE whose outcome is unknown still gets its DROP.
            await context.Workspace.ExecuteAsync(staging.Create(), null, Write(context), cancellationToken);
            // Rows staged of the rows to merge, and bytes of the file read again.
            var meter = new ProgressMeter(context.Progress, "stage", "rows", validation.RowsToMerge, blob.Length, time);
            meter.Report();
            var fill = await staging.FillAsync(context.Workspace, LabeledRowsAsync(blob, builder, validation, meter, cancellationToken), Write(context),
                staged => meter.Add(staged - meter.Done, 0), cancellationToken);
            context.Logger.LogInformation("Staged {Rows} rows of labeled/{Blob} in {Staging} with {Statements} INSERT statement(s) ({JsonBytes} JSON bytes); merging",
                fill.Rows, blob.Name, staging.Table, fill.Statements, fill.JsonBytes);
            var source = MergeStatementBuilder.StagingTableSource(staging.Table);
            RequireValidatedRowCount(await CountRowsAsync(context, source, cancellationToken), validation);
            return await MergeAsync(context, builder, source, validation, leftAlone, cancellationToken);
        }
        finally
        {
            try { await context.Workspace.ExecuteAsync(staging.Drop(), null, Write(context), CancellationToken.None); }
            catch (Exception ex) when (ex is WorkspaceException or HttpRequestException)
            {
                context.Logger.LogWarning("Could not drop staging table {Staging}: {Error}", staging.Table, ex.Message);
            }
        }
    }

    /// <summary>The validated file's labeled rows (a row without a label is skipped), read again from the same ETag.</summary>
    private async IAsyncEnumerable<string?[]> LabeledRowsAsync(BlobItem blob, MergeStatementBuilder builder, ImportValidation validation, ProgressMeter meter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var labelIndex = validation.Columns[validation.LabelIndex].FileIndex;
        await using var file = LabeledFile.Open(meter.Track(await blobs.OpenReadAsync(BlobContainers.Labeled, blob.Name, blob.ETag, cancellationToken)));
        await file.ReadAsync(cancellationToken);
        while (await file.ReadAsync(cancellationToken) is { } record)
            if (record[labelIndex].Length > 0) yield return builder.StagingRow(record);
    }

    /// <summary>The one MERGE, then (only when its counts say some rows were not applied) which and why.</summary>
    private async Task<MergeOutcome> MergeAsync(SyncContext context, MergeStatementBuilder builder, string source, ImportValidation validation, LeftAloneRows.Writer leftAlone, CancellationToken cancellationToken)
    {
        // One statement: the phase and its row count are all there is to show until it answers.
        context.Progress?.Report(new SyncProgress("merge", validation.RowsToMerge, null, "rows"));
        var result = await context.Workspace.ExecuteAsync(builder.Merge(source), null, Write(context), cancellationToken);
        var (updated, inserted) = await ReadCountsAsync(result, cancellationToken);
        var notApplied = new NotAppliedRows();
        if (updated + inserted < validation.RowsToMerge)
        {
            var rows = await context.Workspace.ExecuteAsync(builder.NotApplied(source), null,
                new StatementOptions { WarehouseId = context.WarehouseId, LargeResult = true }, cancellationToken);
            await foreach (var row in rows.ReadRowsAsync(cancellationToken))
            {
                notApplied.Add(row[0] ?? "", row[1] ?? "");
                if (row[1] == NotAppliedReason.Changed && row[2] == "true" && row[0] is { } key) await leftAlone.AddAsync(key, cancellationToken);
            }
            if (notApplied.Total > 0)
                context.Logger.LogWarning("{Count} labeled rows were not applied ({Reasons})", notApplied.Total, notApplied.DescribeCounts());
        }
        if (builder.UnguardedReason is { } why && validation.RowsWithoutMarker > 0)
            context.Logger.LogWarning("{Count} labeled rows were merged without a guard: {Reason}", validation.RowsWithoutMarker, why);
        return new MergeOutcome(updated, inserted, notApplied, builder.UnguardedReason);
    }

    /// <summary>
    /// The MERGE source must yield exactly the labeled rows validation counted: a reader that bound the file's
    /// columns differently (all NULL labels) or split or dropped records would otherwise merge fewer rows and the file
    /// would pass as imported. Checked before the MERGE: nothing has been written when this fails.
    /// </summary>
    private static void RequireValidatedRowCount(long? read, ImportValidation validation)
    {
        if (read != validation.RowsToMerge)
            throw new ImportSourceMismatchException(
                $"Databricks read {read?.ToString(CultureInfo.InvariantCulture) ?? "no count"} labeled rows from the MERGE source, but validation counted {validation.RowsToMerge}; " +
                "nothing was merged and the file stays in labeled/ (the workspace's CSV reader does not read the file the way it was validated)");
    }

    /// <summary>The rows the workspace reads from a MERGE source (null when it answers no count).</summary>
    private static async Task<long?> CountRowsAsync(SyncContext context, string source, CancellationToken cancellationToken)
    {
        var result = await context.Workspace.ExecuteAsync(MergeStatementBuilder.CountRows(source), null,
            new StatementOptions { WarehouseId = context.WarehouseId }, cancellationToken);
        long? read = null;
        await foreach (var row in result.ReadRowsAsync(cancellationToken))
            read = long.TryParse(row[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
        return read;
    }

    private static async Task<(long Updated, long Inserted)> ReadCountsAsync(IStatementResult result, CancellationToken cancellationToken)
    {
        long Read(string?[] row, string column)
        {
            var col = result.Columns.FirstOrDefault(c => c.Name == column);
            return col is not null && long.TryParse(row[col.Position], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
        }
        await foreach (var row in result.ReadRowsAsync(cancellationToken))
            return (Read(row, "num_updated_rows"), Read(row, "num_inserted_rows"));
        return (0, 0);
    }

    private Task<SyncResult> RejectAsync(SyncContext context, BlobItem blob, IReadOnlyList<ImportError> errors, long errorCount, CancellationToken cancellationToken)
        => Dropped.RejectAsync(context, blob, errors, errorCount, cancellationToken);
}

/// <summary>
/// What the MERGE did: rows updated and inserted, the labeled rows it left alone (the keys of those left alone because
/// the row no longer matched went to LeftAloneRows as they were read), and why rows without a marker could not be checked.
/// </summary>
public sealed record MergeOutcome(long Updated, long Inserted, NotAppliedRows NotApplied, string? UnguardedReason);
