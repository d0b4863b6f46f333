using System.Text;
using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
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

    [Fact]
    public async Task Staged_merge_reads_positional_string_columns_and_casts_them()
    {
        var file = await ValidFile("label,junk,id\ncat,',7\n");
        var sql = new MergeStatementBuilder(TableName.Parse("main.default.items"), file).FromStagedFile("/Volumes/main/default/stage/dbxsync-c-1.csv");
        Assert.Contains("read_files('/Volumes/main/default/stage/dbxsync-c-1.csv', format => 'csv', header => true, schema => 'c0 STRING, c1 STRING, c2 STRING')", sql);
        Assert.Contains("CAST(NULLIF(c2, '') AS BIGINT) AS `id`", sql);
        Assert.DoesNotContain("junk", sql);
        Assert.Contains("WHERE NULLIF(c0, '') IS NOT NULL", sql);
        Assert.StartsWith("MERGE INTO `main`.`default`.`items` AS t USING (", sql);
        Assert.Contains("ON t.`id` = s.`id` WHEN MATCHED THEN UPDATE SET `label` = s.`label` WHEN NOT MATCHED THEN INSERT (`label`, `id`) VALUES (s.`label`, s.`id`)", sql);
    }

    [Fact]
    public async Task Values_merge_binds_every_cell_as_a_typed_parameter()
    {
        var file = await ValidFile("id,label,score\n1,a'; DROP TABLE x; --,2.5\n2,b,\n");
        var (sql, parameters) = new MergeStatementBuilder(TableName.Parse("main.default.items"), file)
            .FromValues([["1", "a'; DROP TABLE x; --", "2.5"], ["2", "b", ""]]);
        Assert.DoesNotContain("DROP", sql);
        Assert.Contains("VALUES (CAST(:p0_0 AS BIGINT), CAST(:p0_1 AS STRING), CAST(:p0_2 AS DOUBLE)), (CAST(:p1_0 AS BIGINT)", sql);
        Assert.Equal(6, parameters.Count);
        Assert.Equal(new SqlParameter("p0_1", "a'; DROP TABLE x; --", "STRING"), parameters[1]);
        Assert.Null(parameters[5].Value);
    }

    [Fact]
    public void String_literals_escape_with_backslashes()
        => Assert.Equal(@"'it\'s a \\ path'", MergeStatementBuilder.StringLiteral(@"it's a \ path"));
}
