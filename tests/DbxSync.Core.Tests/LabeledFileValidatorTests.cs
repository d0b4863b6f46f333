using System.Text;
using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Syncs.LabeledImport;

namespace DbxSync.Core.Tests;

public class LabeledFileValidatorTests
{
    private static readonly TableSummary Table = new("main", "default", "items", "main.default.items", "MANAGED", "DELTA",
        [
            new TableColumn("id", "bigint", "LONG", 0, false),
            new TableColumn("text", "string", "STRING", 1, true),
            new TableColumn("score", "decimal(5,2)", "DECIMAL", 2, true),
            new TableColumn("label", "string", "STRING", 3, true),
            new TableColumn("seen", "date", "DATE", 4, true),
        ], new Dictionary<string, string>());

    private static SyncConfig Config(UnknownColumnPolicy policy = UnknownColumnPolicy.Reject) => new()
    {
        Id = Guid.NewGuid().ToString(), Name = "t", ConfigType = SyncConfigType.TableReverse, DatabricksPath = "main.default.items",
        ServicePrincipalId = Guid.NewGuid().ToString(), PkColumn = "id", LabelColumn = "label", UnknownColumns = policy,
        CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    private static Task<ImportValidation> Validate(byte[] bytes, SyncConfig? config = null, long max = long.MaxValue)
        => LabeledFileValidator.ValidateAsync(_ => Task.FromResult<Stream>(new MemoryStream(bytes)), Table, config ?? Config(), max, null, CancellationToken.None);

    private static Task<ImportValidation> Validate(string text, SyncConfig? config = null) => Validate(Encoding.UTF8.GetBytes(text), config);

    [Fact]
    public async Task A_good_file_with_a_bom_is_valid_and_counts_rows_to_merge()
    {
        var report = await Validate(new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("id,label,text\r\n1,cat,a\r\n2,,b\r\n3,dog,\"c,d\"\r\n")).ToArray());
        Assert.True(report.IsValid, string.Join("; ", report.Errors));
        Assert.Equal(3, report.Rows);
        Assert.Equal(2, report.RowsToMerge);
        Assert.Equal(1, report.SkippedUnlabeled);
    }

    [Fact]
    public async Task A_utf8_lcase_key_is_unique_case_insensitively_as_the_merge_matches_it()
    {
        // UTF8_LCASE compares lower-cased (sql-ref-collation): 'Abc' and 'abc' are one key to the MERGE.
        var table = new TableSummary("main", "default", "items", "main.default.items", "MANAGED", "DELTA",
            [new TableColumn("id", "string collate UTF8_LCASE", "STRING", 0, false), new TableColumn("label", "string", "STRING", 1, true)],
            new Dictionary<string, string>());
        var report = await LabeledFileValidator.ValidateAsync(_ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes("id,label\nAbc,x\nother,y\nabc,z\n"))),
            table, Config(), long.MaxValue, null, CancellationToken.None);
        var error = Assert.Single(report.Errors);
        Assert.Equal(4, error.Line);
        Assert.Contains("repeats the one on line 2", error.Message);
    }

    [Fact]
    public async Task Dates_the_merge_cast_would_refuse_are_reported_with_their_line()
    {
        var report = await Validate("id,label,seen\n1,a,2024-01-02\n2,b,1/2/2024\n3,c,Jan 2 2024\n");
        Assert.Equal([3L, 4L], report.Errors.Select(e => e.Line));
        Assert.All(report.Errors, e => Assert.Equal("seen", e.Column));
    }

    [Fact]
    public async Task Missing_pk_column_is_reported_on_line_1()
    {
        var report = await Validate("label,text\ncat,a\n");
        var error = Assert.Single(report.Errors);
        Assert.Equal(1, error.Line);
        Assert.Contains("primary key", error.Message);
    }

    [Fact]
    public async Task Duplicate_keys_name_both_lines_even_when_written_differently()
    {
        var report = await Validate("id,label\n1,a\n2,b\n01,c\n");
        var error = Assert.Single(report.Errors);
        Assert.Equal(4, error.Line);
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public async Task Wrong_types_ragged_rows_and_empty_keys_are_each_reported_with_lines()
    {
        var report = await Validate("id,label,score,seen\nx,a,1.5,2026-01-01\n2,b,1.234,2026-01-01\n3,c\n,d,1,2026-01-01\n5,e,1,2026-13-01\n");
        Assert.Equal([2L, 3L, 4L, 5L, 6L], report.Errors.Select(e => e.Line).ToArray());
        Assert.Contains("whole number", report.Errors[0].Message);
        Assert.Contains("decimal places", report.Errors[1].Message);
        Assert.Contains("fields", report.Errors[2].Message);
        Assert.Contains("empty", report.Errors[3].Message);
        Assert.Contains("date", report.Errors[4].Message);
    }

    [Fact]
    public async Task Unknown_columns_are_refused_or_ignored_per_config()
    {
        var refused = await Validate("id,label,mood\n1,a,happy\n");
        Assert.Contains(refused.Errors, e => e.Column == "mood" && e.Line == 1);
        var ignored = await Validate("id,label,mood\n1,a,happy\n", Config(UnknownColumnPolicy.Ignore));
        Assert.True(ignored.IsValid);
    }

    [Fact]
    public async Task Empty_file_and_header_only_file_are_invalid()
    {
        Assert.Contains("empty", (await Validate("")).Errors.Single().Message);
        Assert.Contains("no rows", (await Validate("id,label\n")).Errors.Single().Message);
    }

    [Fact]
    public async Task Invalid_utf8_is_rejected()
    {
        var bytes = Encoding.UTF8.GetBytes("id,label\n1,ok\n2,").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\n")).ToArray();
        var report = await Validate(bytes);
        Assert.Contains(report.Errors, e => e.Message.Contains("UTF-8"));
    }

    [Fact]
    public async Task Files_over_the_size_limit_are_rejected()
    {
        var report = await Validate(Encoding.UTF8.GetBytes("id,label\n" + string.Concat(Enumerable.Range(1, 1000).Select(i => $"{i},x\n"))), max: 1000);
        Assert.Contains(report.Errors, e => e.Message.Contains("larger than the limit"));
    }

    [Fact]
    public async Task Error_list_is_capped_but_counted()
    {
        var text = "id,label\n" + string.Concat(Enumerable.Range(0, 500).Select(_ => "x,a\n"));
        var report = await Validate(text);
        Assert.Equal(500, report.ErrorCount);
        Assert.Equal(ImportValidation.MaxReportedErrors, report.Errors.Count);
    }

    [Fact]
    public async Task Columns_a_csv_value_cannot_be_cast_to_are_left_out_of_the_merge_and_reported_while_pk_and_label_still_apply()
    {
        var table = Table with
        {
            Columns = [.. Table.Columns,
                new TableColumn("tags", "array<string>", "ARRAY", 5, true), new TableColumn("attrs", "map<string,string>", "MAP", 6, true),
                new TableColumn("point", "struct<x:int,y:int>", "STRUCT", 7, true), new TableColumn("wait", "interval day to second", "INTERVAL", 8, true),
                new TableColumn("doc", "variant", "VARIANT", 9, true)],
        };
        var text = "id,label,tags,attrs,point,wait,doc\n1,cat,\"[\"\"a\"\"]\",{},{},1 day,{}\n";
        var report = await LabeledFileValidator.ValidateAsync(_ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(text))), table, Config(), long.MaxValue, null, CancellationToken.None);

        Assert.True(report.IsValid, string.Join("; ", report.Errors));
        Assert.Equal(["tags", "attrs", "point", "wait", "doc"], report.LeftOutColumns);
        var builder = new MergeStatementBuilder(DbxSync.Core.Sql.TableName.Parse("main.default.items"), report, table.Columns.Where(c => c.Name != "label").Select(c => new DbxSync.Core.Syncs.MarkerColumn(c.Name, c.TypeText)).ToList(), false);
        var merge = builder.Merge(builder.StagedFileSource("/Volumes/main/default/stage/f.csv"));
        // pk and label still apply; the file has no marker column, so a key the table lacks is not inserted (MarkerlessImportTests).
        Assert.Contains("ON t.`id` = s.`id`", merge);
        Assert.Contains("UPDATE SET `label` = s.`label`", merge);
        Assert.DoesNotContain("WHEN NOT MATCHED", merge);
        Assert.DoesNotContain("AS `tags`", merge);
        var summary = ImportReport.Create("c", new BlobItem("labeled", "c/f.csv", 1, "e", DateTimeOffset.UnixEpoch, null, new Dictionary<string, string>()),
            report, new MergeOutcome(1, 0, new NotAppliedRows(), null), DateTimeOffset.UnixEpoch).Summary("processed/c/f.csv.report.json");
        Assert.Contains("columns left out of the MERGE (a CSV value cannot be cast to their type): tags, attrs, point, wait, doc", summary);

        var keyed = await LabeledFileValidator.ValidateAsync(_ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes("id,tags\n1,x\n"))), table,
            Config() with { LabelColumn = "tags" }, long.MaxValue, null, CancellationToken.None);
        Assert.Contains(keyed.Errors, e => e.Column == "tags" && e.Message.Contains("cannot be cast"));
    }

    [Fact]
    public async Task The_row_marker_is_reserved_not_a_table_column_and_must_look_like_one()
    {
        var good = await Validate("id,label,_dbxsync_row_marker\n1,a,0123456789abcdef0123456789abcdef\n2,b,\n3,c,v2:0123456789abcdef0123456789abcdef\n");
        Assert.True(good.IsValid, string.Join("; ", good.Errors));
        Assert.Equal([1, 2], good.MarkerVersions);
        Assert.Equal(1, good.RowsWithoutMarker);
        Assert.Equal(2, good.MarkerFileIndex);
        Assert.DoesNotContain(good.Columns, c => c.Name == "_dbxsync_row_marker");
        var bad = await Validate("id,label,_dbxsync_row_marker\n1,a,not-a-marker\n");
        Assert.Equal(2, Assert.Single(bad.Errors).Line);
    }
}
