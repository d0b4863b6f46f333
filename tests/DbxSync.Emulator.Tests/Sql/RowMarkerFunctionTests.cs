using Xunit;

namespace DbxSync.Emulator.Tests.Sql;

/// <summary>
/// The functions the export's row marker is built from (DbxSync.Core.Syncs.RowMarker) behave as on Databricks:
/// md5 (https://docs.databricks.com/en/sql/language-manual/functions/md5.html), concat_ws skipping NULLs
/// (https://docs.databricks.com/en/sql/language-manual/functions/concat_ws.html), concat returning NULL for a NULL
/// argument (https://docs.databricks.com/en/sql/language-manual/functions/concat.html), length in characters
/// (https://docs.databricks.com/en/sql/language-manual/functions/length.html) and CAST AS STRING
/// (https://docs.databricks.com/en/sql/language-manual/functions/cast.html).
/// </summary>
public sealed class RowMarkerFunctionTests : IDisposable
{
    private readonly EngineFixture _db = new();
    public void Dispose() => _db.Dispose();

    [Fact]
    public void Md5_concat_ws_concat_length_and_cast_to_string_match_the_databricks_examples()
    {
        Assert.Equal("8cde774d6f7333752ed72cacddb05126", _db.Scalar("SELECT md5('Spark')"));
        Assert.Equal("Spark SQL", _db.Scalar("SELECT concat_ws(' ', 'Spark', 'SQL')"));
        Assert.Equal("a,b", _db.Scalar("SELECT concat_ws(',', 'a', NULL, 'b')"));
        Assert.Equal("", _db.Scalar("SELECT concat_ws(',', NULL)"));
        Assert.Equal(["NULL"], _db.Lines("SELECT concat('Spark', NULL)"));
        Assert.Equal("SparkSQL", _db.Scalar("SELECT concat('Spark', 'SQL')"));
        Assert.Equal("10", _db.Scalar("SELECT length('Spark SQL ')"));
        // Characters, not bytes or UTF-16 units: an emoji outside the BMP is one character.
        Assert.Equal("3", _db.Scalar("SELECT length('é😀x')"));
        Assert.Equal("3", _db.Scalar("SELECT CAST(length('abc') AS STRING)"));
    }

    [Fact]
    public void Cast_as_string_renders_each_column_type_as_databricks_does()
    {
        _db.Exec("CREATE TABLE main.s.typed (i INT, b BIGINT, d DOUBLE, m DECIMAL(10,2), f BOOLEAN, dt DATE, ts TIMESTAMP, s STRING)");
        _db.Exec("INSERT INTO main.s.typed VALUES (7, 9000000000, 1.0, 3.5, true, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05', 'x'), " +
                 "(NULL, NULL, 0.1, 0, false, NULL, NULL, NULL), (-1, -2, 1e10, -12.25, NULL, NULL, NULL, '')");
        Assert.Equal(
            [
                "7|9000000000|1.0|3.50|true|2024-01-02|2024-01-02 03:04:05|x",
                "NULL|NULL|0.1|0.00|false|NULL|NULL|NULL",
                "-1|-2|1.0E10|-12.25|NULL|NULL|NULL|",
            ],
            _db.Lines("SELECT CAST(i AS STRING), CAST(b AS STRING), CAST(d AS STRING), CAST(m AS STRING), CAST(f AS STRING), " +
                      "CAST(dt AS STRING), CAST(ts AS STRING), CAST(s AS STRING) FROM main.s.typed ORDER BY m DESC"));
    }
}
