using System.Text.Json;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.Syncs;
using DbxSync.Syncs.Tests.Infrastructure;

namespace DbxSync.Syncs.Tests;

/// <summary>Issue 18: nothing an import leaves alone is stranded; files without the marker are guarded by their columns.</summary>
public sealed class LeftAloneTests
{
    private static JsonElement Report(byte[] json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public async Task Keys_are_kept_in_bounded_batches_read_one_by_one_in_order_and_an_import_tried_again_writes_the_same_batches_over()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = TableName.Parse($"main.s.left_alone_{Guid.NewGuid():N}");
        var store = new LeftAloneRows(stack.Blobs, maxKeysPerBatch: 10);
        var keys = Enumerable.Range(1, 25).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var fileTime = new DateTimeOffset(2026, 12, 6, 4, 0, 0, TimeSpan.Zero);

        // The same file version imported twice (a crash before it counted as imported): one set of batches.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var writer = store.Begin(table, "labeled/c/f.csv", "etag-1", fileTime);
            foreach (var key in keys) await writer.AddAsync(key, CancellationToken.None);
            await writer.CompleteAsync(CancellationToken.None);
            Assert.Equal(25, writer.Count);
        }
        // A later version of the file is another import: its batch comes after.
        var later = store.Begin(table, "labeled/c/f.csv", "etag-2", fileTime.AddMinutes(1));
        await later.AddAsync("99", CancellationToken.None);
        await later.CompleteAsync(CancellationToken.None);

        var batches = new List<LeftAloneRows.Batch>();
        await foreach (var batch in store.ReadAsync(table, CancellationToken.None)) batches.Add(batch);
        Assert.Equal([10, 10, 5, 1], batches.Select(b => b.Keys.Count));
        Assert.Equal([.. keys, "99"], batches.SelectMany(b => b.Keys));
        Assert.Equal(4, (await stack.ListAsync(BlobContainers.Exports, LeftAloneRows.Prefix(table))).Count);
    }

    [Fact]
    public async Task A_row_left_alone_whose_table_row_did_not_change_goes_out_again_and_then_takes_its_label()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(6, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        var import = await stack.CreateImportConfigAsync(table, useStaging: true);
        var file = await ExportFiles.ExportOnceAsync(stack, export.Id);

        // Row 2 comes back with a marker that does not match its (unchanged) row, as a file made under another
        // formula or session would: it is left alone, and nothing in the change feed will ever show it again.
        int id = file.Column("id"), marker = file.Column(RowMarker.Column);
        var row3Marker = file.Rows.Single(r => r[id] == "3")[marker];
        var tampered = file with { Rows = file.Rows.Select(r => r[id] == "2" ? r.Select((v, i) => i == marker ? row3Marker : v).ToList() : r).ToList() };
        var blob = $"{import.Id}/first.csv";
        await stack.UploadAsync(BlobContainers.Labeled, blob, ExportFiles.Label(tampered));
        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);
        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(5, run.UpdatedRows);
        Assert.Null((await stack.LabelsAsync(table))[2]);
        Assert.Single(await stack.ListAsync(BlobContainers.Exports, LeftAloneRows.Prefix(TableName.Parse(table))));

        // The next export sends row 2 again (fresh marker), although the table row did not change.
        var again = await ExportFiles.ExportOnceAsync(stack, export.Id);
        Assert.Equal("left_alone", again.Manifest.GetProperty("method").GetString());
        Assert.Contains("_left_alone_", again.Name);
        Assert.Equal([2L], again.Ids);
        Assert.Empty(await stack.ListAsync(BlobContainers.Exports, LeftAloneRows.Prefix(TableName.Parse(table))));

        var second = $"{import.Id}/second.csv";
        await stack.UploadAsync(BlobContainers.Labeled, second, ExportFiles.Label(again));
        var run2 = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, second);
        Assert.True(run2!.Outcome == RunOutcome.Succeeded, run2.Error);
        Assert.Equal(1, run2.UpdatedRows);
        Assert.All(await stack.LabelsAsync(table), kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Without_the_marker_the_rows_columns_guard_the_label_as_typed_values(bool useStaging)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(4, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging);
        var rows = (await stack.QueryAsync($"SELECT id, text, score FROM {table} ORDER BY id")).ToDictionary(r => r[0]!);
        await stack.SqlAsync($"UPDATE {table} SET text = 'edited after the export' WHERE id = 2");
        string Line(string id, string score) => $"{id},\"{rows[id][1]!.Replace("\"", "\"\"")}\",{score},{ExportFiles.LabelFor(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture))}";
        // A labeling tool that dropped the marker and wrote 0.1 as 0.10: the same value, not a change.
        var content = ExportFiles.Csv("id,text,score,label", Line("1", "0.10"), Line("2", rows["2"][2]!), Line("3", rows["3"][2]!), Line("4", "0.400"));
        var blob = $"{import.Id}/nomarker.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, content);

        var report = await ExportFiles.ImportLeavingOneRowAloneAsync(stack, table, blob, changedId: 2);

        Assert.Equal(0, report.GetProperty("unguarded").GetInt64());
        Assert.Equal("2", report.GetProperty("not_applied_keys")[0].GetProperty("key").GetString());
        // Row 2's columns differ from the table's: it was edited, so the export's change detection sends it again,
        // not a left-alone file as well.
        Assert.Empty(await stack.ListAsync(BlobContainers.Exports, LeftAloneRows.Prefix(TableName.Parse(table))));
    }

    [Fact]
    public async Task A_file_with_neither_marker_nor_columns_is_applied_and_the_report_and_run_say_how_many_without_a_guard()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(3, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging: true);
        var blob = $"{import.Id}/bare.csv";
        await stack.UploadAsync(BlobContainers.Labeled, blob, ExportFiles.LabelIds([1, 2]));

        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(2, run.UpdatedRows);
        var report = Report(await stack.ReadBlobAsync(BlobContainers.Processed, blob + ".report.json"));
        Assert.Equal(2, report.GetProperty("unguarded").GetInt64());
        Assert.Contains("neither the _dbxsync_row_marker column nor the row's other columns", report.GetProperty("unguarded_reason").GetString());
        var recorded = await stack.RunRepository.GetAsync(import.Id, run.RunId);
        Assert.Contains("2 labeled rows applied without a guard", recorded!.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_utf8_lcase_key_is_unique_case_insensitively_with_a_line_number_and_matches_any_case(bool useStaging)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = $"{SyncStack.Catalog}.{SyncStack.Schema}.{SyncStack.UniqueName("lcase")}";
        await stack.SqlAsync($"CREATE TABLE {table} (id STRING COLLATE UTF8_LCASE NOT NULL, text STRING, label STRING)");
        await stack.SqlAsync($"INSERT INTO {table} VALUES ('Abc', 'a', NULL), ('def', 'd', NULL)");
        var import = await stack.CreateImportConfigAsync(table, useStaging);

        // 'Abc' and 'abc' are one key to the MERGE: the file is refused with the line, never a MERGE error without one.
        var duplicate = $"{import.Id}/dup.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, duplicate, ExportFiles.Csv("id,label", "Abc,x", "def,y", "abc,z"));
        var refused = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, duplicate);
        Assert.NotNull(refused!.Error);
        Assert.Contains("line 4", refused.Error);
        Assert.Contains("repeats the one on line 2", refused.Error);

        var good = $"{import.Id}/good.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, good, ExportFiles.Csv("id,label", "ABC,x", "DEF,y"));
        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, good);
        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(2, run.UpdatedRows);
        Assert.Equal(0, run.InsertedRows);
        Assert.Equal(["Abc|x", "def|y"], (await stack.QueryAsync($"SELECT id, label FROM {table} ORDER BY id")).Select(r => $"{r[0]}|{r[1]}"));
    }

    [Fact]
    public async Task When_the_workspace_reads_fewer_rows_than_were_validated_nothing_is_merged_and_the_import_fails_saying_so()
    {
        // Every second read of a labeled blob (the one staged in the volume after validation) loses its last line:
        // the workspace then reads another file than the one validated, as a reader binding columns otherwise would.
        var opens = 0;
        await using var stack = await SyncStack.CreateAsync(services => DelegatingBlobStore.Wrap(services, inner => new LastLineDroppingBlobStore(inner, () => ++opens % 2 == 0)));
        var table = await stack.CreateItemsTableAsync(3, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging: true);
        var blob = $"{import.Id}/short.csv";
        await stack.UploadAsync(BlobContainers.Labeled, blob, ExportFiles.LabelIds([1, 2, 3]));

        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.Equal(RunOutcome.Failed, run!.Outcome);
        Assert.Contains("read 2 labeled rows from the MERGE source, but validation counted 3", run.Error);
        Assert.All(await stack.LabelsAsync(table), kv => Assert.Null(kv.Value));
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Labeled, blob));
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Failed, blob));
    }

    [Fact]
    public async Task A_staged_file_is_read_by_its_header_names_so_every_validated_row_is_merged()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(3, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging: true);
        // Columns in another order and case than the table: a reader binding by name finds them by these names.
        var blob = $"{import.Id}/reordered.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, ExportFiles.Csv("Label,ID", "x1,1", "x2,2", "x3,3"));

        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(3, run.UpdatedRows);
        Assert.Equal(["x1", "x2", "x3"], (await stack.LabelsAsync(table)).Values);
    }
}

/// <summary>The app's IBlobStore, but reads of labeled/ blobs chosen by <paramref name="drop"/> lose the file's last line.</summary>
internal sealed class LastLineDroppingBlobStore(IBlobStore inner, Func<bool> drop) : DelegatingBlobStore(inner)
{
    public override async Task<Stream> OpenReadAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var stream = await Inner.OpenReadAsync(container, name, ifMatch, cancellationToken);
        if (container != BlobContainers.Labeled || !drop()) return stream;
        using var reader = new StreamReader(stream);
        var text = (await reader.ReadToEndAsync(cancellationToken)).TrimEnd('\n');
        return new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text[..(text.LastIndexOf('\n') + 1)]));
    }
}
