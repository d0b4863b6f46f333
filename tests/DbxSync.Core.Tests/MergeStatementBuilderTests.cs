using System.Text;
using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using DbxSync.Core.Syncs;
using DbxSync.Core.Syncs.LabeledImport;

namespace DbxSync.Core.Tests;

public class MergeStatementBuilderTests
{
    private static async Task<ImportValidation> ValidFile(string text)
    {
        var table = new TableSummary("main", "default", "items", "main.default.items", "MANAGED", "DELTA",
            [new TableColumn("id", "bigint", "LONG", 0, false), new TableColumn("label", "string", "STRING", 1, true), new TableColumn("score", "double", "DOUBLE", 2, true)],
            new Dictionary<string, string>());
        var config = new SyncConfig
        {
            Id = "c", Name = "t", ConfigType = SyncConfigType.TableReverse, DatabricksPath = "main.default.items", ServicePrincipalId = "p",
            PkColumn = "id", LabelColumn = "label", UnknownColumns = UnknownColumnPolicy.Ignore, CreatedAt = default, UpdatedAt = default,
        };
        var report = await LabeledFileValidator.ValidateAsync(_ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(text))), table, config, long.MaxValue, null, default);
        Assert.True(report.IsValid);
        return report;
    }

    private static readonly TableName Items = TableName.Parse("main.default.items");
    private static readonly MarkerColumn[] Marked = [new("id", "bigint"), new("score", "double")];

    [Fact]
    public async Task Staged_merge_names_the_header_columns_in_header_order_and_casts_them()
    {
        // The schema names the header's columns in header order: a reader binding by position and one binding by
        // name (Databricks' rescued-data rules) read the same fields. A name no identifier allows is never read.
        var file = await ValidFile("label,junk,ID,notes here\ncat,',7,x\n");
        var builder = new MergeStatementBuilder(Items, file, Marked, overwriteLabels: false);
        var sql = builder.Merge(builder.StagedFileSource("/Volumes/main/default/stage/dbxsync-c-1.csv"));
        Assert.Contains("read_files('/Volumes/main/default/stage/dbxsync-c-1.csv', format => 'csv', header => true, multiLine => true, quote => '\"', escape => '\"', encoding => 'UTF-8', mode => 'FAILFAST', schema => '`label` STRING, `junk` STRING, `ID` STRING, `_dbxsync_ignored_3` STRING')", sql);
        Assert.Contains("CAST(NULLIF(`ID`, '') AS BIGINT) AS `id`", sql);
        Assert.DoesNotContain("notes here", sql);
        Assert.Contains("WHERE NULLIF(`label`, '') IS NOT NULL", sql);
        Assert.StartsWith("SELECT count(*) AS `rows` FROM (SELECT ", MergeStatementBuilder.CountRows(builder.StagedFileSource("/Volumes/main/default/stage/x.csv")));
        Assert.StartsWith("MERGE INTO `main`.`default`.`items` AS t USING (", sql);
        // No marker column in the file: only an empty label is filled, and no missing key is inserted (it may be a
        // row deleted since its export).
        Assert.EndsWith("ON t.`id` = s.`id` WHEN MATCHED AND t.`label` IS NULL THEN UPDATE SET `label` = s.`label`", sql);
        Assert.DoesNotContain("NOT MATCHED", sql);
        Assert.Equal("the file has neither the _dbxsync_row_marker column nor the row's other columns", builder.UnguardedReason);
    }

    [Fact]
    public async Task With_a_marker_the_merge_is_guarded_by_it_and_only_unmarked_rows_are_inserted()
    {
        var file = await ValidFile("id,label,_dbxsync_row_marker\n1,a,0123456789abcdef0123456789abcdef\n2,b,\n");
        var builder = new MergeStatementBuilder(Items, file, Marked, overwriteLabels: true);
        var sql = builder.Merge(MergeStatementBuilder.StagingTableSource(TableName.Parse("main.default.stage")));
        var marker = RowMarker.Expression(1, Marked, "t");
        Assert.Contains($"WHEN MATCHED AND (s.`_dbxsync_row_marker` IS NULL OR {marker} = s.`_dbxsync_row_marker`) AND NOT (t.`label` <=> s.`label`) THEN UPDATE SET `label` = s.`label`", sql);
        Assert.Contains("WHEN NOT MATCHED AND s.`_dbxsync_row_marker` IS NULL THEN INSERT (`id`, `label`) VALUES (s.`id`, s.`label`)", sql);
        Assert.Contains("LEFT JOIN `main`.`default`.`items` AS t ON t.`id` = s.`id`", builder.NotApplied("SELECT * FROM `main`.`default`.`stage`"));
    }

    [Fact]
    public async Task The_staging_table_has_the_merge_sources_columns_and_rows_carry_the_files_cells_with_empty_as_null()
    {
        var file = await ValidFile("id,label,score\n1,a'; DROP TABLE x; --,2.5\n2,b,\n");
        var builder = new MergeStatementBuilder(Items, file, Marked, overwriteLabels: false);
        var staging = builder.StagingTable(TableName.Parse("main.default.stage"), StagingTable.DefaultMaxStatementBytes);
        Assert.Equal("CREATE TABLE `main`.`default`.`stage` (\n  `id` BIGINT,\n  `label` STRING,\n  `score` DOUBLE\n)", staging.Create().ReplaceLineEndings("\n"));
        Assert.StartsWith("INSERT INTO `main`.`default`.`stage` (`id`, `label`, `score`)", staging.Insert);
        Assert.Contains("CAST(c0 AS BIGINT)", staging.Insert);
        Assert.Contains("FROM inline(from_json(:rows, 'ARRAY<STRUCT<c0: STRING, c1: STRING, c2: STRING>>'))", staging.Insert);
        Assert.DoesNotContain("DROP", staging.Insert);
        Assert.Equal(["1", "a'; DROP TABLE x; --", "2.5"], builder.StagingRow(["1", "a'; DROP TABLE x; --", "2.5"]));
        Assert.Equal(["2", "b", null], builder.StagingRow(["2", "b", ""]));
    }

    [Fact]
    public void String_literals_escape_with_backslashes()
        => Assert.Equal(@"'it\'s a \\ path'", MergeStatementBuilder.StringLiteral(@"it's a \ path"));
}
