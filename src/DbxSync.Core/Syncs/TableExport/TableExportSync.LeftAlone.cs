using System.Globalization;
using System.Runtime.CompilerServices;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs.TableExport;

/// <summary>
/// The second half of a table export: rows an import left alone (<see cref="LeftAloneRows"/>) go out again, as
/// they are at the checkpoint's version and only while still unlabeled, in bounded parts like any export:
/// exports/{config}/{table}_g{n}_left_alone_v{version}_{batch}_part{000001}.csv with its manifest, one part per
/// <see cref="ExportPartWriter.PartRows"/> keys of one import's batch, oldest batch first, one batch in memory at a time. After each part the batch
/// keeps only the keys still to go and its part count, so a run stopped at its time limit (which starts no part it
/// cannot expect to finish, and then ends partial) or cut off continues with the next part. A crash between a part
/// and its bookkeeping writes that part again under the same name; only a checkpoint moved in between sends its keys
/// once more, which an import reports as already labeled, never as a lost row.
/// </summary>
public sealed partial class TableExportSync
{
    /// <summary>Keys per statement: each is one parameter.</summary>
    private const int KeysPerStatement = 500;

    private async Task<SyncResult> ExportLeftAloneAsync(SyncContext context, SyncResult changes, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var table = TableName.Parse(config.DatabricksPath);
        var leftAlone = new LeftAloneRows(blobs);
        // One batch in memory at a time; the first read also answers whether there is anything to do.
        await using var batches = leftAlone.ReadAsync(table, cancellationToken).GetAsyncEnumerator(cancellationToken);
        if (!await batches.MoveNextAsync()) return changes;
        var checkpoint = await state.GetCheckpointAsync(config.Id, cancellationToken);
        // Before the first export every unlabeled row goes out with the snapshot anyway; keep the keys until then.
        if (checkpoint.Version is not { } version) return changes;
        var schema = await ReadColumnsAsync(context, table, version, cancellationToken);
        if (schema is null) return changes;
        var columns = ExportColumns.For(schema, config.PkColumn!, config.LabelColumn!);
        var generation = await state.GetGenerationAsync(config.Id, cancellationToken);
        var partKeys = (int)Math.Min(parts.PartRows, int.MaxValue);

        var written = new List<(string Name, CsvBlobResult Csv)>();
        int partsRun = 0;
        long keysSent = 0;
        var slowest = TimeSpan.Zero;
        var stopped = false;
        do
        {
            var current = batches.Current;
            while (current.Keys.Count > 0 && !stopped)
            {
                if (partsRun > 0 && !parts.ExpectsAnotherPart(context, slowest))
                {
                    stopped = true;
                    break;
                }
                var started = time.GetTimestamp();
                var keys = current.Keys.Take(partKeys).ToList();
                var fileName = string.Create(CultureInfo.InvariantCulture,
                    $"{config.Id}/{table.Table}_g{generation}_left_alone_v{version}_{Path.GetFileNameWithoutExtension(current.BlobName)}_part{current.PartsDone + 1:D6}.csv");
                var plan = new ExportPlan(ExportKind.LeftAlone, version, version, $"{keys.Count} rows left alone by imports, at v{version}");
                var result = await KeyedRowsResult.StartAsync(context, ExportQueries.Keys(table, columns, version), keys, cancellationToken);
                var csv = await parts.WriteFileAsync(context, table, plan, generation, result, fileName, cancellationToken);
                current = await leftAlone.AdvanceAsync(current, keys.Count, cancellationToken);
                if (csv is not null) written.Add((fileName, csv));
                partsRun++;
                keysSent += keys.Count;
                var took = time.GetElapsedTime(started);
                if (took > slowest) slowest = took;
            }
        }
        while (!stopped && await batches.MoveNextAsync());

        var rows = written.Sum(w => w.Csv.Rows);
        context.Logger.LogInformation("Exported {Rows} of {Keys} rows that imports left alone (the rest are labeled or gone) in {Files} file(s){Stopped}",
            rows, keysSent, written.Count, stopped ? "; stopped at the run's time limit, the next run continues" : "");
        if (written.Count == 0 && !stopped) return changes;
        var outputs = written.Select(w => $"{BlobContainers.Exports}/{w.Name}").ToList();
        if (changes.Output is not null) outputs.Insert(0, changes.Output);
        return changes with
        {
            Outcome = stopped ? RunOutcome.Partial : RunOutcome.Succeeded,
            Rows = changes.Rows + rows,
            Files = changes.Files + written.Count,
            Bytes = changes.Bytes + written.Sum(w => w.Csv.Bytes),
            Output = outputs.Count == 0 ? null : string.Join(", ", outputs),
            Message = $"{changes.Message}; {rows} rows left alone by imports exported again" +
                      (stopped ? "; stopped at the run's time limit, the next run continues with the rows still left alone" : ""),
        };
    }

    /// <summary>The rows of many keys, read statement by statement (one per <see cref="KeysPerStatement"/> keys) as one result.</summary>
    private sealed class KeyedRowsResult(SyncContext context, Func<int, string> statement, IReadOnlyList<string> keys, IStatementResult first) : IStatementResult
    {
        public static async Task<KeyedRowsResult> StartAsync(SyncContext context, Func<int, string> statement, IReadOnlyList<string> keys, CancellationToken cancellationToken)
            => new(context, statement, keys, await RunAsync(context, statement, keys, 0, cancellationToken));

        public string StatementId => first.StatementId;
        public IReadOnlyList<SqlColumn> Columns => first.Columns;
        public long? TotalRowCount => null;

        public async IAsyncEnumerable<string?[]> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var current = first;
            for (var start = 0; start < keys.Count; start += KeysPerStatement)
            {
                if (start > 0) current = await RunAsync(context, statement, keys, start, cancellationToken);
                await foreach (var row in current.ReadRowsAsync(cancellationToken)) yield return row;
            }
        }

        private static Task<IStatementResult> RunAsync(SyncContext context, Func<int, string> statement, IReadOnlyList<string> keys, int start, CancellationToken cancellationToken)
        {
            var batch = keys.Skip(start).Take(KeysPerStatement).ToList();
            var parameters = batch.Select((k, i) => new SqlParameter(string.Create(CultureInfo.InvariantCulture, $"k{i}"), k)).ToList();
            return context.Workspace.ExecuteAsync(statement(batch.Count), parameters,
                new StatementOptions { WarehouseId = context.WarehouseId, LargeResult = true }, cancellationToken);
        }
    }
}
