using System.Globalization;
using System.Text.Json;
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
    /// <summary>Rows per MERGE when the config does not stage through a volume.</summary>
    public int ValuesBatchRows { get; init; } = 500;
}

/// <summary>
/// table_reverse: a labeled CSV dropped in labeled/{config}/ is validated whole, then merged into the table by
/// primary key (through a staging volume and read_files, or parameterised VALUES batches), then moved to
/// processed/. A bad file changes nothing and goes to failed/ with {name}.errors.json beside it.
/// </summary>
public sealed class LabeledImportSync(IBlobStore blobs, SyncStateRepository state, TimeProvider time, LabeledImportOptions options) : ISync
{
    public SyncConfigType Type => SyncConfigType.TableReverse;

    public async Task<SyncResult> RunAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var prefix = context.Config.Id + "/";
        var names = new List<string>();
        if (context.SubjectBlob is { } subject)
            names.Add(subject);
        else
            await foreach (var b in blobs.ListAsync(BlobContainers.Labeled, prefix, cancellationToken))
                if (b.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) names.Add(b.Name);

        if (names.Count == 0) return SyncResult.NoChange("no labeled files waiting");
        var results = new List<SyncResult>();
        foreach (var name in names)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
                throw new ValidationException($"Blob '{name}' is not under labeled/{context.Config.Id}/.", "blob");
            results.Add(await ImportOneAsync(context, name, cancellationToken));
        }
        return Combine(results);
    }

    private async Task<SyncResult> ImportOneAsync(SyncContext context, string blobName, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var log = context.Logger;
        var blob = await blobs.GetPropertiesAsync(BlobContainers.Labeled, blobName, cancellationToken);
        if (blob is null)
            return SyncResult.NoChange($"labeled/{blobName} is gone (already processed)");
        if (await state.WasImportedAsync(config.Id, blobName, blob.ETag, cancellationToken))
        {
            // Imported before a crash kept it from moving: finish the move, do not merge again.
            await MoveAsync(blobName, BlobContainers.Processed, cancellationToken);
            return SyncResult.NoChange($"labeled/{blobName} was already imported");
        }

        var table = TableName.Parse(config.DatabricksPath);
        var tableInfo = await context.Workspace.GetTableAsync(table.FullName, cancellationToken)
            ?? throw new WorkspaceException(WorkspaceErrorKind.NotFound, $"Table {table} does not exist (or the principal cannot see it).");

        log.LogInformation("Validating labeled/{Blob} ({Bytes} bytes) against {Table}", blobName, blob.Length, table);
        Task<Stream> Open(CancellationToken ct) => blobs.OpenReadAsync(BlobContainers.Labeled, blobName, ct);
        var validation = await LabeledFileValidator.ValidateAsync(Open, tableInfo, config, options.MaxFileBytes,
            n => { context.Progress?.Report(new SyncProgress("validate", n, null, "rows")); log.LogInformation("Validated {Rows} rows of {Blob}", n, blobName); },
            cancellationToken);
        if (!validation.IsValid)
            return await RejectAsync(context, blob, validation.Errors, validation.ErrorCount, cancellationToken);

        var builder = new MergeStatementBuilder(table, validation);
        MergeCounts counts;
        try
        {
            counts = config.UseStaging
                ? await MergeThroughStagingAsync(context, blobName, builder, cancellationToken)
                : await MergeInBatchesAsync(context, blobName, builder, validation, cancellationToken);
        }
        catch (PartialMergeException partial)
        {
            // Earlier VALUES batches committed before this one failed: the table is partly labeled. Merging is
            // idempotent, so dropping the file again finishes the job; never claim the table is unchanged.
            var ex = partial.Failure;
            var error = new ImportError(0, null,
                $"the MERGE failed after {partial.MergedRows} of {validation.RowsToMerge} rows were already merged by earlier batches (the table is partially labeled; drop the file again to finish): " +
                $"{(ex.ErrorClass is null ? "" : $"[{ex.ErrorClass}] ")}{ex.Message}");
            return await RejectAsync(context, blob, [error], 1, cancellationToken, tableUnchanged: false);
        }
        catch (WorkspaceException ex) when (ex.Kind == WorkspaceErrorKind.SqlError && !ex.IsTransient)
        {
            // The statement failed as a whole (one MERGE is one commit) and no earlier batch committed: the table is unchanged.
            var error = new ImportError(0, null, $"the MERGE failed: {(ex.ErrorClass is null ? "" : $"[{ex.ErrorClass}] ")}{ex.Message}");
            return await RejectAsync(context, blob, [error], 1, cancellationToken);
        }

        await state.MarkImportedAsync(config.Id, blobName, blob.ETag, time.GetUtcNow(), cancellationToken);
        var processed = await MoveAsync(blobName, BlobContainers.Processed, cancellationToken);
        log.LogInformation("Imported labeled/{Blob}: {Rows} rows, {Updated} updated, {Inserted} inserted, {Skipped} without a label; moved to {Processed}",
            blobName, validation.Rows, counts.Updated, counts.Inserted, validation.SkippedUnlabeled, processed);
        return new SyncResult
        {
            Rows = validation.RowsToMerge,
            Files = 1,
            Bytes = blob.Length,
            UpdatedRows = counts.Updated,
            InsertedRows = counts.Inserted,
            Output = processed,
            Message = validation.SkippedUnlabeled > 0 ? $"{validation.SkippedUnlabeled} rows had no label and were left out" : null,
        };
    }

    private sealed record MergeCounts(long Updated, long Inserted);

    /// <summary>A VALUES batch failed after earlier batches had committed.</summary>
    private sealed class PartialMergeException(long mergedRows, WorkspaceException failure) : Exception(failure.Message, failure)
    {
        public long MergedRows { get; } = mergedRows;
        public WorkspaceException Failure { get; } = failure;
    }

    private async Task<MergeCounts> MergeThroughStagingAsync(SyncContext context, string blobName, MergeStatementBuilder builder, CancellationToken cancellationToken)
    {
        var staging = VolumePath.Parse(context.Config.StagingVolumePath, "staging_volume_path");
        // Unique per run: a retry never reads another run's half-written file.
        var stagedPath = staging.Combine($"dbxsync-{context.Config.Id}-{context.RunId}.csv");
        try
        {
            await using (var content = await blobs.OpenReadAsync(BlobContainers.Labeled, blobName, cancellationToken))
                await context.Workspace.UploadFileAsync(stagedPath, new Utf8BomSkippingStream(content), overwrite: true, cancellationToken);
            context.Logger.LogInformation("Staged labeled/{Blob} at {StagedPath}; merging", blobName, stagedPath);
            var result = await context.Workspace.ExecuteAsync(builder.FromStagedFile(stagedPath), null,
                new StatementOptions { WarehouseId = context.WarehouseId, IsWrite = true }, cancellationToken);
            return await ReadCountsAsync(result, cancellationToken);
        }
        finally
        {
            try { await context.Workspace.DeleteFileAsync(stagedPath, CancellationToken.None); }
            catch (Exception ex) when (ex is WorkspaceException or HttpRequestException)
            {
                context.Logger.LogWarning("Could not delete staging file {StagedPath}: {Error}", stagedPath, ex.Message);
            }
        }
    }

    private async Task<MergeCounts> MergeInBatchesAsync(SyncContext context, string blobName, MergeStatementBuilder builder, ImportValidation validation, CancellationToken cancellationToken)
    {
        long updated = 0, inserted = 0, merged = 0;
        var batch = new List<IReadOnlyList<string>>(options.ValuesBatchRows);
        var labelIndex = validation.Columns[validation.LabelIndex].FileIndex;
        await using var stream = await blobs.OpenReadAsync(BlobContainers.Labeled, blobName, cancellationToken);
        var reader = LabeledFile.OpenReader(stream);
        reader.Read();
        List<string>? record;
        while (true)
        {
            record = reader.Read();
            if (record is not null && !LabeledFile.IsBlank(record) && record[labelIndex].Length > 0) batch.Add(record);
            if (batch.Count == options.ValuesBatchRows || (record is null && batch.Count > 0))
            {
                var (statement, parameters) = builder.FromValues(batch);
                MergeCounts counts;
                try
                {
                    var result = await context.Workspace.ExecuteAsync(statement, parameters,
                        new StatementOptions { WarehouseId = context.WarehouseId, IsWrite = true }, cancellationToken);
                    counts = await ReadCountsAsync(result, cancellationToken);
                }
                catch (WorkspaceException ex) when (merged > 0 && ex.Kind == WorkspaceErrorKind.SqlError && !ex.IsTransient)
                {
                    throw new PartialMergeException(merged, ex);
                }
                updated += counts.Updated;
                inserted += counts.Inserted;
                merged += batch.Count;
                batch.Clear();
                context.Progress?.Report(new SyncProgress("merge", merged, validation.RowsToMerge, "rows"));
            }
            if (record is null) break;
        }
        context.Logger.LogInformation("Merged {Rows} rows of {Blob} in batches of {BatchRows}", merged, blobName, options.ValuesBatchRows);
        return new MergeCounts(updated, inserted);
    }

    private static async Task<MergeCounts> ReadCountsAsync(IStatementResult result, CancellationToken cancellationToken)
    {
        long Read(string?[] row, string column)
        {
            var col = result.Columns.FirstOrDefault(c => c.Name == column);
            return col is not null && long.TryParse(row[col.Position], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
        }
        await foreach (var row in result.ReadRowsAsync(cancellationToken))
            return new MergeCounts(Read(row, "num_updated_rows"), Read(row, "num_inserted_rows"));
        return new MergeCounts(0, 0);
    }

    private async Task<SyncResult> RejectAsync(SyncContext context, BlobItem blob, IReadOnlyList<ImportError> errors, long errorCount, CancellationToken cancellationToken, bool tableUnchanged = true)
    {
        var failedName = await MoveAsync(blob.Name, BlobContainers.Failed, cancellationToken);
        var report = new
        {
            config_id = context.Config.Id,
            blob = $"{BlobContainers.Labeled}/{blob.Name}",
            moved_to = failedName,
            failed_at = time.GetUtcNow(),
            error_count = errorCount,
            truncated = errorCount > errors.Count,
            errors = errors.Select(e => new { line = e.Line, column = e.Column, message = e.Message }),
        };
        using (var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(report, new JsonSerializerOptions { WriteIndented = true })))
            await blobs.UploadAsync(BlobContainers.Failed, blob.Name + ".errors.json", body, new BlobWriteOptions { ContentType = "application/json" }, cancellationToken);
        await state.MarkImportedAsync(context.Config.Id, blob.Name, blob.ETag, time.GetUtcNow(), cancellationToken);

        var first = errors.Count > 0 ? errors[0] : null;
        var summary = first is null ? "the file was rejected"
            : $"{errorCount} error(s); first: line {first.Line}{(first.Column is null ? "" : $", column '{first.Column}'")}: {first.Message}";
        context.Logger.LogWarning("Rejected labeled/{Blob}: {Summary}; moved to {Failed}", blob.Name, summary, failedName);
        return new SyncResult { Files = 1, Bytes = blob.Length, Output = failedName, Error = $"labeled/{blob.Name} rejected, {(tableUnchanged ? "table unchanged" : "table PARTIALLY updated")}: {summary}" };
    }

    /// <summary>Copies labeled/{name} to {container}/{name} and deletes the original. Returns "container/name".</summary>
    private async Task<string> MoveAsync(string blobName, string container, CancellationToken cancellationToken)
    {
        if (await blobs.GetPropertiesAsync(BlobContainers.Labeled, blobName, cancellationToken) is not null)
        {
            await blobs.CopyAsync(BlobContainers.Labeled, blobName, container, blobName, cancellationToken);
            await blobs.DeleteAsync(BlobContainers.Labeled, blobName, cancellationToken);
        }
        return $"{container}/{blobName}";
    }

    private static SyncResult Combine(List<SyncResult> results)
    {
        if (results.Count == 1) return results[0];
        var errors = results.Where(r => r.Error is not null).Select(r => r.Error).ToList();
        var worked = results.Where(r => r.Outcome != RunOutcome.NoChange || r.Error is not null).ToList();
        return new SyncResult
        {
            Outcome = worked.Count == 0 ? RunOutcome.NoChange : RunOutcome.Succeeded,
            Rows = results.Sum(r => r.Rows),
            Files = results.Sum(r => r.Files),
            Bytes = results.Sum(r => r.Bytes),
            UpdatedRows = results.Sum(r => r.UpdatedRows ?? 0),
            InsertedRows = results.Sum(r => r.InsertedRows ?? 0),
            Message = $"{results.Count} labeled files: {results.Count - errors.Count} imported or already done, {errors.Count} rejected",
            Error = errors.Count == 0 ? null : string.Join("; ", errors),
        };
    }
}
