using System.Globalization;
using System.Text.Json;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.Syncs;
using DbxSync.Syncs.Tests.Infrastructure;

namespace DbxSync.Syncs.Tests;

/// <summary>
/// A labeled file that comes back without the row marker column (the labeler dropped it): the soak's finding
/// `./dbxsync soak 40 --seed 3 --faults delete-row,drop-marker`, cycle 13, "deleted row 185 is back".
/// </summary>
public sealed class MarkerlessImportTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_file_without_the_marker_column_never_brings_a_deleted_row_back(bool useStaging)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(4, changeDataFeed: true);
        var import = await stack.CreateImportConfigAsync(table, useStaging);
        // The rows as the export wrote them, less the marker column the labeler dropped.
        var exported = await stack.QueryAsync($"SELECT id, text, score FROM {table} ORDER BY id");
        await stack.SqlAsync($"DELETE FROM {table} WHERE id = 3");
        var lines = exported.Select(r => $"{r[0]},\"{r[1]!.Replace("\"", "\"\"")}\",{r[2]},{ExportFiles.LabelFor(long.Parse(r[0]!, CultureInfo.InvariantCulture))}");
        var blob = $"{import.Id}/no-marker.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, string.Concat(new[] { "id,text,score,label" }.Concat(lines).Select(l => l + "\r\n")));

        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        var labels = await stack.LabelsAsync(table);
        Assert.False(labels.ContainsKey(3), "the deleted row 3 is back");
        Assert.Equal([1L, 2L, 4L], labels.Keys);
        Assert.All(labels, kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));
        Assert.Equal(3, run.UpdatedRows);
        Assert.Equal(0, run.InsertedRows);
        using var report = JsonDocument.Parse(await stack.ReadBlobAsync(BlobContainers.Processed, blob + ".report.json"));
        Assert.Equal(1, report.RootElement.GetProperty("deleted_since_export").GetInt64());
    }

    /// <summary>The soak's finding `SoakTests` seed 1, cycle 3: "row 14 was exported again though unchanged since its last export".</summary>
    [Fact]
    public async Task A_row_edited_after_its_export_and_left_alone_by_a_file_without_the_marker_goes_out_once_through_the_change_feed()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(4, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        var import = await stack.CreateImportConfigAsync(table, useStaging: true);
        var file = await ExportFiles.ExportOnceAsync(stack, export.Id);
        await stack.SqlAsync($"UPDATE {table} SET text = 'edited after the export' WHERE id = 2");

        // The labeler returns every row labeled, without the marker column.
        int marker = file.Column(RowMarker.Column), label = file.Column("label"), id = file.Column("id");
        static string Quote(string v) => "\"" + v.Replace("\"", "\"\"") + "\"";
        var lines = new[] { string.Join(",", file.Header.Where((_, i) => i != marker).Select(Quote)) }
            .Concat(file.Rows.Select(r => string.Join(",", r.Select((v, i) => i == label ? ExportFiles.LabelFor(long.Parse(r[id], CultureInfo.InvariantCulture)) : v)
                .Where((_, i) => i != marker).Select(Quote))));
        var blob = $"{import.Id}/no-marker.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, ExportFiles.Csv([.. lines]));
        await ExportFiles.ImportLeavingOneRowAloneAsync(stack, table, blob, changedId: 2);

        // Its columns differ from the table's, so it was edited: the change feed sends it, and only the change feed.
        var again = await ExportFiles.ExportOnceAsync(stack, export.Id);
        Assert.Equal([2L], again.Ids);
        Assert.Equal("edited after the export", again.Rows.Single()[again.Column("text")]);
        Assert.DoesNotContain("_left_alone_", again.Name);
        Assert.Empty(await stack.ListAsync(BlobContainers.Exports, LeftAloneRows.Prefix(TableName.Parse(table))));
    }
}
