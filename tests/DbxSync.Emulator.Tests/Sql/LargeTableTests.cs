using System.Diagnostics;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace DbxSync.Emulator.Tests.Sql;

/// <summary>
/// Volume behaviour at benchmark shape (8 columns). Runs 100,000 rows by default to keep the suite fast;
/// set DBXSYNC_EMULATOR_PERF_ROWS=1000000 to measure the benchmark size by hand.
/// </summary>
public sealed class LargeTableTests(ITestOutputHelper output) : IDisposable
{
    private readonly EngineFixture _db = new();
    public void Dispose() => _db.Dispose();

    private static int RowCount => int.TryParse(Environment.GetEnvironmentVariable("DBXSYNC_EMULATOR_PERF_ROWS"), out var n) ? n : 100_000;

    private T Timed<T>(string what, Func<T> action)
    {
        var watch = Stopwatch.StartNew();
        var result = action();
        output.WriteLine($"{what}: {watch.Elapsed.TotalSeconds:F2}s");
        return result;
    }

    [Fact]
    public void Insert_select_stream_merge_and_change_feed_at_volume()
    {
        var n = RowCount;
        _db.Exec("CREATE TABLE main.s.big (id BIGINT NOT NULL, label STRING, score DOUBLE, flag BOOLEAN, bucket INT, created DATE, note STRING, amount DECIMAL(12,2)) TBLPROPERTIES (delta.enableChangeDataFeed = true)");

        var inserted = Timed($"insert-select {n}", () => _db.Rows($"""
            INSERT INTO main.s.big
            SELECT id, CASE WHEN id % 10 = 0 THEN NULL ELSE concat('text', id) END, id * 0.5, id % 2 = 0, CAST(id % 100 AS INT),
                   DATE '2024-01-01', upper(concat('n', id % 7)), CAST(id AS DECIMAL(12,2)) / 100
            FROM range({n})
            """).Single()[1]);
        Assert.Equal(n.ToString(), inserted);

        var nullLabels = Timed("streaming select WHERE label IS NULL", () =>
        {
            var count = 0;
            foreach (var row in _db.Execute("SELECT * FROM main.s.big WHERE label IS NULL").Rows)
            {
                Assert.Null(row[1]);
                count++;
            }
            return count;
        });
        Assert.Equal(n / 10, nullLabels);

        var csv = new StringBuilder("id,label\n");
        for (var i = 0; i < n; i++) csv.Append(i + n / 2).Append(",\"lbl ").Append(i).Append("\"\n");
        var path = _db.WriteVolumeFile("big.csv", csv.ToString());
        var merge = Timed($"merge {n} rows from read_files", () => _db.Rows($"""
            MERGE INTO main.s.big AS t
            USING (SELECT CAST(id AS BIGINT) AS id, label FROM read_files('{path}', format => 'csv', header => true)) AS s
            ON t.id = s.id
            WHEN MATCHED THEN UPDATE SET label = s.label
            WHEN NOT MATCHED THEN INSERT (id, label) VALUES (s.id, s.label)
            """).Single());
        Assert.Equal([n.ToString(), (n / 2).ToString(), "0", (n - n / 2).ToString()], merge);

        _db.Exec("UPDATE main.s.big SET note = 'changed' WHERE id < 5000");
        var changes = Timed("table_changes over 10,000 changed rows", () => _db.Rows("SELECT * FROM table_changes('main.s.big', 3, 3)").Count);
        Assert.Equal(10_000, changes);
        Assert.Equal((n + n - n / 2).ToString(), Timed("count", () => _db.Scalar("SELECT COUNT(*) FROM main.s.big")));
    }

    [Fact]
    public void Readers_are_not_blocked_by_an_open_streaming_query_or_a_writer()
    {
        _db.Exec("CREATE TABLE main.s.t (id BIGINT)");
        _db.Exec("INSERT INTO main.s.t SELECT id FROM range(1000)");
        using var open = _db.Execute("SELECT id FROM main.s.t ORDER BY id").Rows.GetEnumerator();
        Assert.True(open.MoveNext());
        _db.Exec("INSERT INTO main.s.t VALUES (5000)");
        Assert.Equal("1001", _db.Scalar("SELECT COUNT(*) FROM main.s.t"));
        var parallel = Enumerable.Range(0, 8).AsParallel().Select(i =>
            i % 2 == 0 ? _db.Scalar("SELECT COUNT(*) FROM main.s.t") : _db.Rows($"INSERT INTO main.s.t VALUES ({10_000 + i})").Single()[0]).ToList();
        Assert.Equal(8, parallel.Count);
        Assert.Equal("1005", _db.Scalar("SELECT COUNT(*) FROM main.s.t"));
        var seen = 1;
        while (open.MoveNext()) seen++;
        Assert.Equal(1000, seen);
    }
}
