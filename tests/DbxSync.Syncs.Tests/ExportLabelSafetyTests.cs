using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DbxSync.Syncs.Tests;

/// <summary>Issue 13, export side: the row marker, the newest-image rule, recreated tables and schema changes.</summary>
public sealed class ExportLabelSafetyTests
{
    /// <summary>The marker as RowMarker defines it (version 2), computed here from the exported text of each column in name order.</summary>
    private static string ExpectedMarker(IEnumerable<string?> valuesInNameOrder)
        => "v2:" + Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(string.Join(",",
            valuesInNameOrder.Select(v => v is null ? "N" : string.Create(CultureInfo.InvariantCulture, $"{v.Length}:{v}"))))));

    /// <summary>The items tables' column types (only TIMESTAMP and nested types change the marker's formula).</summary>
    private static MarkerColumn[] Marked(params string[] names)
        => names.Select(n => new MarkerColumn(n, n switch { "id" => "BIGINT", "score" => "DOUBLE", _ => "STRING" })).ToArray();

    private static Task<ExportedFile> ExportOnceAsync(SyncStack stack, string configId) => ExportFiles.ExportOnceAsync(stack, configId);

    /// <summary>Each row's marker is what the workspace computes over <paramref name="columns"/> for that row now.</summary>
    private static async Task AssertWorkspaceMarkersAsync(SyncStack stack, string table, ExportedFile file, string[] columns)
    {
        var markers = (await stack.QueryAsync($"SELECT {columns[0]}, {RowMarker.Expression(Marked(columns))} FROM {table}")).ToDictionary(r => r[0]!, r => r[1]);
        Assert.All(file.Rows, r => Assert.Equal(markers[r[0]], r[^1]));
    }

    /// <summary>Every row of the file carries the marker the workspace computes for that row now (what the guarded MERGE compares).</summary>
    private static async Task AssertMarkersAsync(SyncStack stack, string table, ExportedFile file)
    {
        Assert.Equal(RowMarker.Column, file.Header[^1]);
        foreach (var row in file.Rows)
        {
            // CSV writes NULL as an empty field; the tables here hold no empty text, so empty means NULL.
            string? Cell(string name) => row[file.Column(name)] is { Length: > 0 } v ? v : null;
            Assert.True(ExpectedMarker([Cell("id"), Cell("score"), Cell("text")]) == row[^1], string.Join("|", row));
        }
        await AssertWorkspaceMarkersAsync(stack, table, file, ["id", "text", "score"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_exported_row_carries_the_marker_of_the_row_version_it_was_exported_from(bool changeDataFeed)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(30, changeDataFeed);
        await stack.SqlAsync($"UPDATE {table} SET text = NULL WHERE id = 3");
        await stack.SqlAsync($"UPDATE {table} SET text = 'a,b:c' WHERE id = 4");
        var export = await stack.CreateTableConfigAsync(table);

        var snapshot = await ExportOnceAsync(stack, export.Id);
        Assert.Equal(["id", "text", "score", "label", RowMarker.Column], snapshot.Header);
        Assert.Equal(30, snapshot.Rows.Count);
        await AssertMarkersAsync(stack, table, snapshot);
        // Different content, different marker; the label does not take part.
        Assert.Equal(30, snapshot.Rows.Select(r => r[^1]).Distinct().Count());

        await stack.SqlAsync($"UPDATE {table} SET text = 'edited' WHERE id IN (1, 2)");
        await stack.InsertItemsAsync(table, 31, 3);
        var changes = await ExportOnceAsync(stack, export.Id);
        Assert.Equal(changeDataFeed ? "change_data_feed" : "version_difference", changes.Manifest.GetProperty("method").GetString());
        Assert.Equal([1L, 2, 31, 32, 33], changes.Ids.Order());
        await AssertMarkersAsync(stack, table, changes);
        var before = snapshot.Rows.ToDictionary(r => r[0], r => r[^1]);
        Assert.All(changes.Rows.Where(r => r[0] is "1" or "2"), r => Assert.NotEqual(before[r[0]], r[^1]));
    }

    [Fact]
    public async Task The_spreadsheet_guard_leaves_the_key_and_the_marker_alone()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = $"{SyncStack.Catalog}.{SyncStack.Schema}.{SyncStack.UniqueName("keys")}";
        await stack.SqlAsync($"CREATE TABLE {table} (id STRING NOT NULL, text STRING, label STRING)");
        await stack.SqlAsync($"INSERT INTO {table} VALUES ('=1+1', '=SUM(A1)', NULL), ('-5', '+x', NULL), ('@me', 'plain', NULL)");
        var export = await stack.CreateConfigAsync(new Core.Configs.SyncConfigInput
        {
            ConfigType = "table", DatabricksPath = table, PkColumn = "id", LabelColumn = "label", SpreadsheetSafe = true,
        });
        var file = await ExportOnceAsync(stack, export.Id);
        var byKey = file.Rows.ToDictionary(r => r[0]);
        Assert.Equal(["-5", "=1+1", "@me"], byKey.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("'=SUM(A1)", byKey["=1+1"][1]);
        Assert.Equal("'+x", byKey["-5"][1]);
        await AssertWorkspaceMarkersAsync(stack, table, file, ["id", "text"]);
    }

    [Fact]
    public async Task A_key_deleted_and_reinserted_in_one_version_by_insert_overwrite_is_exported()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(40, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        await ExportOnceAsync(stack, export.Id);
        await stack.SqlAsync($"UPDATE {table} SET label = 'done' WHERE id <= 20");

        // Rewrite the table: every key gets a delete and an insert in one version; 5 rows change text, 2 go away.
        await stack.SqlAsync($"INSERT OVERWRITE {table} SELECT id, CASE WHEN id BETWEEN 21 AND 25 THEN 'rewritten' ELSE text END, score, label FROM {table} WHERE id <= 38");
        var file = await ExportOnceAsync(stack, export.Id);
        Assert.Equal("change_data_feed", file.Manifest.GetProperty("method").GetString());
        // Every live unlabeled row of the rewrite, once; no labeled row, no deleted row.
        Assert.Equal(Enumerable.Range(21, 18).Select(i => (long)i), file.Ids);
        Assert.All(file.Rows.Where(r => long.Parse(r[0], CultureInfo.InvariantCulture) <= 25), r => Assert.Equal("rewritten", r[1]));
        await AssertMarkersAsync(stack, table, file);
    }

    [Fact]
    public async Task A_key_updated_many_times_in_the_range_goes_out_once_with_its_newest_image()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(10, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        await ExportOnceAsync(stack, export.Id);
        for (var i = 1; i <= 3; i++) await stack.SqlAsync($"UPDATE {table} SET text = 'v{i}' WHERE id = 5");
        await stack.SqlAsync($"UPDATE {table} SET text = 'then labeled', label = 'x' WHERE id = 6");
        await stack.SqlAsync($"DELETE FROM {table} WHERE id = 7");

        var file = await ExportOnceAsync(stack, export.Id);
        Assert.Equal([5L], file.Ids);
        Assert.Equal("v3", file.Rows.Single()[1]);
    }

    [Fact]
    public async Task A_table_dropped_and_recreated_gets_a_fresh_snapshot_logged_as_such()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(0, changeDataFeed: true);
        for (var i = 0; i < 5; i++) await stack.InsertItemsAsync(table, i * 10 + 1, 10);
        var export = await stack.CreateTableConfigAsync(table);
        await ExportOnceAsync(stack, export.Id);
        var state = stack.Services.GetRequiredService<SyncStateRepository>();
        var oldId = (await state.GetCheckpointAsync(export.Id)).TableId;
        Assert.NotNull(oldId);

        await stack.SqlAsync($"DROP TABLE {table}");
        await stack.SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, text STRING, score DOUBLE, label STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        await stack.InsertItemsAsync(table, 1001, 7);
        Assert.Equal(1, await stack.VersionAsync(table));

        var file = await ExportOnceAsync(stack, export.Id);
        Assert.Equal("snapshot", file.Manifest.GetProperty("method").GetString());
        Assert.EndsWith("_g1_v0-v1.csv", file.Name);
        Assert.Equal(Enumerable.Range(1001, 7).Select(i => (long)i), file.Ids);
        Assert.True(stack.Logs.Contains("dropped and recreated", LogLevel.Warning));
        var checkpoint = await state.GetCheckpointAsync(export.Id);
        Assert.Equal(1, checkpoint.Version);
        Assert.NotEqual(oldId, checkpoint.TableId);

        // And from there on it follows the new table's changes.
        await stack.InsertItemsAsync(table, 2001, 2);
        var next = await ExportOnceAsync(stack, export.Id);
        Assert.Equal([2001L, 2002], next.Ids);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_schema_change_exports_a_snapshot_with_new_markers_instead_of_failing_the_config(bool changeDataFeed)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(12, changeDataFeed);
        var export = await stack.CreateTableConfigAsync(table);
        await ExportOnceAsync(stack, export.Id);
        await stack.SqlAsync($"UPDATE {table} SET label = 'x' WHERE id <= 2");

        await stack.SqlAsync($"ALTER TABLE {table} ADD COLUMN source STRING");
        await stack.SqlAsync($"INSERT INTO {table} VALUES (13, 'new', 0.5, NULL, 'feed')");
        var file = await ExportOnceAsync(stack, export.Id);
        Assert.Equal("snapshot", file.Manifest.GetProperty("method").GetString());
        Assert.Equal(["id", "text", "score", "label", "source", RowMarker.Column], file.Header);
        Assert.Equal(Enumerable.Range(3, 11).Select(i => (long)i), file.Ids);
        await AssertWorkspaceMarkersAsync(stack, table, file, ["id", "text", "score", "source"]);
        Assert.True(stack.Logs.Contains("schema of", LogLevel.Warning));

        // The next change is an ordinary incremental export again.
        await stack.InsertItemsAsync(table, 14, 1);
        var next = await ExportOnceAsync(stack, export.Id);
        Assert.Equal(changeDataFeed ? "change_data_feed" : "version_difference", next.Manifest.GetProperty("method").GetString());
        Assert.Equal([14L], next.Ids);
    }

    [Fact]
    public async Task A_dropped_column_exports_a_snapshot_without_it()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(6, changeDataFeed: true);
        await stack.SqlAsync($"ALTER TABLE {table} SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name')");
        var export = await stack.CreateTableConfigAsync(table);
        await ExportOnceAsync(stack, export.Id);

        await stack.SqlAsync($"ALTER TABLE {table} DROP COLUMN score");
        var file = await ExportOnceAsync(stack, export.Id);
        Assert.Equal("snapshot", file.Manifest.GetProperty("method").GetString());
        Assert.Equal(["id", "text", "label", RowMarker.Column], file.Header);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), file.Ids);
        await AssertWorkspaceMarkersAsync(stack, table, file, ["id", "text"]);
    }
}
