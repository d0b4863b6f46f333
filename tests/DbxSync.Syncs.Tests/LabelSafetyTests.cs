using System.Globalization;
using System.Text;
using System.Text.Json;
using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests;

/// <summary>Issue 13, import side: a label lands on the row it was meant for, exactly once, or is reported.</summary>
public sealed class LabelSafetyTests
{
    private static string Csv(params string[] lines) => string.Concat(lines.Select(l => l + "\r\n"));

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"") + "\"";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Labels_with_line_breaks_quotes_backslashes_commas_and_non_ascii_land_exactly(bool useStaging)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(6, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging);
        var tricky = new Dictionary<long, (string Text, string Label)>
        {
            [1] = ("first line\nsecond line", "multi\r\nline label"),
            [2] = ("she said \"hi\"", "a \"quoted\" label"),
            [3] = ("C:\\temp\\", "ends in a backslash \\"),
            [4] = ("a, b, c", "comma, separated"),
            [5] = ("Grüße, 東京 🚀", "überprüft ✓"),
            [6] = ("\\\"escaped\\\"", "back\\\"slash quote"),
        };
        // The table holds what the file carries (without a marker, the row's columns guard the label).
        foreach (var (id, (text, _)) in tricky)
            await stack.QueryAsync($"UPDATE {table} SET text = :text, score = 0.5 WHERE id = :id",
                [new SqlParameter("text", text), new SqlParameter("id", id.ToString(CultureInfo.InvariantCulture), "BIGINT")]);
        var lines = new List<string> { "id,text,score,label" };
        lines.AddRange(tricky.Select(kv => $"{kv.Key},{Quote(kv.Value.Text)},0.5,{Quote(kv.Value.Label)}"));
        var blob = $"{import.Id}/tricky.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, Csv([.. lines]));

        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(6, run.UpdatedRows);
        Assert.Equal(0, run.InsertedRows);
        var labels = await stack.LabelsAsync(table);
        Assert.Equal(6, labels.Count);
        foreach (var (id, (_, label)) in tricky) Assert.Equal(label, labels[id]);
    }

    /// <summary>id, text, score and the row marker of each row as the export computes it (RowMarker over the non-label columns).</summary>
    private static async Task<Dictionary<long, string[]>> ExportedRowsAsync(SyncStack stack, string table)
    {
        var marker = RowMarker.Expression([new MarkerColumn("id", "BIGINT"), new MarkerColumn("text", "STRING"), new MarkerColumn("score", "DOUBLE")]);
        var rows = await stack.QueryAsync($"SELECT id, text, score, {marker} FROM {table}");
        return rows.ToDictionary(r => long.Parse(r[0]!, CultureInfo.InvariantCulture), r => r.Select(c => c ?? "").ToArray());
    }

    /// <summary>A labeled file as the labeling platform returns an export: id,text,score,label,marker.</summary>
    private static string LabeledFile(IEnumerable<string[]> rows, Func<long, string> label)
        => Csv([$"id,text,score,label,{RowMarker.Column}", .. rows.Select(r => $"{r[0]},{Quote(r[1])},{r[2]},{label(long.Parse(r[0], CultureInfo.InvariantCulture))},{r[3]}")]);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_label_applies_only_to_the_row_as_exported_and_stale_deleted_and_hand_labeled_rows_are_reported(bool useStaging)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(8, changeDataFeed: true);
        var import = await stack.CreateImportConfigAsync(table, useStaging);
        var exported = await ExportedRowsAsync(stack, table);

        // After the export: row 2 edited, row 3 erased, row 4 labeled by hand.
        await stack.SqlAsync($"UPDATE {table} SET text = 'rewritten' WHERE id = 2");
        await stack.SqlAsync($"DELETE FROM {table} WHERE id = 3");
        await stack.SqlAsync($"UPDATE {table} SET label = 'by-hand' WHERE id = 4");
        var content = LabeledFile(Enumerable.Range(1, 6).Select(i => exported[i]), ExportFiles.LabelFor)
                      + Csv($"100,{Quote("added by the labelers")},0.1,{ExportFiles.LabelFor(100)},");
        var blob = $"{import.Id}/batch.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, content);

        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(3, run.UpdatedRows);
        Assert.Equal(1, run.InsertedRows);
        var labels = await stack.LabelsAsync(table);
        Assert.Equal(ExportFiles.LabelFor(1), labels[1]);
        Assert.Null(labels[2]);                     // edited: still unlabeled, so it goes out again with its new text
        Assert.False(labels.ContainsKey(3));        // erased: not brought back
        Assert.Equal("by-hand", labels[4]);         // a label set by hand is kept
        Assert.Equal(ExportFiles.LabelFor(5), labels[5]);
        Assert.Equal(ExportFiles.LabelFor(6), labels[6]);
        Assert.Null(labels[7]);
        Assert.Equal(ExportFiles.LabelFor(100), labels[100]); // a new key without a marker is inserted
        Assert.Equal("rewritten", (await stack.QueryAsync($"SELECT text FROM {table} WHERE id = 2"))[0][0]);

        using (var report = JsonDocument.Parse(await stack.ReadBlobAsync(BlobContainers.Processed, blob + ".report.json")))
        {
            var root = report.RootElement;
            Assert.Equal(3, root.GetProperty("not_applied").GetInt64());
            Assert.Equal(1, root.GetProperty("changed_since_export").GetInt64());
            Assert.Equal(1, root.GetProperty("deleted_since_export").GetInt64());
            Assert.Equal(1, root.GetProperty("label_kept").GetInt64());
            var keys = root.GetProperty("not_applied_keys").EnumerateArray()
                .Select(k => (k.GetProperty("key").GetString(), k.GetProperty("reason").GetString())).OrderBy(k => k.Item1).ToList();
            Assert.Equal([("2", "changed"), ("3", "deleted"), ("4", "label_kept")], keys);
        }
        var recorded = await stack.RunRepository.GetAsync(import.Id, run.RunId);
        Assert.Contains("3 labeled rows not applied", recorded!.Message);
        Assert.Contains("2 (changed)", recorded.Message);
        Assert.Contains("3 (deleted)", recorded.Message);
        Assert.Contains("4 (label_kept)", recorded.Message);

        // The same file delivered again (a new upload, so a new ETag): nothing changes.
        var before = await stack.SnapshotAsync(table);
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, content);
        var again = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);
        Assert.True(again!.Outcome == RunOutcome.Succeeded, again.Error);
        Assert.Equal(0, again.UpdatedRows);
        Assert.Equal(0, again.InsertedRows);
        Assert.Equal(before, await stack.SnapshotAsync(table));
    }

    [Fact]
    public async Task Through_the_real_export_an_edited_row_keeps_no_stale_label_and_goes_out_again_with_its_new_text()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(5, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        var import = await stack.CreateImportConfigAsync(table, useStaging: true);
        var run1 = await stack.RunAsync(export.Id);
        Assert.True(run1.Outcome == RunOutcome.Succeeded, run1.Error);
        var file = await ExportFiles.ReadAsync(stack, (await ExportFiles.CsvNamesAsync(stack, export.Id)).Single());
        Assert.Contains(RowMarker.Column, file.Header);

        await stack.SqlAsync($"UPDATE {table} SET text = 'rewritten after export' WHERE id = 3");
        await stack.SqlAsync($"DELETE FROM {table} WHERE id = 5");
        var blob = $"{import.Id}/labeled.csv";
        await stack.UploadAsync(BlobContainers.Labeled, blob, ExportFiles.Label(file));
        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(3, run.UpdatedRows);
        Assert.Equal(0, run.InsertedRows);
        var labels = await stack.LabelsAsync(table);
        Assert.Equal([1L, 2L, 3L, 4L], labels.Keys);
        Assert.Null(labels[3]);
        Assert.All(labels.Where(kv => kv.Key != 3), kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));

        var run2 = await stack.RunAsync(export.Id);
        Assert.True(run2.Outcome == RunOutcome.Succeeded, run2.Error);
        var again = await ExportFiles.ReadAsync(stack, (await ExportFiles.CsvNamesAsync(stack, export.Id)).Last());
        var row = Assert.Single(again.Rows);
        Assert.Equal("3", row[again.Column("id")]);
        Assert.Equal("rewritten after export", row[again.Column("text")]);
    }

    [Fact]
    public async Task Overwrite_labels_replaces_a_label_set_by_hand_but_still_never_touches_edited_or_deleted_rows()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(4, changeDataFeed: false);
        var import = await stack.CreateConfigAsync(new SyncConfigInput
        {
            ConfigType = "table_reverse", DatabricksPath = table, PkColumn = "id", LabelColumn = "label", OverwriteLabels = true,
        });
        Assert.True(import.OverwriteLabels);
        var exported = await ExportedRowsAsync(stack, table);
        await stack.SqlAsync($"UPDATE {table} SET label = 'by-hand' WHERE id IN (1, 2)");
        await stack.SqlAsync($"UPDATE {table} SET text = 'rewritten', label = 'by-hand' WHERE id = 2");
        await stack.SqlAsync($"DELETE FROM {table} WHERE id = 3");
        var blob = $"{import.Id}/overwrite.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, LabeledFile(exported.Values, ExportFiles.LabelFor));

        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        var labels = await stack.LabelsAsync(table);
        Assert.Equal(ExportFiles.LabelFor(1), labels[1]);
        Assert.Equal("by-hand", labels[2]);
        Assert.False(labels.ContainsKey(3));
        Assert.Equal(ExportFiles.LabelFor(4), labels[4]);
        Assert.Equal(2, run.UpdatedRows);
        Assert.Equal(0, run.InsertedRows);

        await Assert.ThrowsAsync<ValidationException>(() => stack.CreateConfigAsync(new SyncConfigInput
        {
            ConfigType = "table", DatabricksPath = table, PkColumn = "id", LabelColumn = "label", OverwriteLabels = true,
        }));
    }

    [Fact]
    public async Task The_spreadsheet_guard_never_changes_a_key_so_keys_starting_with_formula_characters_round_trip()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = $"{SyncStack.Catalog}.{SyncStack.Schema}.{SyncStack.UniqueName("keys")}";
        await stack.SqlAsync($"CREATE TABLE {table} (id STRING NOT NULL, text STRING, label STRING)");
        string[] keys = ["=1+1", "+49 30 1234", "-5", "@home", "plain"];
        await stack.SqlAsync($"INSERT INTO {table} (id, text, label) VALUES " +
                             string.Join(", ", keys.Select(k => $"('{k}', '=HYPERLINK(\"x\")', NULL)")));
        var export = await stack.CreateConfigAsync(new SyncConfigInput
        {
            ConfigType = "table", DatabricksPath = table, PkColumn = "id", LabelColumn = "label", SpreadsheetSafe = true,
        });
        var import = await stack.CreateImportConfigAsync(table, useStaging: false);

        var exportRun = await stack.RunAsync(export.Id);
        Assert.True(exportRun.Outcome == RunOutcome.Succeeded, exportRun.Error);
        var file = await ExportFiles.ReadAsync(stack, (await ExportFiles.CsvNamesAsync(stack, export.Id)).Single());
        int id = file.Column("id"), text = file.Column("text"), label = file.Column("label");
        Assert.Equal(keys.Order(), file.Rows.Select(r => r[id]).Order());
        Assert.All(file.Rows, r => Assert.Equal("'=HYPERLINK(\"x\")", r[text])); // the guard still protects other text

        var labeled = new StringBuilder(string.Join(",", file.Header.Select(Quote)) + "\r\n");
        foreach (var row in file.Rows)
            labeled.Append(string.Join(",", row.Select((cell, i) => Quote(i == label ? "L" + row[id] : cell)))).Append("\r\n");
        var blob = $"{import.Id}/keys.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, labeled.ToString());
        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(keys.Length, run.UpdatedRows);
        Assert.Equal(0, run.InsertedRows);
        var rows = await stack.QueryAsync($"SELECT id, label FROM {table}");
        Assert.Equal(keys.Length, rows.Count);
        Assert.All(rows, r => Assert.Equal("L" + r[0], r[1]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_blob_replaced_between_validation_and_merge_is_not_merged_and_its_new_version_is_imported_by_its_own_event(bool useStaging)
    {
        byte[]? replacement = null;
        string? target = null;
        var opens = 0;
        await using var stack = await SyncStack.CreateAsync(s => HookedBlobStore.Install(s, async (store, container, name) =>
        {
            // The labeling tool re-uploads the file right after validation read it (before the import's second read).
            if (name != target || replacement is null || ++opens < 2) return;
            var content = replacement;
            replacement = null;
            await store.UploadAsync(container, name, new MemoryStream(content), new BlobWriteOptions { ContentType = "text/csv" });
        }));
        var table = await stack.CreateItemsTableAsync(5, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging);
        var blob = $"{import.Id}/reupload.csv";
        var first = "id,label\r\n1,first\r\n2,first\r\n";
        var second = "id,label\r\n1,second\r\n3,second\r\n";
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, first);
        var version = await stack.VersionAsync(table);
        (target, replacement) = (blob, Encoding.UTF8.GetBytes(second));

        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.Equal(RunOutcome.NoChange, run!.Outcome);
        Assert.Contains("replaced", run.Message);
        Assert.Equal(version, await stack.VersionAsync(table));
        Assert.All(await stack.LabelsAsync(table), kv => Assert.Null(kv.Value));
        Assert.Equal(second, Encoding.UTF8.GetString(await stack.ReadBlobAsync(BlobContainers.Labeled, blob)));
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Processed, blob));

        var own = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);
        Assert.True(own!.Outcome == RunOutcome.Succeeded, own.Error);
        var labels = await stack.LabelsAsync(table);
        Assert.Equal("second", labels[1]);
        Assert.Null(labels[2]);
        Assert.Equal("second", labels[3]);
        Assert.Equal(second, Encoding.UTF8.GetString(await stack.ReadBlobAsync(BlobContainers.Processed, blob)));
    }

    [Fact]
    public async Task One_failing_file_in_a_scan_does_not_hold_up_the_files_behind_it()
    {
        string? broken = null;
        await using var stack = await SyncStack.CreateAsync(s => HookedBlobStore.Install(s, (_, _, name) =>
            name == broken ? throw new StorageException("injected: the storage account refused the read", 500, "InternalError") : Task.CompletedTask));
        var table = await stack.CreateItemsTableAsync(3, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging: false);
        broken = $"{import.Id}/a.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, broken, "id,label\r\n1,one\r\n");
        await stack.UploadTextAsync(BlobContainers.Labeled, $"{import.Id}/b.csv", "id,label\r\n2,two\r\n");
        await stack.UploadTextAsync(BlobContainers.Labeled, $"{import.Id}/notes.txt", "not a labeled file");

        var run = await stack.RunAsync(import.Id, RunTrigger.Scan);

        Assert.Contains("a.csv", run.Error);
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Labeled, broken));       // left for the next scan
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Processed, $"{import.Id}/b.csv"));
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Labeled, $"{import.Id}/notes.txt"));
        var labels = await stack.LabelsAsync(table);
        Assert.Null(labels[1]);
        Assert.Equal("two", labels[2]);
    }

    [Fact]
    public async Task A_table_column_the_identifier_rules_refuse_rejects_the_file_with_a_clear_error_instead_of_failing_every_run()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = $"{SyncStack.Catalog}.{SyncStack.Schema}.{SyncStack.UniqueName("odd")}";
        await stack.SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, `odd name` STRING, label STRING)");
        await stack.SqlAsync($"INSERT INTO {table} VALUES (1, 'x', NULL)");
        var import = await stack.CreateImportConfigAsync(table, useStaging: false);
        var blob = $"{import.Id}/a.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, "id,label\r\n1,one\r\n");

        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.Equal(RunOutcome.Failed, run!.Outcome);
        Assert.Contains("odd name", run.Error);
        Assert.Contains("table unchanged", run.Error);
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Failed, blob));
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Labeled, blob));
    }

    [Theory]
    [InlineData("{0}/../{1}/x.csv")]
    [InlineData("{0}/./x.csv")]
    [InlineData("{0}/%2e%2e/{1}/x.csv")]
    [InlineData("{0}/..%2F{1}%2Fx.csv")]
    [InlineData("{0}/sub\\..\\x.csv")]
    [InlineData("{0}/x.txt")]
    public async Task Blob_names_with_dot_segments_encoded_separators_or_another_extension_never_reach_any_file(string pattern)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(2, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging: false);
        var other = await stack.CreateImportConfigAsync(table, useStaging: false);
        var victim = $"{other.Id}/x.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, victim, "id,label\r\n1,victim\r\n");
        var name = string.Format(CultureInfo.InvariantCulture, pattern, import.Id, other.Id);

        var evented = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, name);
        var direct = await stack.RunAsync(import.Id, RunTrigger.BlobEvent, name);

        Assert.Null(evented);
        Assert.Equal(RunOutcome.NoChange, direct.Outcome);
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Labeled, victim));
        Assert.All(await stack.LabelsAsync(table), kv => Assert.Null(kv.Value));
    }
}

/// <summary>The app's own IBlobStore with a hook before each open for reading: plays a tool re-uploading a blob mid-import, or a storage failure.</summary>
internal sealed class HookedBlobStore(IBlobStore inner, Func<IBlobStore, string, string, Task> beforeOpen) : DelegatingBlobStore(inner)
{
    public static void Install(IServiceCollection services, Func<IBlobStore, string, string, Task> beforeOpen)
        => Wrap(services, inner => new HookedBlobStore(inner, beforeOpen));

    public override async Task<Stream> OpenReadAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken = default)
    {
        await beforeOpen(Inner, container, name);
        return await Inner.OpenReadAsync(container, name, ifMatch, cancellationToken);
    }
}
