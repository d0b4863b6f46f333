using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using DbxSync.Syncs.Tests.Infrastructure;

namespace DbxSync.Syncs.Tests;

/// <summary>
/// Issue 18: without a change feed the export compares versions; set operations on MAP and VARIANT columns are not
/// supported, so the comparison is by (key, marker) and a table with such columns exports its changes.
/// </summary>
public sealed class MapVariantExportTests
{
    [Fact]
    public async Task A_table_with_map_and_variant_columns_exports_changed_rows_without_a_change_feed()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = $"{SyncStack.Catalog}.{SyncStack.Schema}.{SyncStack.UniqueName("mapvar")}";
        await stack.SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, attrs MAP<STRING, INT>, doc VARIANT, text STRING, label STRING)");
        await stack.SqlAsync($"""
            INSERT INTO {table} VALUES
              (1, map('x', 1), parse_json('{"{"}"a": 1{"}"}'), 'one', NULL),
              (2, map('y', 2), parse_json('[1, 2]'), 'two', NULL),
              (3, NULL, NULL, 'three', NULL)
            """);
        // EXCEPT over every column, as the version difference was, is refused on these types.
        await Assert.ThrowsAnyAsync<Exception>(() => stack.SqlAsync($"SELECT * FROM {table} EXCEPT SELECT * FROM {table}"));
        var export = await stack.CreateTableConfigAsync(table);
        var first = await ExportFiles.ExportOnceAsync(stack, export.Id);
        Assert.Equal([1L, 2L, 3L], first.Ids);

        await stack.SqlAsync($"UPDATE {table} SET attrs = map('x', 5) WHERE id = 1");
        await stack.SqlAsync($"UPDATE {table} SET label = 'done' WHERE id = 2");
        await stack.SqlAsync($"INSERT INTO {table} VALUES (4, map('z', 9), parse_json('true'), 'four', NULL)");
        var changes = await ExportFiles.ExportOnceAsync(stack, export.Id);

        Assert.Equal("version_difference", changes.Manifest.GetProperty("method").GetString());
        Assert.Equal([1L, 4L], changes.Ids);
        var markers = first.Rows.ToDictionary(r => r[0], r => r[first.Column(RowMarker.Column)]);
        Assert.NotEqual(markers["1"], changes.Rows.Single(r => r[0] == "1")[changes.Column(RowMarker.Column)]);
    }
}
