using Xunit;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.Tests.Sql;

public sealed class BasicStatementTests : IDisposable
{
    private readonly EngineFixture _db = new();
    public void Dispose() => _db.Dispose();

    private void CreatePeople()
    {
        _db.Exec("CREATE TABLE main.s.people (id BIGINT NOT NULL, name STRING, score DOUBLE, active BOOLEAN, born DATE, seen TIMESTAMP, amount DECIMAL(10,2), small INT) USING DELTA");
        _db.Exec("""
            INSERT INTO main.s.people VALUES
              (1, 'Ann', 1.5, true, DATE '2000-01-31', TIMESTAMP '2024-06-01 10:00:00', 3.5, 7),
              (2, 'Bob', 2, false, '1999-12-01', '2024-06-01T11:30:00.250Z', 10, 8),
              (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
            """);
    }

    [Fact]
    public void Select_encodes_values_like_the_statement_api()
    {
        CreatePeople();
        var result = _db.Execute("SELECT * FROM main.s.people ORDER BY id");
        Assert.Equal(["id", "name", "score", "active", "born", "seen", "amount", "small"], result.Columns.Select(c => c.Name));
        Assert.Equal(["LONG", "STRING", "DOUBLE", "BOOLEAN", "DATE", "TIMESTAMP", "DECIMAL", "INT"], result.Columns.Select(c => c.TypeName));
        Assert.Equal("DECIMAL(10,2)", result.Columns[6].TypeText);
        var rows = result.Rows.ToList();
        Assert.Equal(["1", "Ann", "1.5", "true", "2000-01-31", "2024-06-01T10:00:00.000Z", "3.50", "7"], rows[0]);
        Assert.Equal(["2", "Bob", "2.0", "false", "1999-12-01", "2024-06-01T11:30:00.250Z", "10.00", "8"], rows[1]);
        Assert.Equal(["3", null, null, null, null, null, null, null], rows[2]);
    }

    [Fact]
    public void Insert_reports_counts()
    {
        _db.Exec("CREATE TABLE main.s.t (id BIGINT, label STRING)");
        var result = _db.Execute("INSERT INTO main.s.t (id, label) VALUES (1, 'a'), (2, 'b')");
        Assert.Equal(["num_affected_rows", "num_inserted_rows"], result.Columns.Select(c => c.Name));
        Assert.Equal(["2", "2"], result.Rows.Single());
        _db.Exec("INSERT INTO main.s.t (id) VALUES (3)");
        Assert.Equal(["1|a", "2|b", "3|NULL"], _db.Lines("SELECT * FROM main.s.t ORDER BY id"));
    }

    [Fact]
    public void Where_order_limit_and_expressions()
    {
        CreatePeople();
        Assert.Equal(["2|Bob"], _db.Lines("SELECT id, name FROM main.s.people WHERE score >= 2 AND NOT active"));
        Assert.Equal(["3", "2"], _db.Lines("SELECT id FROM main.s.people ORDER BY id DESC LIMIT 2"));
        Assert.Equal(["3"], _db.Lines("SELECT id FROM main.s.people WHERE name IS NULL"));
        Assert.Equal(["1", "3"], _db.Lines("SELECT id FROM main.s.people WHERE id IN (1, 3) OR name LIKE 'Z%' ORDER BY id"));
        Assert.Equal(["1"], _db.Lines("SELECT id FROM main.s.people WHERE name LIKE 'A_n' AND name NOT LIKE 'a%'"));
        Assert.Equal(["2|bob-2|BOB|4.0"], _db.Lines("SELECT id, concat(lower(name), '-', id) AS k, upper(name), score * 2 FROM main.s.people WHERE id <> 1 AND id != 3"));
        Assert.Equal(["1|odd", "2|even", "3|odd"], _db.Lines("SELECT id, CASE WHEN id % 2 = 0 THEN 'even' ELSE 'odd' END FROM main.s.people ORDER BY 1"));
        Assert.Equal(["3|1|3|6"], _db.Lines("SELECT COUNT(*), MIN(id), MAX(id), SUM(id) FROM main.s.people"));
        Assert.Equal(["x"], _db.Lines("SELECT coalesce(name, 'x') FROM main.s.people WHERE id = 3"));
        Assert.Equal(["5", "1"], _db.Lines("SELECT CAST('5' AS BIGINT) UNION ALL SELECT 1"));
        var aggregate = _db.Execute("SELECT active, COUNT(*) AS n FROM main.s.people GROUP BY active ORDER BY n DESC, active");
        Assert.Equal("LONG", aggregate.Columns[1].TypeName);
        Assert.Equal(3, aggregate.Rows.Count());
        Assert.Equal(["it's \\ ok"], _db.Lines(@"SELECT 'it\'s \\ ok'"));
    }

    [Fact]
    public void Backticked_identifiers_and_identifier_clause()
    {
        _db.Exec("CREATE TABLE main.s.`odd-name` (`my col` BIGINT, `a``b` STRING)");
        _db.Exec("INSERT INTO main.`s`.`odd-name` VALUES (1, 'x')");
        Assert.Equal(["1|x"], _db.Lines("SELECT `my col`, `a``b` FROM IDENTIFIER(:t)", new EngineParameter("t", "main.s.`odd-name`")));
    }

    [Fact]
    public void Update_and_delete_report_affected_rows()
    {
        CreatePeople();
        Assert.Equal("2", _db.Rows("UPDATE main.s.people SET score = score + 1, name = 'z' WHERE id <= 2").Single()[0]);
        Assert.Equal(["1|z|2.5", "2|z|3.0"], _db.Lines("SELECT id, name, score FROM main.s.people WHERE name = 'z' ORDER BY id"));
        Assert.Equal("1", _db.Rows("DELETE FROM main.s.people WHERE id = 3").Single()[0]);
        Assert.Equal("0", _db.Rows("DELETE FROM main.s.people WHERE id = 42").Single()[0]);
        Assert.Equal("2", _db.Scalar("SELECT COUNT(*) FROM main.s.people"));
    }

    [Fact]
    public void Typed_and_null_parameters()
    {
        _db.Exec("CREATE TABLE main.s.t (id BIGINT, label STRING, d DATE, f DOUBLE, b BOOLEAN)");
        _db.Exec("INSERT INTO main.s.t VALUES (:id, :label, :d, :f, :b)",
            new EngineParameter("id", "42", "BIGINT"), new EngineParameter("label", null), new EngineParameter("d", "2024-02-29", "DATE"),
            new EngineParameter("f", "0.25", "DOUBLE"), new EngineParameter("b", "true", "BOOLEAN"));
        Assert.Equal(["42|NULL|2024-02-29|0.25|true"], _db.Lines("SELECT * FROM main.s.t WHERE id = :id", new EngineParameter("id", "42", "BIGINT")));
        var unbound = _db.Fails("SELECT * FROM main.s.t WHERE id = :missing");
        Assert.Equal("UNBOUND_SQL_PARAMETER", unbound.ErrorClass);
        var malformed = _db.Fails("SELECT :x", new EngineParameter("x", "abc", "BIGINT"));
        Assert.Equal("CAST_INVALID_INPUT", malformed.ErrorClass);
    }

    [Fact]
    public void Casts_of_string_columns_to_int_double_and_boolean_take_fast_paths_without_changing_results_or_errors()
    {
        _db.Exec("CREATE TABLE main.s.t (k BIGINT, v STRING)");
        _db.Exec("INSERT INTO main.s.t VALUES (1, '50'), (2, '7.8'), (3, '-12'), (4, ' 8 '), (5, NULL), (6, '9007199254740993'), (7, '+3')");
        Assert.Equal(["1|50|50.0", "2|NULL|7.8", "3|-12|-12.0", "4|8|8.0", "5|NULL|NULL", "6|NULL|9.007199254740992E15", "7|3|3.0"],
            _db.Lines("SELECT k, try_cast(v AS INT), CAST(v AS DOUBLE) FROM main.s.t ORDER BY k"));
        Assert.Equal("CAST_OVERFLOW", _db.Fails("SELECT CAST(v AS INT) FROM main.s.t WHERE k = 6").ErrorClass);
        Assert.Equal("CAST_INVALID_INPUT", _db.Fails("SELECT CAST(v AS SMALLINT) FROM main.s.t WHERE k = 2").ErrorClass);
        _db.Exec("INSERT INTO main.s.t VALUES (10, 'true'), (11, 'false'), (12, 'TRUE'), (13, ' no '), (14, '1')");
        Assert.Equal(["10|true", "11|false", "12|true", "13|false", "14|true"], _db.Lines("SELECT k, CAST(v AS BOOLEAN) FROM main.s.t WHERE k >= 10 ORDER BY k"));
        Assert.Equal("CAST_INVALID_INPUT", _db.Fails("SELECT CAST(v AS BOOLEAN) FROM main.s.t WHERE k = 2").ErrorClass);
    }

    [Fact]
    public void Errors_carry_databricks_classes()
    {
        _db.Exec("CREATE TABLE main.s.t (id BIGINT NOT NULL, label STRING)");
        var syntax = _db.Fails("INSER INTO main.s.t VALUES (1)");
        Assert.Equal(("PARSE_SYNTAX_ERROR", "42601"), (syntax.ErrorClass, syntax.SqlState));
        Assert.Contains("'INSER'", syntax.Message);
        var missingTable = _db.Fails("SELECT * FROM main.s.nope");
        Assert.Equal(("TABLE_OR_VIEW_NOT_FOUND", "42P01"), (missingTable.ErrorClass, missingTable.SqlState));
        var missingColumn = _db.Fails("SELECT nope FROM main.s.t");
        Assert.Equal(("UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703"), (missingColumn.ErrorClass, missingColumn.SqlState));
        Assert.Equal("SCHEMA_NOT_FOUND", _db.Fails("CREATE TABLE main.nope.t (id INT)").ErrorClass);
        Assert.Equal("NO_SUCH_CATALOG_EXCEPTION", _db.Fails("CREATE SCHEMA nope.s").ErrorClass);
        Assert.Equal("UNRESOLVED_ROUTINE", _db.Fails("SELECT frobnicate(1)").ErrorClass);
        Assert.Equal("TABLE_OR_VIEW_ALREADY_EXISTS", _db.Fails("CREATE TABLE main.s.t (id INT)").ErrorClass);
        _db.Exec("CREATE TABLE IF NOT EXISTS main.s.t (id INT)");
    }

    [Fact]
    public void Cast_failure_and_not_null_violation_write_nothing()
    {
        _db.Exec("CREATE TABLE main.s.t (id BIGINT NOT NULL, label STRING)");
        _db.Exec("INSERT INTO main.s.t VALUES (1, 'a')");
        var cast = _db.Fails("INSERT INTO main.s.t VALUES (2, 'b'), ('oops', 'c')");
        Assert.Equal(("CAST_INVALID_INPUT", "22018"), (cast.ErrorClass, cast.SqlState));
        var notNull = _db.Fails("INSERT INTO main.s.t VALUES (3, 'x'), (NULL, 'y')");
        Assert.Equal("DELTA_NOT_NULL_CONSTRAINT_VIOLATED", notNull.ErrorClass);
        Assert.Contains("id", notNull.Message);
        Assert.Equal(["1|a"], _db.Lines("SELECT * FROM main.s.t"));
        Assert.Equal("1", _db.Scalar("DESCRIBE HISTORY main.s.t LIMIT 1"));
    }

    [Fact]
    public void Catalog_views_and_volumes()
    {
        _db.Exec("CREATE TABLE main.s.t (id BIGINT, label STRING NOT NULL) TBLPROPERTIES ('owner' = 'me')");
        var table = _db.Engine.GetTable("main", "s", "t")!;
        Assert.Equal(["id", "label"], table.Columns.Select(c => c.Name));
        Assert.False(table.Columns[1].Nullable);
        Assert.Equal("me", table.Properties["owner"]);
        Assert.Single(_db.Engine.ListTables("main", "s"));
        Assert.True(Directory.Exists(_db.Engine.GetVolumeDirectory("main", "s", "v")));
        Assert.Equal("v", _db.Engine.ListVolumes("main", "s").Single().Name);
        _db.Exec("DROP TABLE main.s.t");
        _db.Exec("DROP TABLE IF EXISTS main.s.t");
        Assert.Null(_db.Engine.GetTable("main", "s", "t"));
    }
}
