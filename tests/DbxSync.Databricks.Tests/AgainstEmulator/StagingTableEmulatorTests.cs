using System.Diagnostics;
using System.Globalization;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using Xunit.Abstractions;

namespace DbxSync.Databricks.Tests.AgainstEmulator;

/// <summary>
/// StagingTable over real HTTP against the emulator: rows sent as one JSON parameter per INSERT and read back through
/// inline(from_json(...)) land exactly as the same cells bound one by one as typed parameters do.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class StagingTableEmulatorTests(EmulatorWorkspace fx, ITestOutputHelper output) : IClassFixture<EmulatorWorkspace>
{
    private static readonly StagingColumn[] Columns =
    [
        new("id", "BIGINT"), new("name", "STRING"), new("score", "DOUBLE"), new("amount", "DECIMAL(12,3)"), new("flag", "BOOLEAN"),
        new("day", "DATE"), new("at", "TIMESTAMP"), new("n", "INT"),
    ];

    private static readonly string?[][] Cells =
    [
        ["1", "plain", "2.5", "12345.678", "true", "2024-02-29", "2024-03-01 12:34:56.789", "42"],
        ["2", "Zoë — 日本語 🙂 ünïcödé", "-0.125", "-0.001", "false", "1999-12-31", "2000-01-01 00:00:00", "-7"],
        ["3", "it's \"quoted\"; DROP TABLE x; --", "1e10", "0", "true", "2024-01-01", "2024-06-30 23:59:59", "0"],
        ["4", "line one\nline two\r\nline three\ttabbed \\ backslash", null, null, null, null, null, null],
        ["9223372036854775807", "", "0", "999999999.999", "false", "0001-01-01", "1970-01-01 00:00:00.000001", "2147483647"],
        ["6", null, "3.141592653589793", "1.5", "true", "2024-12-05", "2024-12-05 22:00:00", "-2147483648"],
    ];

    private async Task<string> CreateAsync(IDatabricksWorkspace ws, string name)
    {
        var table = $"{fx.Catalog}.{fx.Schema}.{name}";
        await fx.RunAsync(ws, $"CREATE TABLE {table} ({string.Join(", ", Columns.Select(c => $"{c.Name} {c.Type}"))})", write: true);
        return table;
    }

    private Task<List<string?[]>> ReadAsync(IDatabricksWorkspace ws, string table) =>
        fx.RunAsync(ws, $"SELECT {string.Join(", ", Columns.Select(c => c.Name))} FROM {table} ORDER BY id");

    [Fact]
    public async Task Every_type_round_trips_like_typed_parameters_through_several_json_inserts()
    {
        var ws = fx.Pat();
        var viaJson = await CreateAsync(ws, "staged_json");
        var viaParameters = await CreateAsync(ws, "staged_params");
        // A budget of a few rows per statement: the fill takes several INSERTs, like a big file does under 4 MiB.
        var staging = new StagingTable(TableName.Parse(viaJson), Columns, maxStatementBytes: 700);

        var fill = await staging.FillAsync(ws, Cells, fx.Options(write: true), CancellationToken.None);
        foreach (var row in Cells)
        {
            var markers = string.Join(", ", Columns.Select((c, i) => $"CAST(:v{i} AS {c.Type})"));
            await fx.RunAsync(ws, $"INSERT INTO {viaParameters} VALUES ({markers})",
                Columns.Select((c, i) => new SqlParameter($"v{i}", row[i], c.Type)).ToList(), write: true);
        }

        Assert.Equal(Cells.Length, fill.Rows);
        Assert.True(fill.Statements >= 3, $"{fill.Statements} statements");
        var json = await ReadAsync(ws, viaJson);
        Assert.Equal(await ReadAsync(ws, viaParameters), json);
        Assert.Equal(Cells.Length, json.Count);
        Assert.Equal("Zoë — 日本語 🙂 ünïcödé", json[1][1]);
        Assert.Equal("it's \"quoted\"; DROP TABLE x; --", json[2][1]);
        Assert.Equal("line one\nline two\r\nline three\ttabbed \\ backslash", json[3][1]);
        Assert.Equal([null, null, null, null, null, null], json[3][2..]);
        Assert.Equal("", json[5][1]);
        Assert.Null(json[4][1]);
        Assert.Equal(["9223372036854775807", "999999999.999", "false", "0001-01-01", "2147483647"], new[] { json[5][0], json[5][3], json[5][4], json[5][5], json[5][7] });
        Assert.Equal("12345.678", json[0][3]);
        Assert.Equal("true", json[0][4]);
        Assert.Equal("2024-02-29", json[0][5]);
    }

    [Fact]
    public async Task A_hundred_thousand_labeled_rows_take_two_inserts_under_the_default_budget()
    {
        var ws = fx.Pat();
        var table = $"{fx.Catalog}.{fx.Schema}.staged_100k";
        await fx.RunAsync(ws, $"CREATE TABLE {table} (id BIGINT, label STRING, marker STRING)", write: true);
        var staging = new StagingTable(TableName.Parse(table), [new("id", "BIGINT"), new("label", "STRING"), new("marker", "STRING")]);
        var rows = Enumerable.Range(1, 100_000).Select(i => new string?[]
        {
            (1_000_000_000L + i).ToString(CultureInfo.InvariantCulture), "label-" + (i % 17), "v1:" + i.ToString("x32", CultureInfo.InvariantCulture),
        });

        var clock = Stopwatch.StartNew();
        var fill = await staging.FillAsync(ws, rows, fx.Options(write: true), CancellationToken.None);
        clock.Stop();

        Assert.Equal(100_000, fill.Rows);
        Assert.Equal(2, fill.Statements);
        var counted = Assert.Single(await fx.RunAsync(ws, $"SELECT count(*), count(DISTINCT id), min(id), max(id) FROM {table}"));
        Assert.Equal(["100000", "100000", "1000000001", "1000100000"], counted);
        // A figure for the report, not an assertion: performance is measured by the benchmarks.
        output.WriteLine($"100,000 rows staged with {fill.Statements} INSERTs ({fill.JsonBytes:N0} JSON bytes) in {clock.Elapsed.TotalSeconds:0.0} s on the emulator");
    }
}
