using System.Globalization;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using DbxSync.Syncs.Tests.Infrastructure;

namespace DbxSync.Syncs.Tests;

/// <summary>Issue 18: the row marker does not change when the data did not (column order, formula version).</summary>
public sealed class MarkerVersionTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_column_moved_between_export_and_import_keeps_every_label_and_exports_nothing_again(bool useStaging)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(5, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        var import = await stack.CreateImportConfigAsync(table, useStaging);
        var file = await ExportFiles.ExportOnceAsync(stack, export.Id);

        // ALTER COLUMN ... FIRST is logged as CHANGE COLUMN: no value changed, so no marker may change.
        await stack.SqlAsync($"ALTER TABLE {table} ALTER COLUMN score FIRST");
        Assert.Equal("CHANGE COLUMN", (await stack.HistoryAsync(table)).MaxBy(h => h.Version).Operation);
        var blob = $"{import.Id}/moved.csv";
        await stack.UploadAsync(BlobContainers.Labeled, blob, ExportFiles.Label(file));
        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(5, run.UpdatedRows);
        Assert.All(await stack.LabelsAsync(table), kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));
        // The move itself is no data change: the schema comparison finds the same names and types.
        var names = await ExportFiles.CsvNamesAsync(stack, export.Id);
        var next = await stack.RunAsync(export.Id);
        Assert.True(next.Outcome is RunOutcome.Succeeded or RunOutcome.NoChange, next.Error);
        Assert.Equal(names, await ExportFiles.CsvNamesAsync(stack, export.Id));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_file_exported_before_the_formula_changed_is_checked_with_the_formula_it_was_made_with(bool useStaging)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(4, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging);
        // Version 1 markers, as exports wrote them before: CAST AS STRING over the columns in table order, bare hex.
        var legacy = RowMarker.Expression(1, [new MarkerColumn("id", "BIGINT"), new MarkerColumn("text", "STRING"), new MarkerColumn("score", "DOUBLE")]);
        var rows = await stack.QueryAsync($"SELECT id, text, score, {legacy} FROM {table} ORDER BY id");
        Assert.All(rows, r => Assert.Equal(1, RowMarker.VersionOf(r[3]!)));
        await stack.SqlAsync($"UPDATE {table} SET text = 'edited after the export' WHERE id = 2");
        var content = ExportFiles.Csv([$"id,text,score,label,{RowMarker.Column}",
            .. rows.Select(r => $"{r[0]},\"{r[1]!.Replace("\"", "\"\"")}\",{r[2]},{ExportFiles.LabelFor(long.Parse(r[0]!, CultureInfo.InvariantCulture))},{r[3]}")]);
        var blob = $"{import.Id}/legacy.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, content);

        await ExportFiles.ImportLeavingOneRowAloneAsync(stack, table, blob, changedId: 2);
    }
}
