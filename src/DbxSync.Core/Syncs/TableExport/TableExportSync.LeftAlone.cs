using System.Globalization;
using System.Runtime.CompilerServices;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs.TableExport;

/// <summary>
/// The second half of a table export: rows an import left alone (<see cref="LeftAloneRows"/>) go out again, as
/// they are at the checkpoint's version and only while still unlabeled, in
/// exports/{config}/{table}_[g{n}_]left_alone_v{version}_{batch}.csv with its manifest. The kept keys are dropped
/// only after the file is written: a crash in between sends them once more, which an import reports as already
/// labeled, never as a lost row.
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
        var batches = await leftAlone.ListAsync(table, cancellationToken);
        if (batches.Count == 0) return changes;
        var checkpoint = await state.GetCheckpointAsync(config.Id, cancellationToken);
        // Before the first export every unlabeled row goes out with the snapshot anyway; keep the keys until then.
        if (checkpoint.Version is not { } version) return changes;
        var schema = await ReadColumnsAsync(context, table, version, cancellationToken);
        if (schema is null) return changes;
        var columns = ExportColumns.For(schema, config.PkColumn!, config.LabelColumn!);
        var keys = batches.SelectMany(b => b.Keys).Distinct(StringComparer.Ordinal).ToList();

        var generation = await state.GetGenerationAsync(config.Id, cancellationToken);
        var fileName = string.Create(CultureInfo.InvariantCulture,
            $"{config.Id}/{table.Table}_{(generation == 0 ? "" : $"g{generation}_")}left_alone_v{version}_{Path.GetFileNameWithoutExtension(batches[^1].BlobName)}.csv");
        var plan = new ExportPlan(ExportKind.LeftAlone, version, version, $"{keys.Count} rows left alone by imports, at v{version}");
        var result = await KeyedRowsResult.StartAsync(context, ExportQueries.Keys(table, columns, version), keys, cancellationToken);
        var csv = await WriteCsvAsync(context, result, plan, fileName, cancellationToken);
        if (csv is not null) await WriteManifestAsync(config, table, plan, fileName, csv, cancellationToken);
        foreach (var batch in batches) await leftAlone.DeleteAsync(batch, cancellationToken);
        context.Logger.LogInformation("Exported {Rows} of {Keys} rows that imports left alone (the rest are labeled or gone) to {Container}/{Blob}",
            csv?.Rows ?? 0, keys.Count, BlobContainers.Exports, csv is null ? "(no file)" : fileName);
        if (csv is null) return changes;
        return changes with
        {
            Outcome = RunOutcome.Succeeded,
            Rows = changes.Rows + csv.Rows,
            Files = changes.Files + 1,
            Bytes = changes.Bytes + csv.Bytes,
            Output = changes.Output is null ? $"{BlobContainers.Exports}/{fileName}" : $"{changes.Output}, {BlobContainers.Exports}/{fileName}",
            Message = $"{changes.Message}; {csv.Rows} rows left alone by imports exported again",
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
