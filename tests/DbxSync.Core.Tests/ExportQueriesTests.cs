using DbxSync.Core.Sql;
using DbxSync.Core.Syncs.TableExport;

namespace DbxSync.Core.Tests;

public class ExportQueriesTests
{
    private static readonly TableName Items = TableName.Parse("main.default.items");

    [Fact]
    public void Change_feed_query_quotes_the_name_inside_the_string_literal_and_orders_by_key_then_version()
        => Assert.Equal("SELECT * FROM table_changes('`main`.`default`.`items`', 4, 9) WHERE _change_type <> 'update_preimage' ORDER BY `id`, _commit_version",
            ExportQueries.ChangeFeed(Items, "id", 4, 9));

    [Fact]
    public void Version_difference_compares_unlabeled_rows_of_two_versions()
        => Assert.Equal("SELECT * FROM `main`.`default`.`items` VERSION AS OF 9 WHERE `label` IS NULL EXCEPT SELECT * FROM `main`.`default`.`items` VERSION AS OF 3 WHERE `label` IS NULL",
            ExportQueries.VersionDifference(Items, "label", 3, 9));

    [Fact]
    public void Export_file_names_carry_the_version_range()
        => Assert.Equal("cfg/items_v4-v9.csv", TableExportSync.ExportFileName("cfg", Items, 4, 9));

    [Fact]
    public void Negative_versions_are_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => ExportQueries.Snapshot(Items, "id", "label", -1));
}
