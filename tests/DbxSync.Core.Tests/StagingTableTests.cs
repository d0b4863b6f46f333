using System.Globalization;
using System.Text;
using System.Text.Json;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using DbxSync.Core.Syncs;
using Moq;

namespace DbxSync.Core.Tests;

/// <summary>StagingTable against a recording workspace: byte-bounded INSERTs, one JSON parameter each, rows in order.</summary>
public sealed class StagingTableTests
{
    private static readonly TableName Stage = TableName.Parse("main.default.stage");

    /// <summary>A labeled row as an import without a staging volume sends it: key, label, row marker.</summary>
    private static IEnumerable<string?[]> LabeledRows(int count) => Enumerable.Range(1, count).Select(i => new string?[]
    {
        (1_000_000_000L + i).ToString(CultureInfo.InvariantCulture), "label-" + (i % 17), "v1:" + i.ToString("x32", CultureInfo.InvariantCulture),
    });

    private static (Mock<IDatabricksWorkspace> Workspace, List<(string Statement, string Json)> Sent) Recording()
    {
        var sent = new List<(string, string)>();
        var workspace = new Mock<IDatabricksWorkspace>(MockBehavior.Strict);
        workspace.Setup(w => w.ExecuteAsync(It.IsAny<string>(), It.IsAny<IReadOnlyList<SqlParameter>?>(), It.IsAny<StatementOptions?>(), It.IsAny<CancellationToken>()))
            .Callback((string statement, IReadOnlyList<SqlParameter>? parameters, StatementOptions? _, CancellationToken _) =>
            {
                var parameter = Assert.Single(parameters!);
                Assert.Equal(("rows", "STRING"), (parameter.Name, parameter.Type));
                sent.Add((statement, parameter.Value!));
            })
            .ReturnsAsync(Mock.Of<IStatementResult>());
        return (workspace, sent);
    }

    private static StagingTable Labeled(int maxStatementBytes = StagingTable.DefaultMaxStatementBytes) =>
        new(Stage, [new("id", "BIGINT"), new("label", "STRING"), new(RowMarker.Column, "STRING")], maxStatementBytes);

    [Fact]
    public async Task Rows_go_in_order_in_inserts_that_each_stay_within_the_byte_budget()
    {
        var (workspace, sent) = Recording();
        var staging = Labeled(maxStatementBytes: 2_000);

        var fill = await staging.FillAsync(workspace.Object, LabeledRows(200), new StatementOptions(), CancellationToken.None);

        Assert.Equal(200, fill.Rows);
        Assert.Equal(sent.Count, fill.Statements);
        Assert.True(sent.Count > 5, $"{sent.Count} statements");
        Assert.All(sent, s => Assert.Equal(staging.Insert, s.Statement));
        Assert.All(sent, s => Assert.True(Encoding.UTF8.GetByteCount(s.Statement) + Encoding.UTF8.GetByteCount(s.Json) <= 2_000, $"{s.Json.Length} JSON chars"));
        var ids = sent.SelectMany(s => JsonDocument.Parse(s.Json).RootElement.EnumerateArray().Select(r => r.GetProperty("c0").GetString())).ToList();
        Assert.Equal(LabeledRows(200).Select(r => r[0]), ids);
        Assert.Equal(sent.Sum(s => (long)Encoding.UTF8.GetByteCount(s.Json)), fill.JsonBytes);
    }

    [Fact]
    public async Task Nulls_are_left_out_and_text_is_escaped_as_json_never_spliced_into_the_statement()
    {
        var (workspace, sent) = Recording();
        var staging = Labeled();
        string?[] row = ["1", "it's \"quoted\"; DROP TABLE x; --\n\\ Zoë 🙂", null];

        await staging.FillAsync(workspace.Object, [row], new StatementOptions(), CancellationToken.None);

        var (statement, json) = Assert.Single(sent);
        Assert.DoesNotContain("DROP", statement);
        var parsed = Assert.Single(JsonDocument.Parse(json).RootElement.EnumerateArray().ToList());
        Assert.Equal(row[1], parsed.GetProperty("c1").GetString());
        Assert.False(parsed.TryGetProperty("c2", out _));
        // Text stays UTF-8 rather than \\u escapes (characters outside the BMP are still escaped as surrogate pairs).
        Assert.Contains("Zoë", json);
    }

    [Fact]
    public async Task A_row_larger_than_the_budget_goes_alone_and_an_empty_input_sends_nothing()
    {
        var (workspace, sent) = Recording();
        var staging = Labeled(maxStatementBytes: 600);
        string?[] big = ["2", new string('x', 2_000), null];

        var fill = await staging.FillAsync(workspace.Object, [["1", "a", null], big, ["3", "c", null]], new StatementOptions(), CancellationToken.None);
        Assert.Equal((3L, 3), (fill.Rows, fill.Statements));
        Assert.Contains(new string('x', 2_000), sent[1].Json);

        sent.Clear();
        var none = await staging.FillAsync(workspace.Object, Array.Empty<string?[]>(), new StatementOptions(), CancellationToken.None);
        Assert.Equal((0L, 0), (none.Rows, none.Statements));
        Assert.Empty(sent);
    }

    /// <summary>
    /// The figures the README quotes: labeled rows of (key, label, marker) under the default 4 MiB budget. Counted,
    /// not timed: these are the statements a real warehouse would run.
    /// </summary>
    [Theory]
    [InlineData(100_000, 2, 3)]
    [InlineData(1_000_000, 19, 25)]
    public async Task A_labeled_file_takes_a_small_bounded_number_of_inserts(int rows, int atLeast, int atMost)
    {
        var statements = 0;
        var workspace = new Mock<IDatabricksWorkspace>();
        workspace.Setup(w => w.ExecuteAsync(It.IsAny<string>(), It.IsAny<IReadOnlyList<SqlParameter>?>(), It.IsAny<StatementOptions?>(), It.IsAny<CancellationToken>()))
            .Callback(() => statements++)
            .ReturnsAsync(Mock.Of<IStatementResult>());

        var fill = await Labeled().FillAsync(workspace.Object, LabeledRows(rows), new StatementOptions(), CancellationToken.None);

        Assert.Equal(rows, fill.Rows);
        Assert.Equal(statements, fill.Statements);
        Assert.InRange(fill.Statements, atLeast, atMost);
    }
}
