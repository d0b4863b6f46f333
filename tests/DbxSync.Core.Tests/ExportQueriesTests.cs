using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using DbxSync.Core.Syncs.TableExport;

namespace DbxSync.Core.Tests;

public class ExportQueriesTests
{
    private static readonly TableName Items = TableName.Parse("main.default.items");

    private static readonly ExportColumns Columns = ExportColumns.For(
        [new SqlColumn("id", "BIGINT", "LONG", 0), new SqlColumn("text", "STRING", "STRING", 1), new SqlColumn("label", "STRING", "STRING", 2)], "id", "label");

    private const string Marker = "md5(concat_ws(',', coalesce(concat(CAST(length(CAST(`id` AS STRING)) AS STRING), ':', CAST(`id` AS STRING)), 'N'), " +
                                  "coalesce(concat(CAST(length(CAST(`text` AS STRING)) AS STRING), ':', CAST(`text` AS STRING)), 'N'))) AS `_dbxsync_row_marker`";

    [Fact]
    public void Change_feed_query_keeps_each_keys_newest_image_in_sql_preferring_inserts_within_a_version_then_filters_labels()
        => Assert.Equal("SELECT `id`, `text`, `label`, " + Marker + " FROM (SELECT * FROM table_changes('`main`.`default`.`items`', 4, 9) " +
                        "WHERE _change_type <> 'update_preimage' QUALIFY ROW_NUMBER() OVER (PARTITION BY `id` ORDER BY _commit_version DESC, " +
                        "CASE WHEN _change_type = 'delete' THEN 1 ELSE 0 END) = 1) AS newest WHERE _change_type <> 'delete' AND `label` IS NULL ORDER BY `id`",
            ExportQueries.ChangeFeed(Items, Columns, 4, 9));

    [Fact]
    public void Version_difference_compares_unlabeled_rows_of_two_versions_and_marks_the_result()
        => Assert.Equal("SELECT `id`, `text`, `label`, " + Marker + " FROM (SELECT `id`, `text`, `label` FROM `main`.`default`.`items` VERSION AS OF 9 WHERE `label` IS NULL " +
                        "EXCEPT SELECT `id`, `text`, `label` FROM `main`.`default`.`items` VERSION AS OF 3 WHERE `label` IS NULL) AS changed ORDER BY `id`",
            ExportQueries.VersionDifference(Items, Columns, 3, 9));

    [Fact]
    public void The_marker_column_name_is_reserved()
        => Assert.Equal("reserved-column", Assert.Throws<DbxSync.Core.Errors.ValidationException>(() => ExportColumns.For(
            [new SqlColumn("id", "BIGINT", "LONG", 0), new SqlColumn("label", "STRING", "STRING", 1), new SqlColumn("_dbxsync_row_marker", "STRING", "STRING", 2)], "id", "label")).ErrorType);

    [Fact]
    public void Export_part_names_sort_in_part_order_and_carry_the_generation_and_version_range()
    {
        var baseName = ExportPartWriter.BaseName("cfg", Items, 0, 4, 9);
        Assert.Equal("cfg/items_g0_v4-v9_part000001.csv", ExportPartWriter.PartName(baseName, 1));
        Assert.Equal("cfg/items_g0_v4-v9_part000001.manifest.json", ExportPartWriter.PartManifestName(ExportPartWriter.PartName(baseName, 1)));
        Assert.Equal("cfg/items_g0_v4-v9.manifest.json", ExportPartWriter.FinalManifestName(baseName));
        Assert.Equal("cfg/items_g2_v0-v9_part000012.csv", ExportPartWriter.PartName(ExportPartWriter.BaseName("cfg", Items, 2, 0, 9), 12));
        var names = new[] { 10, 2, 1, 100, 9 }.Select(n => ExportPartWriter.PartName(baseName, n)).ToList();
        Assert.Equal(names.OrderBy(n => int.Parse(n[^10..^4])), names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_keyset_page_reads_after_the_last_key_as_a_parameter_in_key_order_with_a_row_limit()
    {
        Assert.EndsWith("WHERE `label` IS NULL ORDER BY `id` LIMIT 500", ExportQueries.Snapshot(Items, Columns, 7, new KeysetPage(500, AfterKey: false)));
        var next = ExportQueries.Snapshot(Items, Columns, 7, new KeysetPage(500, AfterKey: true));
        Assert.Contains("VERSION AS OF 7 WHERE `label` IS NULL AND `id` > :after_key ORDER BY `id` LIMIT 500", next);
        var changes = ExportQueries.ChangeFeed(Items, Columns, 4, 9, new KeysetPage(10, AfterKey: true));
        Assert.Contains("<> 'update_preimage' AND `id` > :after_key QUALIFY", changes);
        Assert.EndsWith("ORDER BY `id` LIMIT 10", changes);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(ExportQueries.VersionDifference(Items, Columns, 3, 9, new KeysetPage(10, AfterKey: true)), ":after_key"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExportQueries.Snapshot(Items, Columns, 7, new KeysetPage(0, AfterKey: false)));
    }

    [Fact]
    public void Negative_versions_are_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => ExportQueries.Snapshot(Items, Columns, -1));
}
