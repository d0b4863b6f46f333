using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using DbxSync.Core.State;
using DbxSync.Core.Syncs.Datasets;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs.TableExport;

/// <summary>What one run wrote of an export in parts.</summary>
public sealed record ExportPartsWritten(ExportProgress Progress, int Parts, long Rows, long Bytes, bool StoppedForLimit);

/// <summary>
/// Writes an export as bounded parts, each a complete CSV with its own manifest, read by keyset pages on the key
/// (ORDER BY key, key &gt; :after_key, LIMIT rows) at the plan's pinned version. After each part the progress records
/// the part and its last key, so whatever stops a run, the next one writes the next part: every row goes out exactly
/// once. Names sort in part order and carry generation and version range:
/// exports/{config}/{table}_g{n}_v{from}-v{to}_part{000001}.csv (+ .manifest.json); when all parts are written,
/// {table}_g{n}_v{from}-v{to}.manifest.json lists them.
/// </summary>
public sealed class ExportPartWriter(IBlobStore blobs, ExportProgressRepository progressStore, ExportPartOptions options, TimeProvider time)
{
    /// <summary>A part is started only if it is expected to end before the run's deadline: this much slack on the slowest part so far.</summary>
    private const double PartDurationSlack = 1.5;

    /// <summary>Rows per part at most.</summary>
    public long PartRows => options.PartRows;

    /// <summary>Whether a part as slow as <paramref name="slowest"/> (with slack) is expected to end before the run's deadline.</summary>
    public bool ExpectsAnotherPart(SyncContext context, TimeSpan slowest)
        => context.Deadline is not { } deadline || time.GetUtcNow() + slowest * PartDurationSlack <= deadline;

    public static string BaseName(string configId, TableName table, long generation, long fromVersion, long toVersion)
        => string.Create(CultureInfo.InvariantCulture, $"{configId}/{table.Table}_g{generation}_v{fromVersion}-v{toVersion}");

    public static string BaseName(ExportProgress progress, TableName table)
        => BaseName(progress.ConfigId, table, progress.Generation, progress.FromVersion, progress.ToVersion);

    public static string PartName(string baseName, int part) => string.Create(CultureInfo.InvariantCulture, $"{baseName}_part{part:D6}.csv");

    public static string PartManifestName(string partName) => partName[..^4] + ".manifest.json";

    /// <summary>Written last: its presence says the export is complete.</summary>
    public static string FinalManifestName(string baseName) => baseName + ".manifest.json";

    /// <summary>Writes parts from <paramref name="progress"/> on until the rows end or the deadline is near.</summary>
    public async Task<ExportPartsWritten> WriteAsync(SyncContext context, TableName table, ExportColumns columns, ExportPlan plan, ExportProgress progress, CancellationToken cancellationToken)
    {
        int parts = 0;
        long rows = 0, bytes = 0;
        var slowest = TimeSpan.Zero;
        // Counted across the whole export (parts of earlier runs included), so a resumed export's bar starts where it was.
        var meter = new ProgressMeter(context.Progress, "query", "rows", time: time);
        meter.Set(progress.Rows, progress.Bytes);
        progress = await RefuseAfterRepeatedCutOffsAsync(table, progress, cancellationToken);
        try
        {
            while (!progress.Complete)
            {
                if (parts > 0 && !ExpectsAnotherPart(context, slowest))
                    return new ExportPartsWritten(progress, parts, rows, bytes, StoppedForLimit: true);

                var started = time.GetTimestamp();
                (progress, var csv) = await WritePartAsync(context, table, columns, plan, progress, meter, cancellationToken);
                if (csv is null) break;
                parts++;
                rows += csv.Rows;
                bytes += csv.Bytes;
                var took = time.GetElapsedTime(started);
                if (took > slowest) slowest = took;
                context.Logger.LogInformation("Exported part {Part} of {Table} {Method} v{From}-v{To}: {Rows} rows, {Bytes} bytes in {DurationMs} ms ({Total} rows so far)",
                    progress.PartsDone, table, plan.Method, plan.FromVersion, plan.ToVersion, csv.Rows, csv.Bytes, (long)took.TotalMilliseconds, progress.Rows);
            }
        }
        // The deadline's timer may fire a little before the clock reads the deadline: a cancellation within a second of it is the limit.
        catch (Exception ex) when (ex is OperationCanceledException or WorkspaceException or StorageException
                                   && context.Deadline is { } deadline && time.GetUtcNow() >= deadline - TimeSpan.FromSeconds(1))
        {
            // Cut off by the run's time limit in the middle of a part: counted, so a part that never fits is told.
            try { await progressStore.SaveAsync(progress with { PartCutOffs = progress.PartCutOffs + 1 }, CancellationToken.None); }
            catch (Exception) { /* best effort: a lost count only delays the error state by a run */ }
            throw;
        }
        return new ExportPartsWritten(progress, parts, rows, bytes, StoppedForLimit: false);
    }

    /// <summary>
    /// The next part: its keyset page read at the pinned version, written as CSV with its manifest, then recorded in the
    /// progress (part number, last key, counts). An empty page writes nothing and records that the export is complete.
    /// </summary>
    private async Task<(ExportProgress Progress, CsvBlobResult? Csv)> WritePartAsync(SyncContext context, TableName table, ExportColumns columns,
        ExportPlan plan, ExportProgress progress, ProgressMeter meter, CancellationToken cancellationToken)
    {
        var key = columns.Columns.First(c => string.Equals(c.Name, context.Config.PkColumn, StringComparison.OrdinalIgnoreCase));
        meter.Enter("query");
        var result = await context.Workspace.ExecuteAsync(PageStatement(table, columns, plan, new KeysetPage(options.PartRows, progress.LastKey is not null)),
            progress.LastKey is { } last ? [new SqlParameter(ExportQueries.AfterKeyParameter, last, key.TypeText)] : null,
            new StatementOptions { WarehouseId = context.WarehouseId, LargeResult = true }, cancellationToken);
        // A page shorter than its LIMIT holds every row left: then the export's total is known.
        if (result.TotalRowCount is { } pageRows && pageRows < options.PartRows) meter.Total = progress.Rows + pageRows;
        meter.Enter("export");

        var number = progress.PartsDone + 1;
        var name = PartName(BaseName(progress, table), number);
        var reader = new PageReader(result, key.Name, options.PartBytes, meter);
        var csv = await WriteCsvAsync(context, result, reader.ReadAsync(cancellationToken), plan, progress.Generation, number, name, cancellationToken);
        if (csv is null)
            return (await progressStore.SaveAsync(progress with { Complete = true }, cancellationToken), null);
        var more = reader.StoppedEarly || csv.Rows >= options.PartRows;
        if (more && reader.LastKey is null)
            throw new ValidationException($"The key column '{key.Name}' is NULL in a row of {table}; an export in parts pages by the key, so it must not be NULL.", "pk_column", "null-key");

        await WritePartManifestAsync(context, table, plan, progress, number, name, csv, reader.LastKey, cancellationToken);
        progress = await progressStore.SaveAsync(progress with
        {
            PartsDone = number, LastKey = reader.LastKey, Rows = progress.Rows + csv.Rows, Bytes = progress.Bytes + csv.Bytes, Complete = !more,
            PartCutOffs = 0,
        }, cancellationToken);
        meter.Set(progress.Rows, progress.Bytes);
        return (progress, csv);
    }

    /// <summary>The keyset page's statement for the plan's kind of export.</summary>
    private static string PageStatement(TableName table, ExportColumns columns, ExportPlan plan, KeysetPage page) => plan.Kind switch
    {
        ExportKind.Snapshot => ExportQueries.Snapshot(table, columns, plan.ToVersion, page),
        ExportKind.ChangeFeed => ExportQueries.ChangeFeed(table, columns, plan.FromVersion, plan.ToVersion, page),
        _ => ExportQueries.VersionDifference(table, columns, plan.FromVersion - 1, plan.ToVersion, page),
    };

    /// <summary>Runs in a row cut off while writing the same part before the export is put into its error state.</summary>
    public const int MaxPartCutOffs = 3;

    /// <summary>
    /// A part whose runs were cut off by the time limit <see cref="MaxPartCutOffs"/> times in a row will not fit: redone
    /// at every tick it would bill a warehouse scan each time and never finish. The run fails as a configuration error
    /// instead (error state, backoff, one alert); the count starts again, so after the backoff the part is tried anew,
    /// under whatever part size or time limit is set by then.
    /// </summary>
    private async Task<ExportProgress> RefuseAfterRepeatedCutOffsAsync(TableName table, ExportProgress progress, CancellationToken cancellationToken)
    {
        if (progress.PartCutOffs < MaxPartCutOffs) return progress;
        await progressStore.SaveAsync(progress with { PartCutOffs = 0 }, cancellationToken);
        throw new ValidationException(string.Create(CultureInfo.InvariantCulture,
            $"Part {progress.PartsDone + 1} of the export of {table} was cut off by the run's time limit in {MaxPartCutOffs} runs in a row: it does not fit in one run. Lower DbxSync:Export:PartRows (now {options.PartRows}) or raise DbxSync:Runs:TimeLimit; the part is tried again after the backoff."),
            "databricks_path", "part-exceeds-time-limit");
    }

    /// <summary>The final manifest: the export is complete, with its parts, rows and bytes. Rewriting it is harmless.</summary>
    public async Task WriteFinalManifestAsync(SyncConfig config, TableName table, ExportPlan plan, ExportProgress progress, CancellationToken cancellationToken)
    {
        var baseName = BaseName(progress, table);
        var manifest = Describe(config, table, plan, progress.Generation);
        manifest["complete"] = true;
        manifest["part_count"] = progress.PartsDone;
        manifest["row_count"] = progress.Rows;
        manifest["bytes"] = progress.Bytes;
        manifest["parts"] = Enumerable.Range(1, progress.PartsDone).Select(n => $"{BlobContainers.Exports}/{PartName(baseName, n)}").ToList();
        manifest["started_at"] = progress.StartedAt;
        manifest["completed_at"] = time.GetUtcNow();
        await UploadJsonAsync(FinalManifestName(baseName), manifest, cancellationToken);
    }

    /// <summary>
    /// One ordinary file outside the parts (the rows imports left alone, read by their keys), with its manifest beside
    /// it; formatted like a part. Null, and nothing written, when the result has no rows.
    /// </summary>
    public async Task<CsvBlobResult?> WriteFileAsync(SyncContext context, TableName table, ExportPlan plan, long generation, IStatementResult result, string name, CancellationToken cancellationToken)
    {
        var meter = new ProgressMeter(context.Progress, "left_alone", "rows", time: time);
        meter.Report();
        var csv = await WriteCsvAsync(context, result, Counted(result.ReadRowsAsync(cancellationToken), meter), plan, generation, part: null, name, cancellationToken);
        if (csv is null) return null;
        meter.Set(csv.Rows, csv.Bytes);
        var manifest = Describe(context.Config, table, plan, generation);
        manifest["row_count"] = csv.Rows;
        manifest["bytes"] = csv.Bytes;
        manifest["sha256"] = csv.Sha256;
        manifest["columns"] = csv.Header;
        manifest["blob"] = $"{BlobContainers.Exports}/{name}";
        manifest["created_at"] = time.GetUtcNow();
        await UploadJsonAsync(PartManifestName(name), manifest, cancellationToken);
        return csv;
    }

    /// <summary>Deletes every part (and manifest) of an export that will never be completed, so its rows are never mixed with a new one's.</summary>
    public async Task<int> DeletePartsAsync(ExportProgress progress, TableName table, CancellationToken cancellationToken)
    {
        var prefix = BaseName(progress, table) + "_part";
        var names = new List<string>();
        await foreach (var blob in blobs.ListAsync(BlobContainers.Exports, prefix, cancellationToken)) names.Add(blob.Name);
        foreach (var name in names) await blobs.DeleteAsync(BlobContainers.Exports, name, cancellationToken);
        return names.Count(n => n.EndsWith(".csv", StringComparison.Ordinal));
    }

    private async Task<CsvBlobResult?> WriteCsvAsync(SyncContext context, IStatementResult result, IAsyncEnumerable<string?[]> rows, ExportPlan plan, long generation, int? part, string name, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var header = result.Columns.Select(c => c.Name).ToList();
        // The guard never touches the key or the marker: the import matches rows by them.
        var guard = config.SpreadsheetSafe
            ? result.Columns.Select(c => c.TypeName is "STRING" or "CHAR" or "VARCHAR"
                && !string.Equals(c.Name, config.PkColumn, StringComparison.OrdinalIgnoreCase)
                && c.Name != RowMarker.Column).ToList()
            : null;
        // export_format clarifai_inputs: the same rows in Clarifai's input CSV; its cells are URLs, ids and JSON, not the table's text.
        if (ClarifaiInputsFormat.For(config, blobs, context.Workspace, result.Columns) is { } format)
            (header, rows, guard) = (format.Header.ToList(), format.FormatAsync(rows, cancellationToken), null);

        // Look at the first row before creating the blob: no part for a page with nothing to export.
        await using var enumerator = rows.GetAsyncEnumerator(cancellationToken);
        if (!await enumerator.MoveNextAsync()) return null;
        var first = enumerator.Current;

        var metadata = new Dictionary<string, string>
        {
            ["dbxsync_config"] = config.Id,
            ["dbxsync_generation"] = generation.ToString(CultureInfo.InvariantCulture),
            ["dbxsync_from_version"] = plan.FromVersion.ToString(CultureInfo.InvariantCulture),
            ["dbxsync_to_version"] = plan.ToVersion.ToString(CultureInfo.InvariantCulture),
        };
        if (part is { } number) metadata["dbxsync_part"] = number.ToString(CultureInfo.InvariantCulture);
        var options = new BlobWriteOptions { ContentType = "text/csv; charset=utf-8", Metadata = metadata };
        return await CsvBlobWriter.WriteAsync(blobs, BlobContainers.Exports, name, header, Prepend(first, enumerator), guard, options,
            n => { if (n % 100_000 == 0) context.Logger.LogInformation("{Blob}: {Rows} rows so far", name, n); },
            cancellationToken);
    }

    private static async IAsyncEnumerable<string?[]> Counted(IAsyncEnumerable<string?[]> rows, ProgressMeter meter)
    {
        await foreach (var row in rows)
        {
            yield return row;
            meter.Add(1, 0);
        }
    }

    private static async IAsyncEnumerable<string?[]> Prepend(string?[] first, IAsyncEnumerator<string?[]> rest)
    {
        yield return first;
        while (await rest.MoveNextAsync()) yield return rest.Current;
    }

    private Task WritePartManifestAsync(SyncContext context, TableName table, ExportPlan plan, ExportProgress progress, int part, string name, CsvBlobResult csv, string? lastKey, CancellationToken cancellationToken)
    {
        var manifest = Describe(context.Config, table, plan, progress.Generation);
        manifest["part"] = part;
        manifest["row_count"] = csv.Rows;
        manifest["bytes"] = csv.Bytes;
        manifest["sha256"] = csv.Sha256;
        manifest["columns"] = csv.Header;
        manifest["after_key"] = progress.LastKey;
        manifest["last_key"] = lastKey;
        manifest["blob"] = $"{BlobContainers.Exports}/{name}";
        manifest["created_at"] = time.GetUtcNow();
        return UploadJsonAsync(PartManifestName(name), manifest, cancellationToken);
    }

    /// <summary>What every manifest of an export says first: whose rows, which range, how read, which columns pair them.</summary>
    private static Dictionary<string, object?> Describe(SyncConfig config, TableName table, ExportPlan plan, long generation) => new()
    {
        ["config_id"] = config.Id,
        ["table"] = table.FullName,
        ["generation"] = generation,
        ["from_version"] = plan.FromVersion,
        ["to_version"] = plan.ToVersion,
        ["method"] = plan.Method,
        ["pk_column"] = config.PkColumn,
        ["label_column"] = config.LabelColumn,
    };

    private async Task UploadJsonAsync(string name, object value, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(value, new JsonSerializerOptions { WriteIndented = true }));
        await blobs.UploadAsync(BlobContainers.Exports, name, body, new BlobWriteOptions { ContentType = "application/json" }, cancellationToken);
    }

    /// <summary>
    /// Passes one page's rows through, remembering the last key and stopping after the row that reaches the byte
    /// bound (the next part starts after that row's key). Bytes are counted as UTF-8 cell text plus separators.
    /// </summary>
    private sealed class PageReader(IStatementResult result, string keyColumn, long maxBytes, ProgressMeter meter)
    {
        public string? LastKey { get; private set; }
        public bool StoppedEarly { get; private set; }

        public async IAsyncEnumerable<string?[]> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var key = result.Columns.Select(c => c.Name).ToList().FindIndex(n => string.Equals(n, keyColumn, StringComparison.OrdinalIgnoreCase));
            if (key < 0) throw new ValidationException($"The result has no column '{keyColumn}'.", "pk_column", "column-not-found");
            long bytes = 0;
            await foreach (var row in result.ReadRowsAsync(cancellationToken))
            {
                LastKey = row[key];
                yield return row;
                long rowBytes = 1;
                foreach (var cell in row) rowBytes += (cell is null ? 0 : Encoding.UTF8.GetByteCount(cell)) + 1;
                bytes += rowBytes;
                meter.Add(1, rowBytes);
                if (bytes >= maxBytes)
                {
                    StoppedEarly = true;
                    yield break;
                }
            }
        }
    }
}
