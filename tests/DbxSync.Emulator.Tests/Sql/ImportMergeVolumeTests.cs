using System.Diagnostics;
using System.Globalization;
using System.Text;
using DbxSync.Emulator.Sql;
using Xunit;
using Xunit.Abstractions;

namespace DbxSync.Emulator.Tests.Sql;

/// <summary>
/// The labeled-import MERGE exactly as DbxSync sends it (bench/DbxSync.Bench/ImportScenario.cs): an 8-column CSV read with
/// read_files as all-STRING, cast per column, merged into an 8-column change-feed table of the same ids. 20,000 rows by
/// default; DBXSYNC_EMULATOR_PERF_ROWS=1000000 measures the benchmark size, with per-phase timings in the test output.
/// </summary>
[Collection(nameof(EnginePhaseTrace))]
public sealed class ImportMergeVolumeTests(ITestOutputHelper output) : IDisposable
{
    private readonly EngineFixture _db = new();
    public void Dispose()
    {
        EnginePhaseTrace.Sink = null;
        _db.Dispose();
    }

    private static int RowCount => int.TryParse(Environment.GetEnvironmentVariable("DBXSYNC_EMULATOR_PERF_ROWS"), out var n) ? n : 20_000;

    private static readonly string[] Columns = ["id", "text", "category", "score", "quantity", "flagged", "region", "label"];
    private static readonly string[] Types = ["BIGINT", "STRING", "STRING", "DOUBLE", "INT", "BOOLEAN", "STRING", "STRING"];

    [Fact]
    public void Labeled_import_merge_at_volume_updates_matches_inserts_the_rest_and_records_the_change_feed()
    {
        var n = RowCount;
        var existing = n - n / 10; // the last tenth of the file's ids are new
        _db.Exec("CREATE TABLE main.s.items (id BIGINT NOT NULL, text STRING, category STRING, score DOUBLE, quantity INT, flagged BOOLEAN, region STRING, label STRING) " +
                 "TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        _db.Exec($"INSERT INTO main.s.items SELECT id, concat('item text number ', id), concat('category', id % 20), (id % 1000) / 10.0, " +
                 $"CAST(id % 500 AS INT), id % 3 = 0, CASE WHEN id % 4 = 0 THEN 'north' ELSE 'south' END, CAST(NULL AS STRING) FROM range(1, {existing + 1})");

        var csv = new StringBuilder(string.Join(',', Columns)).Append('\n');
        for (long id = 1; id <= n; id++)
        {
            csv.Append(id).Append(",item text number ").Append(id).Append(",category").Append(id % 20).Append(',')
                .Append(((id % 1000) / 10.0).ToString(CultureInfo.InvariantCulture)).Append(',').Append(id % 500).Append(',')
                .Append(id % 3 == 0 ? "true" : "false").Append(',').Append(id % 4 == 0 ? "north" : "south").Append(',')
                .Append(id % 11 == 0 ? "" : "label" + id % 7).Append('\n');
        }
        var path = _db.WriteVolumeFile("labeled.csv", csv.ToString());
        csv.Clear();

        // The header's own names: read_files binds a given schema to a headed CSV by name.
        var schema = string.Join(", ", Columns.Select(c => $"`{c}` STRING"));
        var projection = string.Join(", ", Columns.Select((c, i) => $"CAST(NULLIF(`{c}`, '') AS {Types[i]}) AS `{c}`"));
        var merge = $"MERGE INTO main.s.items AS t USING (SELECT {projection} FROM read_files('{path}', format => 'csv', header => true, schema => '{schema}') " +
                    $"WHERE NULLIF(`{Columns[7]}`, '') IS NOT NULL) AS s ON t.`id` = s.`id` WHEN MATCHED THEN UPDATE SET `label` = s.`label` " +
                    $"WHEN NOT MATCHED THEN INSERT ({string.Join(", ", Columns.Select(c => $"`{c}`"))}) VALUES ({string.Join(", ", Columns.Select(c => $"s.`{c}`"))})";

        EnginePhaseTrace.Sink = line => output.WriteLine("  " + line);
        var watch = Stopwatch.StartNew();
        var counts = _db.Rows(merge).Single();
        output.WriteLine($"merge {n:N0} rows: {watch.Elapsed.TotalSeconds:F2}s");
        EnginePhaseTrace.Sink = null;

        long labeled = Enumerable.Range(1, n).LongCount(id => id % 11 != 0);
        long labeledExisting = Enumerable.Range(1, existing).LongCount(id => id % 11 != 0);
        Assert.Equal([labeled.ToString(), labeledExisting.ToString(), "0", (labeled - labeledExisting).ToString()], counts);

        Assert.Equal((existing + labeled - labeledExisting).ToString(), _db.Scalar("SELECT COUNT(*) FROM main.s.items"));
        Assert.Equal("item text number 78|category18|7.8|78|true|south|label1", string.Join("|", _db.Rows("SELECT text, category, score, quantity, flagged, region, label FROM main.s.items WHERE id = 78").Single()));
        Assert.Equal("NULL", _db.Lines("SELECT label FROM main.s.items WHERE id = 11").Single());
        var lastNew = n - (n % 11 == 0 ? 1 : 0);
        Assert.Equal($"item text number {lastNew}|label{lastNew % 7}", _db.Lines($"SELECT text, label FROM main.s.items WHERE id = {lastNew}").Single());

        var history = _db.Rows("DESCRIBE HISTORY main.s.items LIMIT 1").Single();
        Assert.Equal("MERGE", history[4]);
        Assert.Contains($"\"numSourceRows\":\"{labeled}\"", history[12]);
        var feed = _db.Lines("SELECT _change_type, COUNT(*) FROM table_changes('main.s.items', 2, 2) GROUP BY _change_type ORDER BY 1");
        Assert.Equal([$"insert|{labeled - labeledExisting}", $"update_postimage|{labeledExisting}", $"update_preimage|{labeledExisting}"], feed);
    }
}
