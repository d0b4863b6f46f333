using System.Text;
using DbxSync.Core.Ports;
using static DbxSync.Bench.Measure;

namespace DbxSync.Bench;

/// <summary>
/// import: a 1,000,000-row labeled CSV dropped in labeled/{config}/ -> validation -> staging volume -> MERGE.
/// Limits: the raw byte copy of the same file from the blob to the staging volume, the CSV parsing of the same bytes
/// alone, and the engine's MERGE of the staged file alone.
/// </summary>
public static class ImportScenario
{
    private static readonly string[] Columns = ["id", "text", "category", "score", "quantity", "flagged", "region", "label"];

    public static async Task<List<CaseResult>> RunAsync(BenchContext ctx, long rows, CancellationToken ct)
    {
        await ctx.EnsureSchemaAsync(ct);
        var name = $"{BenchContext.Catalog}.{BenchContext.Schema}.import_{ctx.Suffix}";
        BenchContext.Step($"import: creating {name} with {rows:N0} unlabeled rows");
        await ctx.CreateItemsTableAsync(name, rows, labeledHalf: false, ct);
        await ctx.SqlAsync($"CREATE VOLUME IF NOT EXISTS {BenchContext.Catalog}.{BenchContext.Schema}.staging", ct);
        var staging = $"/Volumes/{BenchContext.Catalog}/{BenchContext.Schema}/staging";
        var configId = await ctx.CreateConfigAsync($"bench import {ctx.Suffix}", "table_reverse", name, new()
        {
            ["pk_column"] = "id", ["label_column"] = "label", ["use_staging"] = true, ["staging_volume_path"] = staging,
        }, ct);

        // The labeling platform's drop, generated straight into the blob (streaming: no file on disk). The blob event
        // starts the import as soon as the blob is committed, so the bench measures that triggered run itself (a POST
        // /run after the drop raced it and got 409): a fresh app first, then the drop, then the run it started.
        var blobName = $"{configId}/bench-{ctx.Suffix}.labeled.csv";
        await ctx.RestartAppAsync(ct);
        BenchContext.Step($"import: writing labeled/{blobName} ({rows:N0} rows); its blob event starts the run (validate -> stage -> MERGE -> move to processed/)");
        await using (var blob = await ctx.Blobs.OpenWriteAsync("labeled", blobName, new BlobWriteOptions { ContentType = "text/csv" }, ct))
        {
            await using (var text = new StreamWriter(blob, new UTF8Encoding(false), 1 << 20, leaveOpen: true))
                await WriteLabeledCsvAsync(text, rows);
            await blob.CommitAsync(ct);
        }
        var (run, wall) = await ctx.WaitForTriggeredRunAsync(configId, blobName, ct);
        var peak = ctx.AppMemory().Peak / MiB;
        long merged = Long(run, "rows"), bytes = Long(run, "bytes");
        if (merged != rows) throw new InvalidOperationException($"the import merged {merged} rows, expected {rows}: {run.ToJsonString()}");
        BenchContext.Step(F($"import: {merged:N0} rows ({bytes:N0} bytes) in {wall.TotalSeconds:F2} s; measuring the limits"));

        // Raw copy: the same bytes, blob -> staging volume (the byte path of the run, without validation or MERGE).
        var rawPath = $"{staging}/bench-raw-{ctx.Suffix}.csv";
        var raw = await SecondsAsync(async () =>
        {
            await using var content = await ctx.Blobs.OpenReadAsync("processed", blobName, ct);
            await ctx.Workspace.UploadFileAsync(rawPath, content, overwrite: true, ct);
        });

        // The engine alone: the MERGE the app sends for this file (with its row-marker guard), built by the app's own
        // MergeStatementBuilder from the same file's validation, over the same staged bytes (labels are the same: no net change).
        var merge = await AppMergeAsync(ctx, configId, name, staging, rawPath, ct);
        var engine = await SecondsAsync(async () =>
        {
            var result = await ctx.Workspace.ExecuteAsync(merge, null, new StatementOptions { WarehouseId = ctx.WarehouseId, IsWrite = true }, ct);
            await foreach (var _ in result.ReadRowsAsync(ct)) { }
        });
        await ctx.Workspace.DeleteFileAsync(rawPath, ct);

        // CSV parsing of the same bytes alone (in memory).
        var content = new MemoryStream();
        await using (var source = await ctx.Blobs.OpenReadAsync("processed", blobName, ct)) await source.CopyToAsync(content, ct);
        long parsed = 0;
        var csv = Seconds(() =>
        {
            content.Position = 0;
            using var reader = CsvHelper.CsvReader.Create(content, new CsvHelper.CsvReaderOptions { Separator = ',', HasHeader = false, AllowLineBreaksInQuotes = true }, leaveOpen: true);
            while (reader.Read()) parsed++;
        });

        var w = wall.TotalSeconds;
        var limits = new List<Limit>
        {
            Limit(F($"raw copy: blob -> staging volume ({bytes / MiB:F0} MiB)"), raw, w),
            Limit(F($"csv alone: CsvHelper reader over the same {parsed - 1:N0} rows in memory"), csv, w),
            Limit("engine: the same MERGE from the staged file, alone", engine, w),
        };
        var rate = merged / w;
        var targets = CommonTargets(peak, w, limits);
        targets.Insert(0, AtLeast("end to end", rate, 100_000, "rows/s"));
        return
        [
            new CaseResult
            {
                Case = F($"{rows:N0}-row labeled CSV -> validate -> staging -> MERGE"), WallSeconds = w, RunSeconds = Long(run, "duration_ms") / 1000.0,
                Rows = merged, Files = Long(run, "files"), Bytes = bytes, Throughput = rate, ThroughputUnit = "rows/s", PeakWorkingSetMiB = peak,
                Limits = limits, Targets = targets,
            },
        ];
    }

    /// <summary>The guarded MERGE LabeledImportSync sends for the staged file at <paramref name="stagedPath"/>.</summary>
    private static async Task<string> AppMergeAsync(BenchContext ctx, string configId, string tableName, string staging, string stagedPath, CancellationToken ct)
    {
        var table = DbxSync.Core.Sql.TableName.Parse(tableName);
        var tableInfo = await ctx.Workspace.GetTableAsync(table.FullName, ct) ?? throw new InvalidOperationException($"{tableName} is gone");
        var config = new DbxSync.Core.Configs.SyncConfig
        {
            Id = configId, Name = "bench import", ConfigType = DbxSync.Core.Configs.SyncConfigType.TableReverse, DatabricksPath = tableName,
            ServicePrincipalId = "bench", PkColumn = "id", LabelColumn = "label", UseStaging = true, StagingVolumePath = staging,
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        };
        var validation = await DbxSync.Core.Syncs.LabeledImport.LabeledFileValidator.ValidateAsync(
            c => ctx.Workspace.DownloadFileAsync(stagedPath, c), tableInfo, config, long.MaxValue, null, ct);
        if (!validation.IsValid) throw new InvalidOperationException("the bench's labeled file does not validate");
        var markerColumns = tableInfo.Columns.Where(c => !string.Equals(c.Name, config.LabelColumn, StringComparison.OrdinalIgnoreCase))
            .Select(c => new DbxSync.Core.Syncs.MarkerColumn(c.Name, c.TypeText)).ToList();
        var builder = new DbxSync.Core.Syncs.LabeledImport.MergeStatementBuilder(table, validation, markerColumns, config.OverwriteLabels);
        return builder.Merge(builder.StagedFileSource(stagedPath));
    }

    private static async Task WriteLabeledCsvAsync(StreamWriter text, long rows)
    {
        await text.WriteAsync(string.Join(',', Columns) + "\n");
        var line = new StringBuilder(128);
        for (long id = 1; id <= rows; id++)
        {
            line.Clear();
            line.Append(id).Append(",item text number ").Append(id).Append(",category").Append(id % 20).Append(',')
                .Append(((id % 1000) / 10.0).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',').Append(id % 500).Append(',')
                .Append(id % 3 == 0 ? "true" : "false").Append(',').Append(id % 4 == 0 ? "north" : "south").Append(",label").Append(id % 7).Append('\n');
            await text.WriteAsync(line);
        }
    }
}
