using DbxSync.Emulator.Sql;
using Xunit;

namespace DbxSync.Emulator.Tests.Sql;

/// <summary>
/// Issue 18's emulator behaviours: the session TIMEZONE (parameters/timezone), unix_micros, ALTER COLUMN FIRST/AFTER
/// (logged as CHANGE COLUMN) and read_files binding a schema to a headed CSV by name, with rescued data.
/// </summary>
public sealed class SessionAndBindingTests : IDisposable
{
    private readonly EngineFixture _db = new();
    public void Dispose() => _db.Dispose();

    private string InZone(string? zone, string sql)
        => _db.Engine.Execute(sql, [], _db.Context with { TimeZone = zone }, CancellationToken.None).Rows.Single()[0]!;

    [Fact]
    public void A_timestamp_cast_to_text_renders_in_the_session_time_zone_but_its_instant_does_not_move()
    {
        _db.Exec("CREATE TABLE main.s.ev (id BIGINT, at TIMESTAMP)");
        _db.Exec("INSERT INTO main.s.ev VALUES (1, CAST('2024-07-01T12:00:00.5Z' AS TIMESTAMP))");
        Assert.Equal("2024-07-01 12:00:00.5", InZone(null, "SELECT CAST(at AS STRING) FROM main.s.ev"));
        Assert.Equal("2024-07-01 05:00:00.5", InZone("America/Los_Angeles", "SELECT CAST(at AS STRING) FROM main.s.ev"));
        Assert.Equal("2024-07-01 20:00:00.5", InZone("+08:00", "SELECT CAST(at AS STRING) FROM main.s.ev"));
        Assert.Equal("1719835200500000", InZone(null, "SELECT unix_micros(at) FROM main.s.ev"));
        Assert.Equal("1719835200500000", InZone("America/Los_Angeles", "SELECT unix_micros(at) FROM main.s.ev"));
        Assert.Equal("America/Los_Angeles", InZone("America/Los_Angeles", "SELECT current_timezone()"));
    }

    [Fact]
    public void Alter_column_first_and_after_move_a_column_without_touching_values_and_log_change_column()
    {
        _db.Exec("CREATE TABLE main.s.t (id BIGINT, a STRING, b DOUBLE)");
        _db.Exec("INSERT INTO main.s.t VALUES (1, 'x', 0.5)");
        _db.Exec("ALTER TABLE main.s.t ALTER COLUMN b FIRST");
        Assert.Equal(["b", "id", "a"], _db.Execute("SELECT * FROM main.s.t").Columns.Select(c => c.Name));
        Assert.Equal(["0.5|1|x"], _db.Lines("SELECT * FROM main.s.t"));
        _db.Exec("ALTER TABLE main.s.t CHANGE COLUMN b AFTER a");
        Assert.Equal(["1|x|0.5"], _db.Lines("SELECT * FROM main.s.t"));
        Assert.Equal("CHANGE COLUMN", _db.Rows("DESCRIBE HISTORY main.s.t LIMIT 1").Single()[4]);
        // Time travel keeps each version's column order.
        Assert.Equal(["0.5|1|x"], _db.Lines("SELECT * FROM main.s.t VERSION AS OF 2"));
    }

    [Fact]
    public void A_utf8_lcase_column_compares_joins_and_merges_case_insensitively()
    {
        _db.Exec("CREATE TABLE main.s.k (id STRING COLLATE UTF8_LCASE NOT NULL, label STRING)");
        _db.Exec("INSERT INTO main.s.k VALUES ('Abc', NULL), ('def', NULL)");
        Assert.Equal("STRING COLLATE UTF8_LCASE", _db.Execute("SELECT id FROM main.s.k").Columns[0].TypeText);
        Assert.Equal(["Abc"], _db.Lines("SELECT id FROM main.s.k WHERE id = 'ABC'"));
        Assert.Equal(["1", "1", "0", "0"], _db.Rows("MERGE INTO main.s.k AS t USING (SELECT 'aBC' AS id, 'x' AS label) AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET label = s.label").Single());
        Assert.Equal(["Abc|x", "def|NULL"], _db.Lines("SELECT id, label FROM main.s.k ORDER BY id"));
        // Two source rows that differ only in case match one target row.
        Assert.Equal("DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE", _db.Fails(
            "MERGE INTO main.s.k AS t USING (SELECT 'abc' AS id, 'y' AS label UNION ALL SELECT 'ABC', 'z') AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET label = s.label").ErrorClass);
        Assert.Equal("COLLATION_INVALID_NAME", _db.Fails("CREATE TABLE main.s.bad (id STRING COLLATE NOPE)").ErrorClass);
    }

    [Fact]
    public void A_schema_binds_to_a_headed_csv_by_name_and_by_position_only_with_enforce_schema()
    {
        var path = _db.WriteVolumeFile("bind.csv", "ID,label,note\n1,cat,n1\n");
        // 'id' differs from the header's 'ID' in case: not bound (NULL), as the rescued-data rules say.
        Assert.Equal(["NULL|cat"], _db.Lines($"SELECT id, label FROM read_files('{path}', format => 'csv', header => true, schema => 'id STRING, label STRING')"));
        Assert.Equal(["1|cat"], _db.Lines($"SELECT ID, label FROM read_files('{path}', format => 'csv', header => true, schema => 'ID STRING, label STRING')"));
        Assert.Equal(["1|cat"], _db.Lines($"SELECT c0, c1 FROM read_files('{path}', format => 'csv', header => true, enforceSchema => true, schema => 'c0 STRING, c1 STRING')"));
        var rescued = _db.Scalar($"SELECT _rescued_data FROM read_files('{path}', format => 'csv', header => true, rescuedDataColumn => '_rescued_data', schema => 'id STRING, label STRING')");
        Assert.Contains("\"ID\":\"1\"", rescued);
        Assert.Contains("\"note\":\"n1\"", rescued);
    }
}
