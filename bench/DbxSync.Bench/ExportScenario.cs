using System.Text;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using DbxSync.Core.Syncs.TableExport;
using static DbxSync.Bench.Measure;

namespace DbxSync.Bench;

/// <summary>
/// export: a 1,000,000-row, 8-column table, half unlabeled, to CSV (first run: snapshot); then 10,000 changed rows
/// with the change feed on (incremental run). Limits: the raw bytes of the same statement's result copied to a blob,
/// and the CSV serialisation of the same rows alone.
/// </summary>
public static class ExportScenario
{
    public const string Container = "bench";

    public static async Task<List<CaseResult>> RunAsync(BenchContext ctx, long rows, CancellationToken ct)
    {
        await ctx.EnsureSchemaAsync(ct);
        await ctx.Blobs.EnsureContainerAsync(Container, ct);
        var name = $"{BenchContext.Catalog}.{BenchContext.Schema}.export_{ctx.Suffix}";
        var table = TableName.Parse(name);
        BenchContext.Step($"export: creating {name} with {rows:N0} rows (half unlabeled) in the emulator");
        var setup = await SecondsAsync(() => ctx.CreateItemsTableAsync(name, rows, labeledHalf: true, ct));
        BenchContext.Step(F($"export: table ready in {setup:F1} s"));
        var configId = await ctx.CreateConfigAsync($"bench export {ctx.Suffix}", "table", name, new() { ["pk_column"] = "id", ["label_column"] = "label" }, ct);

        var cases = new List<CaseResult>();
        // Snapshot (first run).
        await ctx.RestartAppAsync(ct);
        BenchContext.Step("export: run 1 (snapshot of unlabeled rows)");
        var (run, wall) = await ctx.RunAsync(configId, ct);
        var peak = ctx.AppMemory().Peak / MiB;
        var version = Long(run, "to_version");
        var snapshotColumns = await ColumnsAsync(ctx, table, version, ct);
        cases.Add(await CaseAsync(ctx, F($"snapshot: {rows:N0} rows x 8 cols, half unlabeled -> CSV"), run, wall, peak,
            ExportQueries.Snapshot(table, snapshotColumns, version), ExportQueries.Snapshot(table, snapshotColumns, version, FirstPart), rateTarget: true, ct));

        // Incremental: 10,000 changed rows, half of them unlabeled, on a worker that has run an incremental export
        // before, as the one worker of an app does tick after tick: a one-row change goes first, unmeasured (the first
        // run after a start also pays for JIT; its time is in the note). Peak memory counts both runs.
        var changed = rows / 100;
        var modulo = rows / changed * 2;
        await ctx.SqlAsync(F($"UPDATE {name} SET text = concat(text, ' (warm-up)') WHERE id = 2"), ct);
        await ctx.RestartAppAsync(ct);
        BenchContext.Step("export: run 2 (change feed, one changed row: the worker's first incremental run, not measured)");
        var (_, coldWall) = await ctx.RunAsync(configId, ct);
        await ctx.SqlAsync(F($"UPDATE {name} SET text = concat(text, ' (edited)') WHERE id % {modulo} IN (0, 1)"), ct);
        BenchContext.Step(F($"export: run 3 (change feed, {changed:N0} changed rows)"));
        (run, wall) = await ctx.RunAsync(configId, ct);
        peak = ctx.AppMemory().Peak / MiB;
        var changeColumns = await ColumnsAsync(ctx, table, Long(run, "to_version"), ct);
        var incremental = await CaseAsync(ctx, F($"incremental: {changed:N0} changed rows, change data feed -> CSV"), run, wall, peak,
            ExportQueries.ChangeFeed(table, changeColumns, Long(run, "from_version"), Long(run, "to_version")),
            ExportQueries.ChangeFeed(table, changeColumns, Long(run, "from_version"), Long(run, "to_version"), FirstPart), rateTarget: false, ct);
        cases.Add(incremental with { Note = incremental.Note + F($"; the worker's first incremental run after its start (one row) took {coldWall.TotalSeconds:F2} s") });
        return cases;
    }

    /// <summary>The first keyset page as the app sends it with its default part size (ORDER BY key, LIMIT part rows).</summary>
    private static readonly KeysetPage FirstPart = new(new ExportPartOptions().PartRows, AfterKey: false);

    /// <summary>The export's columns (and marker) at a version, as the app builds them.</summary>
    private static async Task<ExportColumns> ColumnsAsync(BenchContext ctx, TableName table, long version, CancellationToken ct)
    {
        var result = await ctx.Workspace.ExecuteAsync(ExportQueries.Columns(table, version), null, new StatementOptions { WarehouseId = ctx.WarehouseId }, ct);
        return ExportColumns.For(result.Columns, "id", "label");
    }

    private static async Task<CaseResult> CaseAsync(BenchContext ctx, string label, System.Text.Json.Nodes.JsonObject run, TimeSpan wall, double peak, string statement,
        string pagedStatement, bool rateTarget, CancellationToken ct)
    {
        long exported = Long(run, "rows"), bytes = Long(run, "bytes");
        BenchContext.Step(F($"export: {exported:N0} rows, {bytes:N0} bytes in {wall.TotalSeconds:F2} s; measuring the limits"));

        // Raw copy: the same statement's result chunks, byte for byte, into a blob (what the run reads and writes, minus parsing and CSV).
        long rawBytes = 0;
        var raw = await SecondsAsync(async () =>
        {
            await using var blob = await ctx.Blobs.OpenWriteAsync(Container, $"raw/export-{ctx.Suffix}-{Guid.NewGuid():N}.json", null, ct);
            rawBytes = await ctx.Raw.CopyResultAsync(statement, blob, ct);
            await blob.CommitAsync(ct);
        });

        // The rows as the client parses them (kept in memory here: the bench's memory is not measured).
        var fetched = new List<string?[]>();
        var fetch = await SecondsAsync(async () =>
        {
            var result = await ctx.Workspace.ExecuteAsync(statement, null, new StatementOptions { WarehouseId = ctx.WarehouseId, LargeResult = true }, ct);
            await foreach (var row in result.ReadRowsAsync(ct)) fetched.Add(row);
        });

        // The same rows as the app asks for them, as the first part of an export in parts (issue 23's keyset pages): not
        // a limit of ours, it shows what ordering by the key costs the engine.
        var paged = await SecondsAsync(async () =>
        {
            var result = await ctx.Workspace.ExecuteAsync(pagedStatement, null, new StatementOptions { WarehouseId = ctx.WarehouseId, LargeResult = true }, ct);
            await foreach (var _ in result.ReadRowsAsync(ct)) { }
        });

        // CSV serialisation of the same rows alone.
        var header = Enumerable.Range(0, fetched.Count > 0 ? fetched[0].Length : 0).Select(i => "c" + i).ToList();
        var csv = Seconds(() =>
        {
            using var writer = CsvHelper.CsvWriter.Create(Stream.Null, CsvHelper.CsvWriterOptions.Default, leaveOpen: true);
            writer.WriteRecord([.. header]);
            foreach (var row in fetched) writer.WriteRecord(row!);
        });

        var w = wall.TotalSeconds;
        var limits = new List<Limit>
        {
            Limit(F($"raw copy: statement result bytes -> blob ({rawBytes / MiB:F0} MiB)"), raw, w),
            Limit(F($"csv alone: CsvHelper writer over {fetched.Count:N0} rows in memory"), csv, w),
            Limit("source: statement + chunk download + row parsing, no output", fetch, w),
            Limit("paged source: the same as the first keyset page the app sends (ORDER BY key, LIMIT part rows), for reference", paged, w),
        };
        var rate = exported / w;
        var targets = CommonTargets(peak, w, limits);
        // 10,000 rows take well under a second: that case is about latency and memory, not rows/s.
        if (rateTarget) targets.Insert(0, AtLeast("end to end", rate, 100_000, "rows/s"));
        return new CaseResult
        {
            Case = label, WallSeconds = w, RunSeconds = Long(run, "duration_ms") / 1000.0, Rows = exported, Files = Long(run, "files"), Bytes = bytes,
            Throughput = rate, ThroughputUnit = "rows/s", PeakWorkingSetMiB = peak, Limits = limits, Targets = targets,
            Note = F($"the statement returns {fetched.Count:N0} rows; {exported:N0} go to the CSV"),
        };
    }
}
