using System.Globalization;
using System.Text.Json;
using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.State;
using DbxSync.Core.Syncs.Datasets;
using DbxSync.Core.Syncs.LabeledImport;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs.Annotations;

public sealed record AnnotationImportOptions
{
    public long MaxFileBytes { get; init; } = 4L * 1024 * 1024 * 1024;
    /// <summary>The most JSON bytes one staging INSERT carries (see <see cref="StagingTable.DefaultMaxStatementBytes"/>).</summary>
    public int MaxStatementBytes { get; init; } = StagingTable.DefaultMaxStatementBytes;
}

/// <summary>
/// annotations_reverse: a JSON Lines file dropped in annotations/{config}/ (blob event, or the timer's scan) is
/// validated whole, staged, and upserted with ONE guarded MERGE into the annotations table and ONE into the inputs
/// table (both created when missing), then moved to processed/ with {name}.report.json beside it. Like labeled CSVs,
/// every read and the move are bound to the ETag seen at validation, and a bad file changes nothing: it goes to
/// failed/ with {name}.errors.json (line-numbered) beside it.
/// </summary>
public sealed class AnnotationsImportSync(IBlobStore blobs, SyncStateRepository state, TimeProvider time, AnnotationImportOptions options) : ISync
{
    public SyncConfigType Type => SyncConfigType.AnnotationsReverse;

    private static readonly DroppedFileKind Kind = new(BlobContainers.Annotations, ".jsonl", "annotation files", "tables", "field", AnnotationFile.IsImportable);
    private DroppedFiles Dropped => new(blobs, state, time, Kind);

    public Task<SyncResult> RunAsync(SyncContext context, CancellationToken cancellationToken)
        => Dropped.ImportAsync(context, (blob, ct) => ImportVersionAsync(context, blob, ct), cancellationToken);

    private async Task<SyncResult> ImportVersionAsync(SyncContext context, BlobItem blob, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var inputs = TableName.Parse(config.InputsTable, "inputs_table");
        var annotations = TableName.Parse(config.AnnotationsTable, "annotations_table");
        var validation = await ValidateAsync(context, blob, cancellationToken);
        if (!validation.IsValid)
            return await RejectAsync(context, blob, validation.Errors, validation.ErrorCount, cancellationToken);
        context.Logger.LogInformation("Validated annotations/{Blob}: {Records} records; upserting into {Annotations} and {Inputs}", blob.Name, validation.Records, annotations, inputs);

        var write = new StatementOptions { WarehouseId = context.WarehouseId, IsWrite = true };
        // A table that exists with another shape is the config's problem, not the file's: the run fails, the file stays.
        await DatasetTables.EnsureAsync(context.Workspace, annotations, DatasetTables.Annotations, "annotations_table", write, cancellationToken);
        await DatasetTables.EnsureAsync(context.Workspace, inputs, DatasetTables.Inputs, "inputs_table", write, cancellationToken);
        return await UpsertAsync(context, blob, validation, inputs, annotations, write, cancellationToken);
    }

    /// <summary>The whole file, bound to the ETag seen; a file over the size limit is refused unread.</summary>
    private async Task<AnnotationValidation> ValidateAsync(SyncContext context, BlobItem blob, CancellationToken cancellationToken)
    {
        if (blob.Length > options.MaxFileBytes)
        {
            var tooLarge = new AnnotationValidation();
            tooLarge.Add(1, null, $"the file is larger than the limit of {options.MaxFileBytes} bytes");
            return tooLarge;
        }
        // Bytes read of the file's size; the record count is known at the end.
        var validating = new ProgressMeter(context.Progress, "validate", "annotations", bytesTotal: blob.Length, time: time);
        validating.Report();
        await using var content = validating.Track(await blobs.OpenReadAsync(BlobContainers.Annotations, blob.Name, blob.ETag, cancellationToken));
        var validation = await AnnotationValidation.ValidateAsync(content, cancellationToken);
        validating.Set(validation.Records, validating.Bytes);
        return validation;
    }

    /// <summary>Staged, then ONE guarded MERGE into the annotations and ONE into the inputs; the staging table is dropped either way.</summary>
    private async Task<SyncResult> UpsertAsync(SyncContext context, BlobItem blob, AnnotationValidation validation, TableName inputs, TableName annotations, StatementOptions write, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var log = context.Logger;
        var now = time.GetUtcNow();
        var statements = new AnnotationStatements(inputs, annotations, annotations with { Table = "_dbxsync_staging_" + context.RunId.Replace('-', '_') }, options.MaxStatementBytes);
        AnnotationImportReport report;
        await context.Workspace.ExecuteAsync(statements.CreateStaging(), null, write, cancellationToken);
        try
        {
            await StageAsync(context, blob, statements, validation.Records, write, cancellationToken);
            try
            {
                context.Progress?.Report(new SyncProgress("merge", validation.Records, null, "annotations"));
                report = await MergeAnnotationsAsync(context, statements, write, AnnotationImportReport.Create(config.Id, blob, inputs.FullName, annotations.FullName, now), cancellationToken);
            }
            catch (WorkspaceException ex) when (ex.Kind == WorkspaceErrorKind.SqlError && !ex.IsTransient)
            {
                // The annotations MERGE is one commit and staging never touches the targets: nothing changed.
                var error = new ImportError(0, null, $"the MERGE failed: {(ex.ErrorClass is null ? "" : $"[{ex.ErrorClass}] ")}{ex.Message}");
                return await RejectAsync(context, blob, [error], 1, cancellationToken);
            }
            // After the annotations: if this fails the file stays, and a retry finds the annotations already applied
            // (equal modified_at changes nothing) and applies the inputs.
            var inputCounts = await FirstRowAsync(await context.Workspace.ExecuteAsync(statements.MergeInputs(), null, write, cancellationToken), cancellationToken);
            report = report with { InputsInserted = inputCounts("num_inserted_rows"), InputsUpdated = inputCounts("num_updated_rows") };
        }
        finally
        {
            try { await context.Workspace.ExecuteAsync(statements.DropStaging(), null, write, CancellationToken.None); }
            catch (Exception ex) when (ex is WorkspaceException or HttpRequestException)
            {
                log.LogWarning("Could not drop staging table {Staging}: {Error}", statements.Staging, ex.Message);
            }
        }

        return await Dropped.CompleteAsync(context, blob, report, report.Records, report.Updated, report.Inserted, cancellationToken);
    }

    /// <summary>Second pass over the same ETag-bound version: every record into the staging table, in byte-bounded INSERTs.</summary>
    private async Task StageAsync(SyncContext context, BlobItem blob, AnnotationStatements statements, long total, StatementOptions write, CancellationToken cancellationToken)
    {
        // Records staged of the validated count, and bytes of the file read (the second pass).
        var meter = new ProgressMeter(context.Progress, "stage", "annotations", total, blob.Length, time);
        meter.Report();
        var fill = await statements.StagingTable.FillAsync(context.Workspace, RecordsAsync(blob, meter, cancellationToken), write,
            staged => meter.Add(staged - meter.Done, 0), cancellationToken);
        context.Logger.LogInformation("Staged {Records} annotation records of {Blob} with {Statements} INSERT statement(s)", fill.Rows, blob.Name, fill.Statements);
    }

    private async IAsyncEnumerable<string?[]> RecordsAsync(BlobItem blob, ProgressMeter meter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var content = meter.Track(await blobs.OpenReadAsync(BlobContainers.Annotations, blob.Name, blob.ETag, cancellationToken));
        await foreach (var (line, text) in AnnotationFile.ReadLinesAsync(content, cancellationToken))
        {
            // Validated already: a line that fails now means the content is not what was validated.
            var record = AnnotationLine.Parse(text, line, (_, _, message) => throw new ConcurrencyException($"line {line} no longer validates: {message}"));
            yield return AnnotationStatements.StagingRow(record!);
        }
    }

    private static async Task<AnnotationImportReport> MergeAnnotationsAsync(SyncContext context, AnnotationStatements statements, StatementOptions write, AnnotationImportReport report, CancellationToken cancellationToken)
    {
        var read = new StatementOptions { WarehouseId = context.WarehouseId };
        var counts = await FirstRowAsync(await context.Workspace.ExecuteAsync(statements.Counts(), null, read, cancellationToken), cancellationToken);
        var classes = await FirstRowAsync(await context.Workspace.ExecuteAsync(statements.Classify(), null, read, cancellationToken), cancellationToken);
        IReadOnlyList<SqlParameter> importedAt = [new SqlParameter("imported_at", AnnotationLine.ToSqlTimestamp(report.ImportedAt), "TIMESTAMP")];
        var annotations = await FirstRowAsync(await context.Workspace.ExecuteAsync(statements.MergeAnnotations(), importedAt, write, cancellationToken), cancellationToken);
        return report with
        {
            Records = counts("records"),
            DuplicatesDropped = counts("records") - counts("ids"),
            Inserted = annotations("num_inserted_rows"),
            Updated = annotations("num_updated_rows"),
            SkippedAsOlder = classes("older"),
            Unchanged = classes("unchanged"),
            Tombstoned = classes("tombstoned"),
        };
    }

    /// <summary>The first row of a result as a column-name → number lookup (0 for a missing or NULL cell).</summary>
    private static async Task<Func<string, long>> FirstRowAsync(IStatementResult result, CancellationToken cancellationToken)
    {
        string?[] row = [];
        await foreach (var r in result.ReadRowsAsync(cancellationToken)) { row = r; break; }
        return column =>
        {
            var col = result.Columns.FirstOrDefault(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase));
            return col is not null && col.Position < row.Length && long.TryParse(row[col.Position], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
        };
    }

    private Task<SyncResult> RejectAsync(SyncContext context, BlobItem blob, IReadOnlyList<ImportError> errors, long errorCount, CancellationToken cancellationToken)
        => Dropped.RejectAsync(context, blob, errors, errorCount, cancellationToken);
}
