using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using DbxSync.Core.Syncs.TableExport;

namespace DbxSync.Core.Tests;

public class ExportQueriesTests
{
    private static readonly TableName Items = TableName.Parse("main.default.items");

    private static readonly ExportColumns Columns = ExportColumns.For(
        [new SqlColumn("id", "BIGINT", "LONG", 0), new SqlColumn("text", "STRING", "STRING", 1), new SqlColumn("label", "STRING", "STRING", 2)], "id", "label");

    /// <summary>Version 2: columns in name order, a "v2:" prefix.</summary>
    private const string Marker = "concat('v2:', md5(concat_ws(',', coalesce(concat(CAST(length(CAST(`id` AS STRING)) AS STRING), ':', CAST(`id` AS STRING)), 'N'), " +
                                  "coalesce(concat(CAST(length(CAST(`text` AS STRING)) AS STRING), ':', CAST(`text` AS STRING)), 'N')))) AS `_dbxsync_row_marker`";

    [Fact]
    public void Change_feed_query_keeps_each_keys_newest_image_in_sql_preferring_inserts_within_a_version_then_filters_labels()
        => Assert.Equal("SELECT `id`, `text`, `label`, " + Marker + " FROM (SELECT * FROM table_changes('`main`.`default`.`items`', 4, 9) " +
                        "WHERE _change_type <> 'update_preimage' QUALIFY ROW_NUMBER() OVER (PARTITION BY `id` ORDER BY _commit_version DESC, " +
                        "CASE WHEN _change_type = 'delete' THEN 1 ELSE 0 END) = 1) AS newest WHERE _change_type <> 'delete' AND `label` IS NULL ORDER BY `id`",
            ExportQueries.ChangeFeed(Items, Columns, 4, 9));

    [Fact]
    public void Version_difference_compares_key_and_marker_never_every_column_so_map_and_variant_tables_export()
    {
        // EXCEPT and equality are not supported on MAP and VARIANT columns: the difference joins on (key, marker).
        var sql = ExportQueries.VersionDifference(Items, Columns, 3, 9);
        Assert.DoesNotContain("EXCEPT", sql, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("FROM (SELECT `id`, `text`, `label`, " + Marker + " FROM `main`.`default`.`items` VERSION AS OF 9 WHERE `label` IS NULL) AS cur", sql);
        Assert.Contains("LEFT JOIN (SELECT `id` AS `_dbxsync_key`, " + Marker.Replace(" AS `_dbxsync_row_marker`", "") + " AS `_dbxsync_row_marker` FROM `main`.`default`.`items` VERSION AS OF 3 WHERE `label` IS NULL) AS prev", sql);
        Assert.Contains("ON cur.`id` = prev.`_dbxsync_key` AND cur.`_dbxsync_row_marker` = prev.`_dbxsync_row_marker`", sql);
        Assert.Contains("WHERE prev.`_dbxsync_key` IS NULL", sql);
        Assert.StartsWith("SELECT cur.`id`, cur.`text`, cur.`label`, cur.`_dbxsync_row_marker`", sql);
    }

    [Fact]
    public void Same_schema_ignores_column_order_but_not_a_type_change()
    {
        SqlColumn C(string name, string type, int position) => new(name, type, type, position);
        Assert.True(ExportColumns.SameSchema([C("id", "BIGINT", 0), C("text", "STRING", 1)], [C("text", "STRING", 0), C("id", "BIGINT", 1)]));
        Assert.False(ExportColumns.SameSchema([C("id", "BIGINT", 0), C("v", "DECIMAL(10,2)", 1)], [C("id", "BIGINT", 0), C("v", "DECIMAL(12,4)", 1)]));
        Assert.False(ExportColumns.SameSchema([C("id", "BIGINT", 0), C("v", "FLOAT", 1)], [C("id", "BIGINT", 0), C("v", "DOUBLE", 1)]));
    }

    [Fact]
    public void The_marker_column_name_is_reserved()
        => Assert.Equal("reserved-column", Assert.Throws<DbxSync.Core.Errors.ValidationException>(() => ExportColumns.For(
            [new SqlColumn("id", "BIGINT", "LONG", 0), new SqlColumn("label", "STRING", "STRING", 1), new SqlColumn("_dbxsync_row_marker", "STRING", "STRING", 2)], "id", "label")).ErrorType);

    [Fact]
    public void Export_file_names_carry_the_version_range_and_a_generation_after_a_reset()
    {
        Assert.Equal("cfg/items_v4-v9.csv", TableExportSync.ExportFileName("cfg", Items, 0, 4, 9));
        Assert.Equal("cfg/items_g2_v0-v9.csv", TableExportSync.ExportFileName("cfg", Items, 2, 0, 9));
    }

    [Fact]
    public void Negative_versions_are_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => ExportQueries.Snapshot(Items, Columns, -1));
}
