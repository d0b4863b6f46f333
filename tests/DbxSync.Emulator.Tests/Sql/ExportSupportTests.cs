using System.Text.Json;
using Xunit;

namespace DbxSync.Emulator.Tests.Sql;

/// <summary>What the table export relies on: QUALIFY with ranking windows, DESCRIBE DETAIL, INSERT OVERWRITE's change rows.</summary>
public sealed class ExportSupportTests : IDisposable
{
    private readonly EngineFixture _db = new();
    public void Dispose() => _db.Dispose();

    [Fact]
    public void Qualify_keeps_the_rows_a_ranking_window_selects()
    {
        _db.Exec("CREATE TABLE main.s.events (k BIGINT, v BIGINT, kind STRING)");
        _db.Exec("INSERT INTO main.s.events VALUES (1, 1, 'a'), (1, 2, 'delete'), (1, 2, 'insert'), (2, 5, 'a'), (2, 3, 'b'), (3, NULL, 'c')");
        Assert.Equal(["1|2|insert", "2|5|a", "3|NULL|c"], _db.Lines(
            "SELECT k, v, kind FROM main.s.events WHERE kind <> 'x' " +
            "QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC, CASE WHEN kind = 'delete' THEN 1 ELSE 0 END) = 1 ORDER BY k"));
        // As a subquery with a filter after it, and ranking functions in the select list.
        Assert.Equal(["2|5"], _db.Lines(
            "SELECT k, v FROM (SELECT * FROM main.s.events QUALIFY row_number() OVER (PARTITION BY k ORDER BY v DESC) = 1) AS newest WHERE kind = 'a'"));
        Assert.Equal(["1|1|1", "1|2|2", "1|2|2", "2|3|1", "2|5|2", "3|NULL|1"], _db.Lines(
            "SELECT k, v, rank() OVER (PARTITION BY k ORDER BY v) AS r FROM main.s.events ORDER BY k, v"));
        Assert.Equal("INT", _db.Execute("SELECT row_number() OVER (ORDER BY k) FROM main.s.events").Columns[0].TypeText);
    }

    [Fact]
    public void Describe_detail_serves_the_documented_columns_and_a_new_id_for_a_recreated_table()
    {
        _db.Exec("CREATE TABLE main.s.items (id BIGINT, label STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        _db.Exec("INSERT INTO main.s.items VALUES (1, NULL)");
        var result = _db.Execute("DESCRIBE DETAIL main.s.items");
        Assert.Equal(["format", "id", "name", "description", "location", "createdAt", "lastModified", "partitionColumns", "clusteringColumns",
            "numFiles", "sizeInBytes", "properties", "minReaderVersion", "minWriterVersion", "tableFeatures"], result.Columns.Select(c => c.Name));
        var row = result.Rows.Single();
        Assert.Equal("delta", row[0]);
        Assert.True(Guid.TryParse(row[1], out _));
        Assert.Equal("main.s.items", row[2]);
        Assert.Equal("[]", row[7]);
        Assert.Equal("1", row[9]);
        Assert.Equal("true", JsonSerializer.Deserialize<Dictionary<string, string>>(row[11]!)!["delta.enableChangeDataFeed"]);
        Assert.Equal(("1", "4"), (row[12], row[13]));
        Assert.Contains("changeDataFeed", JsonSerializer.Deserialize<List<string>>(row[14]!)!);

        _db.Exec("DROP TABLE main.s.items");
        _db.Exec("CREATE TABLE main.s.items (id BIGINT, label STRING)");
        Assert.NotEqual(row[1], _db.Rows("DESCRIBE DETAIL main.s.items").Single()[1]);
        Assert.Equal("TABLE_OR_VIEW_NOT_FOUND", _db.Fails("DESCRIBE DETAIL main.s.nothing").ErrorClass);
    }

    [Fact]
    public void Insert_overwrite_writes_a_delete_and_an_insert_of_each_rewritten_key_in_one_version()
    {
        // Delta records an overwrite as removing every current file and adding new ones, so the change feed
        // shows a delete of each old row and an insert of each new one in the same commit
        // (https://docs.databricks.com/en/delta/delta-change-data-feed.html#what-is-the-schema-for-the-change-data-feed).
        _db.Exec("CREATE TABLE main.s.items (id BIGINT, label STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        _db.Exec("INSERT INTO main.s.items VALUES (1, NULL), (2, NULL)");
        _db.Exec("INSERT OVERWRITE main.s.items VALUES (1, NULL), (3, NULL)");
        Assert.Equal(["1|delete", "1|insert", "2|delete", "3|insert"],
            _db.Lines("SELECT id, _change_type FROM table_changes('main.s.items', 2, 2) ORDER BY id, _change_type"));

        // The query reads the table as it was before the overwrite, also when it selects from that table.
        _db.Exec("INSERT OVERWRITE main.s.items SELECT id, 'kept' FROM main.s.items WHERE id = 3");
        Assert.Equal(["3|kept"], _db.Lines("SELECT id, label FROM main.s.items"));
    }

    [Fact]
    public void Add_columns_appends_nullable_columns_and_time_travel_keeps_each_versions_schema()
    {
        _db.Exec("CREATE TABLE main.s.items (id BIGINT, label STRING)");
        _db.Exec("INSERT INTO main.s.items VALUES (1, NULL)");
        _db.Exec("ALTER TABLE main.s.items ADD COLUMN note STRING");
        _db.Exec("ALTER TABLE main.s.items ADD COLUMNS (score DOUBLE, flag BOOLEAN)");
        _db.Exec("INSERT INTO main.s.items VALUES (2, NULL, 'n', 0.5, true)");
        Assert.Equal(["1|NULL|NULL|NULL|NULL", "2|NULL|n|0.5|true"], _db.Lines("SELECT * FROM main.s.items ORDER BY id"));
        Assert.Equal(["id", "label"], _db.Execute("SELECT * FROM main.s.items VERSION AS OF 1").Columns.Select(c => c.Name));
        Assert.Equal(["id", "label", "note"], _db.Execute("SELECT * FROM main.s.items VERSION AS OF 2 LIMIT 0").Columns.Select(c => c.Name));
        Assert.Equal(["ADD COLUMNS", "ADD COLUMNS"], _db.Rows("DESCRIBE HISTORY main.s.items LIMIT 3").Skip(1).Select(r => r[4]));
        // As on Databricks, comparing versions with different column counts fails.
        Assert.Equal("NUM_COLUMNS_MISMATCH", _db.Fails("SELECT * FROM main.s.items EXCEPT SELECT * FROM main.s.items VERSION AS OF 1").ErrorClass);
        Assert.Equal("FIELD_ALREADY_EXISTS", _db.Fails("ALTER TABLE main.s.items ADD COLUMN note STRING").ErrorClass);
    }

    [Fact]
    public void Drop_columns_needs_column_mapping_and_older_versions_still_show_the_dropped_column()
    {
        _db.Exec("CREATE TABLE main.s.items (id BIGINT NOT NULL, note STRING, label STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        _db.Exec("INSERT INTO main.s.items VALUES (1, 'a', NULL), (2, 'b', 'x')");
        Assert.Equal("DELTA_UNSUPPORTED_DROP_COLUMN", _db.Fails("ALTER TABLE main.s.items DROP COLUMN note").ErrorClass);

        _db.Exec("ALTER TABLE main.s.items SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name')");
        _db.Exec("ALTER TABLE main.s.items DROP COLUMN note");
        _db.Exec("ALTER TABLE main.s.items ADD COLUMN extra STRING");
        _db.Exec("INSERT INTO main.s.items VALUES (3, NULL, 'e')");
        _db.Exec("UPDATE main.s.items SET extra = 'u' WHERE id = 1");
        _db.Exec("MERGE INTO main.s.items AS t USING (SELECT 2 AS id, 'm' AS extra) AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET extra = s.extra");
        Assert.Equal(["1|NULL|u", "2|x|m", "3|NULL|e"], _db.Lines("SELECT * FROM main.s.items ORDER BY id"));
        Assert.Equal(["1|a|NULL", "2|b|x"], _db.Lines("SELECT * FROM main.s.items VERSION AS OF 2 ORDER BY id"));
        Assert.Equal(["id", "label"], _db.Execute("SELECT * FROM main.s.items VERSION AS OF 3 LIMIT 0").Columns.Select(c => c.Name));
        Assert.Equal("DROP COLUMNS", _db.Rows("DESCRIBE HISTORY main.s.items").Single(r => r[0] == "3")[4]);
        Assert.Equal("UNRESOLVED_COLUMN.WITH_SUGGESTION", _db.Fails("ALTER TABLE main.s.items DROP COLUMN nothing").ErrorClass);
        _db.Exec("ALTER TABLE main.s.items DROP COLUMN IF EXISTS nothing");
    }
}
