using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using DbxSync.Core.Syncs.TableExport;
using DbxSync.Databricks;
using DbxSync.Databricks.Adapters;
using static DbxSync.Bench.Measure;

namespace DbxSync.Bench;

/// <summary>
/// download: the same EXTERNAL_LINKS result (a snapshot statement of an N-row table, half unlabeled) read through the
/// client with chunks downloaded one after another, and read ahead in parallel within the default byte budget.
/// Measured in this process (the client alone, no app): rows/s of each and the ratio.
/// </summary>
public static class ChunkDownloadScenario
{
    public static async Task<List<CaseResult>> RunAsync(BenchContext ctx, long rows, CancellationToken ct)
    {
        await ctx.EnsureSchemaAsync(ct);
        var name = $"{BenchContext.Catalog}.{BenchContext.Schema}.download_{ctx.Suffix}";
        BenchContext.Step($"download: creating {name} with {rows:N0} rows (half unlabeled)");
        await ctx.CreateItemsTableAsync(name, rows, labeledHalf: true, ct);
        var table = TableName.Parse(name);
        var version = await TableExportSync.ReadLatestVersionAsync(ctx.Workspace, ctx.WarehouseId, table, ct);
        var columns = ExportColumns.For((await ctx.Workspace.ExecuteAsync(ExportQueries.Columns(table, version), null, new StatementOptions { WarehouseId = ctx.WarehouseId }, ct)).Columns, "id", "label");
        var statement = ExportQueries.Snapshot(table, columns, version);

        var defaults = new DatabricksClientOptions();
        var sequential = await ReadAsync(ctx, statement, 1, ct);
        var parallel = await ReadAsync(ctx, statement, defaults.MaxParallelChunkDownloads, ct);
        BenchContext.Step(F($"download: sequential {sequential.Seconds:F2} s, parallel {parallel.Seconds:F2} s for {parallel.Rows:N0} rows in {parallel.Chunks} chunks"));
        if (sequential.Rows != parallel.Rows || sequential.Checksum != parallel.Checksum)
            throw new InvalidOperationException("the parallel read gave other rows (or another order) than the sequential one");
        return
        [
            new CaseResult
            {
                Case = F($"EXTERNAL_LINKS read ahead: {parallel.Rows:N0} rows, {parallel.Chunks} chunks, {defaults.MaxParallelChunkDownloads} parallel within {defaults.MaxChunkBytesInFlight / MiB:F0} MiB"),
                WallSeconds = parallel.Seconds, Rows = parallel.Rows, Throughput = parallel.Rows / parallel.Seconds, ThroughputUnit = "rows/s",
                PeakWorkingSetMiB = 0,
                Limits = [Limit(F($"sequential: one chunk at a time ({sequential.Rows / sequential.Seconds:N0} rows/s)"), sequential.Seconds, parallel.Seconds)],
                Targets = [new("same rows in the same order", true, "checksum of every row in order matches")],
                Note = "in the bench process, so no app memory is measured (peak 0 = not measured); the emulator serves chunks from local files on the same 2 cores",
            },
        ];
    }

    private sealed record Read(double Seconds, long Rows, int Chunks, long Checksum);

    private static async Task<Read> ReadAsync(BenchContext ctx, string statement, int parallel, CancellationToken ct)
    {
        using var connector = new DatabricksConnector(new DatabricksClientOptions
        {
            AllowedWorkspaceHosts = DatabricksClientOptions.FromEnvironment().AllowedWorkspaceHosts, MaxParallelChunkDownloads = parallel,
        });
        var workspace = connector.Connect(new WorkspaceCredentials(BenchContext.Env("DATABRICKS_HOST"), WorkspaceAuthType.PersonalAccessToken, null, BenchContext.Env("DATABRICKS_TOKEN"), "bench-download-" + parallel));
        long rows = 0, checksum = 17;
        var chunks = new ChunkCounter();
        var seconds = await SecondsAsync(async () =>
        {
            var result = await workspace.ExecuteAsync(statement, null, new StatementOptions { WarehouseId = ctx.WarehouseId, LargeResult = true, RowProgress = chunks }, ct);
            await foreach (var row in result.ReadRowsAsync(ct))
            {
                rows++;
                checksum = unchecked(checksum * 31 + string.GetHashCode(row[0]));
            }
        });
        return new Read(seconds, rows, chunks.Count, checksum);
    }

    /// <summary>The client reports progress once per chunk read.</summary>
    private sealed class ChunkCounter : IProgress<long>
    {
        public int Count;
        public void Report(long value) => Interlocked.Increment(ref Count);
    }
}
