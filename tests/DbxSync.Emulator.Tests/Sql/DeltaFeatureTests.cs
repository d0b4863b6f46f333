using System.Text.Json;
using DbxSync.Emulator.Sql;
using Xunit;

namespace DbxSync.Emulator.Tests.Sql;

public sealed class DeltaFeatureTests : IDisposable
{
    private readonly EngineFixture _db = new();
    public void Dispose() => _db.Dispose();

    private void CreateLabels(bool changeFeed = true)
    {
        _db.Exec($"CREATE TABLE main.s.labels (id BIGINT NOT NULL, label STRING, score DOUBLE) USING DELTA TBLPROPERTIES (delta.enableChangeDataFeed = {(changeFeed ? "true" : "false")})");
        _db.Exec("INSERT INTO main.s.labels VALUES (1, 'cat', 0.5), (2, 'dog', 0.7), (3, NULL, NULL)");
    }

    [Fact]
    public void History_lists_versions_newest_first_with_operations_and_metrics()
    {
        CreateLabels();
        _db.Exec("UPDATE main.s.labels SET label = 'bird' WHERE id = 3");
        _db.Exec("DELETE FROM main.s.labels WHERE id = 1");
        _db.Exec("ALTER TABLE main.s.labels SET TBLPROPERTIES ('team' = 'ml')");
        _db.Exec("OPTIMIZE main.s.labels");
        var result = _db.Execute("DESCRIBE HISTORY main.s.labels");
        Assert.Equal(["version", "timestamp", "userId", "userName", "operation", "operationParameters", "job", "notebook", "clusterId",
            "readVersion", "isolationLevel", "isBlindAppend", "operationMetrics", "userMetadata", "engineInfo"], result.Columns.Select(c => c.Name));
        var rows = result.Rows.ToList();
        Assert.Equal(["5", "4", "3", "2", "1", "0"], rows.Select(r => r[0]));
        Assert.Equal(["OPTIMIZE", "SET TBLPROPERTIES", "DELETE", "UPDATE", "WRITE", "CREATE TABLE"], rows.Select(r => r[4]));
        Assert.All(rows, r => Assert.Equal("alice@example.com", r[3]));
        Assert.Null(rows[5][9]);
        Assert.Equal("4", rows[0][9]);
        var write = JsonSerializer.Deserialize<Dictionary<string, string>>(rows[4][12]!)!;
        Assert.Equal("3", write["numOutputRows"]);
        var update = JsonSerializer.Deserialize<Dictionary<string, string>>(rows[3][12]!)!;
        Assert.Equal("1", update["numUpdatedRows"]);
        var create = JsonSerializer.Deserialize<Dictionary<string, string>>(rows[5][5]!)!;
        Assert.Contains("delta.enableChangeDataFeed", create["properties"]);
        Assert.Equal("true", rows[4][11]);
        var timestamps = rows.Select(r => DateTimeOffset.Parse(r[1]!)).ToList();
        Assert.Equal(timestamps.OrderByDescending(t => t), timestamps);
        Assert.Single(_db.Rows("DESCRIBE HISTORY main.s.labels LIMIT 1"));
        Assert.Equal(5, _db.Engine.GetTable("main", "s", "labels")!.CurrentVersion);
    }

    [Fact]
    public void Time_travel_and_except_between_versions()
    {
        CreateLabels();
        _db.Exec("UPDATE main.s.labels SET label = 'bird' WHERE id = 3");
        _db.Exec("INSERT INTO main.s.labels VALUES (4, 'fish', 1.0)");
        Assert.Equal(["1|cat", "2|dog", "3|NULL"], _db.Lines("SELECT id, label FROM main.s.labels VERSION AS OF 1 ORDER BY id"));
        Assert.Equal("0", _db.Scalar("SELECT COUNT(*) FROM main.s.labels VERSION AS OF 0"));
        Assert.Equal(["3|bird|NULL", "4|fish|1.0"], _db.Lines("SELECT * FROM main.s.labels EXCEPT SELECT * FROM main.s.labels VERSION AS OF 1 ORDER BY id"));
        var error = _db.Fails("SELECT * FROM main.s.labels VERSION AS OF 9");
        Assert.Equal(("DELTA_VERSION_NOT_FOUND", "22003"), (error.ErrorClass, error.SqlState));
        Assert.Contains("Cannot time travel Delta table to version 9. Available versions: [0, 3]", error.Message);
    }

    [Fact]
    public void Vacuumed_versions_are_unavailable()
    {
        CreateLabels();
        _db.Exec("UPDATE main.s.labels SET label = 'x' WHERE id = 1");
        _db.Exec("UPDATE main.s.labels SET label = 'y' WHERE id = 1");
        _db.Engine.VacuumHistoryBefore("main.s.labels", 2);
        Assert.Equal("DELTA_VERSION_NOT_FOUND", _db.Fails("SELECT * FROM main.s.labels VERSION AS OF 1").ErrorClass);
        Assert.Contains("Available versions: [2, 3]", _db.Fails("SELECT * FROM table_changes('main.s.labels', 1)").Message);
        Assert.Equal(["1|x"], _db.Lines("SELECT id, label FROM main.s.labels VERSION AS OF 2 WHERE id = 1"));
        Assert.Equal(4, _db.Lines("SELECT * FROM table_changes('main.s.labels', 2, 3)").Count);
    }

    [Fact]
    public void Vacuumed_files_keep_the_log_but_old_versions_and_their_change_data_cannot_be_read()
    {
        CreateLabels();
        _db.Exec("UPDATE main.s.labels SET label = 'x' WHERE id = 1");
        _db.Exec("UPDATE main.s.labels SET label = 'y' WHERE id = 1");
        _db.Engine.VacuumFilesBefore("main.s.labels", 2);

        Assert.Equal(["3", "2", "1", "0"], _db.Execute("DESCRIBE HISTORY main.s.labels").Rows.Select(r => r[0]));
        var read = _db.Fails("SELECT * FROM main.s.labels VERSION AS OF 1");
        Assert.Equal(("FAILED_READ_FILE.FILE_NOT_EXIST", "KD001"), (read.ErrorClass, read.SqlState));
        var changes = _db.Fails("SELECT * FROM table_changes('main.s.labels', 1, 3)");
        Assert.Equal(("DELTA_CHANGE_DATA_FILE_NOT_FOUND", "42K03"), (changes.ErrorClass, changes.SqlState));
        Assert.Contains("deleted by the `VACUUM` statement", changes.Message);
        Assert.Equal(["1|x"], _db.Lines("SELECT id, label FROM main.s.labels VERSION AS OF 2 WHERE id = 1"));
        Assert.Equal(4, _db.Lines("SELECT * FROM table_changes('main.s.labels', 2, 3)").Count);
    }

    [Fact]
    public void Table_changes_reports_inserts_pre_and_post_images_and_deletes()
    {
        CreateLabels();
        _db.Exec("UPDATE main.s.labels SET score = 0.9 WHERE id = 2");
        _db.Exec("DELETE FROM main.s.labels WHERE id = 1");
        _db.Exec("OPTIMIZE main.s.labels");
        var result = _db.Execute("SELECT * FROM table_changes('main.s.`labels`', 1) ORDER BY _commit_version, id, _change_type");
        Assert.Equal(["id", "label", "score", "_change_type", "_commit_version", "_commit_timestamp"], result.Columns.Select(c => c.Name));
        Assert.Equal("LONG", result.Columns[4].TypeName);
        Assert.Equal("TIMESTAMP", result.Columns[5].TypeName);
        var rows = result.Rows.Select(r => string.Join("|", r.Take(5).Select(c => c ?? "NULL"))).ToList();
        Assert.Equal([
            "1|cat|0.5|insert|1", "2|dog|0.7|insert|1", "3|NULL|NULL|insert|1",
            "2|dog|0.9|update_postimage|2", "2|dog|0.7|update_preimage|2",
            "1|cat|0.5|delete|3",
        ], rows);
        Assert.Equal(["3"], _db.Lines("SELECT id FROM table_changes('main.s.labels', 0, 1) WHERE label IS NULL"));
        Assert.Empty(_db.Lines("SELECT * FROM table_changes('main.s.labels', 4, 4)"));
    }

    [Fact]
    public void Table_changes_errors()
    {
        CreateLabels(changeFeed: false);
        _db.Exec("ALTER TABLE main.s.labels SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        _db.Exec("INSERT INTO main.s.labels VALUES (9, 'new', 0)");
        var missing = _db.Fails("SELECT * FROM table_changes('main.s.labels', 0, 3)");
        Assert.Equal(("DELTA_MISSING_CHANGE_DATA", "KD002"), (missing.ErrorClass, missing.SqlState));
        Assert.Contains("Error getting change data for range [0 , 3] as change data was not recorded for version [0]", missing.Message);
        Assert.Equal(["9|new|insert"], _db.Lines("SELECT id, label, _change_type FROM table_changes('main.s.labels', 2)"));
        var after = _db.Fails("SELECT * FROM table_changes('main.s.labels', 4)");
        Assert.Equal(("DELTA_CDC_START_VERSION_AFTER_LATEST", "22003"), (after.ErrorClass, after.SqlState));
        Assert.Equal("DELTA_INVALID_CDC_RANGE", _db.Fails("SELECT * FROM table_changes('main.s.labels', 3, 2)").ErrorClass);
        Assert.Equal("TABLE_OR_VIEW_NOT_FOUND", _db.Fails("SELECT * FROM table_changes('main.s.nope', 0)").ErrorClass);
    }

    [Fact]
    public void Optimize_adds_a_version_without_changes()
    {
        CreateLabels();
        _db.Exec("OPTIMIZE main.s.labels");
        Assert.Equal("2", _db.Scalar("DESCRIBE HISTORY main.s.labels LIMIT 1"));
        Assert.Empty(_db.Rows("SELECT * FROM table_changes('main.s.labels', 2)"));
        Assert.Equal("3", _db.Scalar("SELECT COUNT(*) FROM main.s.labels"));
    }

    [Fact]
    public void Merge_from_values_updates_inserts_and_records_changes()
    {
        CreateLabels();
        var result = _db.Execute("""
            MERGE INTO main.s.labels AS t
            USING (VALUES (2, 'wolf', 0.8), (5, 'owl', 0.1)) AS v(id, label, score)
            ON t.id = v.id
            WHEN MATCHED THEN UPDATE SET label = v.label, score = v.score
            WHEN NOT MATCHED THEN INSERT (id, label, score) VALUES (v.id, v.label, v.score)
            """);
        Assert.Equal(["num_affected_rows", "num_updated_rows", "num_deleted_rows", "num_inserted_rows"], result.Columns.Select(c => c.Name));
        Assert.Equal(["2", "1", "0", "1"], result.Rows.Single());
        Assert.Equal(["1|cat", "2|wolf", "3|NULL", "5|owl"], _db.Lines("SELECT id, label FROM main.s.labels ORDER BY id"));
        Assert.Equal(["2|dog|update_preimage", "2|wolf|update_postimage", "5|owl|insert"],
            _db.Lines("SELECT id, label, _change_type FROM table_changes('main.s.labels', 2) ORDER BY id, _change_type DESC"));
        var history = _db.Rows("DESCRIBE HISTORY main.s.labels LIMIT 1").Single();
        Assert.Equal("MERGE", history[4]);
        var metrics = JsonSerializer.Deserialize<Dictionary<string, string>>(history[12]!)!;
        Assert.Equal(("1", "1", "2"), (metrics["numTargetRowsUpdated"], metrics["numTargetRowsInserted"], metrics["numSourceRows"]));
    }

    [Fact]
    public void Merge_from_parameterised_select_with_delete_and_star_clauses()
    {
        CreateLabels();
        var result = _db.Execute("""
            MERGE INTO main.s.labels t
            USING (SELECT * FROM VALUES (:id0, :lb0, :sc0), (:id1, :lb1, :sc1), (:id2, :lb2, :sc2) AS v(id, label, score)) AS s
            ON t.id = s.id
            WHEN MATCHED AND s.label IS NULL THEN DELETE
            WHEN MATCHED THEN UPDATE SET *
            WHEN NOT MATCHED AND s.score > 0 THEN INSERT *
            """,
            new("id0", "1", "BIGINT"), new("lb0", null), new("sc0", null, "DOUBLE"),
            new("id1", "2", "BIGINT"), new("lb1", "puppy"), new("sc1", "0.75", "DOUBLE"),
            new("id2", "7", "BIGINT"), new("lb2", "eel"), new("sc2", "0", "DOUBLE"));
        Assert.Equal(["2", "1", "1", "0"], result.Rows.Single());
        Assert.Equal(["2|puppy|0.75", "3|NULL|NULL"], _db.Lines("SELECT * FROM main.s.labels ORDER BY id"));
    }

    [Fact]
    public void Merge_with_duplicate_source_rows_fails_and_changes_nothing()
    {
        CreateLabels();
        var error = _db.Fails("""
            MERGE INTO main.s.labels AS t USING (VALUES (1, 'a'), (1, 'b'), (8, 'c')) AS s(id, label) ON t.id = s.id
            WHEN MATCHED THEN UPDATE SET label = s.label
            WHEN NOT MATCHED THEN INSERT (id, label) VALUES (s.id, s.label)
            """);
        Assert.Equal(("DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE", "21506"), (error.ErrorClass, error.SqlState));
        Assert.Equal("1", _db.Scalar("DESCRIBE HISTORY main.s.labels LIMIT 1"));
        Assert.Equal(["1|cat", "2|dog", "3|NULL"], _db.Lines("SELECT id, label FROM main.s.labels ORDER BY id"));
    }

    [Fact]
    public void Merge_from_read_files_with_quoted_csv_fields()
    {
        CreateLabels();
        var path = _db.WriteVolumeFile("staging/run1/labels.csv",
            "id,label,score\r\n2,\"dog, \"\"good\"\" boy\",0.95\r\n10,\"multi\nline\",0.25\r\n11,,\r\n");
        var result = _db.Execute($"""
            MERGE INTO main.s.labels AS t
            USING (SELECT CAST(id AS BIGINT) AS id, label, CAST(score AS DOUBLE) AS score FROM read_files('{path}', format => 'csv', header => true, {Rfc4180})) AS s
            ON t.id = s.id
            WHEN MATCHED THEN UPDATE SET label = s.label, score = s.score
            WHEN NOT MATCHED THEN INSERT (id, label, score) VALUES (s.id, s.label, s.score)
            """);
        Assert.Equal(["3", "1", "0", "2"], result.Rows.Single());
        Assert.Equal(["2|dog, \"good\" boy|0.95", "10|multi\nline|0.25", "11|NULL|NULL"], _db.Lines("SELECT * FROM main.s.labels WHERE id >= 2 AND id <> 3 ORDER BY id"));

        var typed = _db.Execute($"""
            MERGE INTO main.s.labels t
            USING read_files('{path}', format => 'csv', header => true, {Rfc4180}, schema => 'id BIGINT, label STRING, score DOUBLE') s
            ON t.id = s.id
            WHEN MATCHED THEN UPDATE SET score = s.score + 1
            """);
        Assert.Equal(["3", "3", "0", "0"], typed.Rows.Single());

        var untyped = _db.Execute($"SELECT * FROM read_files('{path}', format => 'csv', header => true, {Rfc4180})");
        Assert.Equal(["id", "label", "score", "_rescued_data"], untyped.Columns.Select(c => c.Name));
        Assert.All(untyped.Columns, c => Assert.Equal("STRING", c.TypeName));

        var cells = _db.WriteVolumeFile("cells.csv", "a,b,c\n\"\",,Zoë 東京 ✓\n");
        Assert.Equal(["|NULL|Zoë 東京 ✓|true|false"],
            _db.Lines($"SELECT a, b, c, a IS NOT NULL, b IS NOT NULL FROM read_files('{cells}', format => 'csv', header => true, schema => 'a STRING, b STRING, c STRING')"));

        var missing = _db.Fails("SELECT * FROM read_files('/Volumes/main/s/v/nope.csv', format => 'csv', header => true)");
        Assert.Equal("PATH_NOT_FOUND", missing.ErrorClass);
    }

    [Fact]
    public void Left_join_keeps_every_left_row_and_sees_only_current_right_rows()
    {
        CreateLabels();
        _db.Exec("DELETE FROM main.s.labels WHERE id = 2");
        Assert.Equal(["1|cat", "2|NULL", "3|NULL", "9|NULL"],
            _db.Lines("SELECT s.id, t.label FROM (VALUES (1), (2), (3), (9)) AS s(id) LEFT OUTER JOIN main.s.labels AS t ON t.id = s.id ORDER BY 1"));
        Assert.Equal(["2", "9"],
            _db.Lines("SELECT s.id FROM (VALUES (1), (2), (3), (9)) AS s(id) LEFT JOIN main.s.labels t ON t.id = s.id WHERE t.id IS NULL ORDER BY 1"));
        Assert.Equal("UNSUPPORTED_FEATURE", _db.Fails("SELECT * FROM main.s.labels a JOIN main.s.labels b ON a.id = b.id").ErrorClass);
    }

    private const string Rfc4180 = "multiLine => true, quote => '\"', escape => '\"', encoding => 'UTF-8', mode => 'FAILFAST'";

    [Fact]
    public void Read_files_applies_spark_csv_defaults_unless_told_otherwise()
    {
        // Spark's CSV defaults: multiLine false, escape '\\', mode PERMISSIVE
        // (https://docs.databricks.com/en/sql/language-manual/functions/read_files.html#csv-options).
        var path = _db.WriteVolumeFile("spark.csv", "id,label\r\n1,\"two\nlines\"\r\n2,\"say \\\"hi\\\"\"\r\n3,\"C:\\\",x\r\n4,a,extra\r\n");
        const string schema = "schema => 'id STRING, label STRING'";
        Assert.Equal(["1|two", "lines\"|NULL", "2|say \"hi\"", "3|C:\",x", "4|a"],
            _db.Lines($"SELECT id, label FROM read_files('{path}', format => 'csv', header => true, {schema})"));
        Assert.Equal(["1|two", "2|say \"hi\"", "3|C:\",x"],
            _db.Lines($"SELECT id, label FROM read_files('{path}', format => 'csv', header => true, mode => 'DROPMALFORMED', {schema})"));
        Assert.Equal("MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION",
            _db.Fails($"SELECT id, label FROM read_files('{path}', format => 'csv', header => true, mode => 'FAILFAST', {schema})").ErrorClass);

        var rfc = _db.WriteVolumeFile("rfc.csv", "id,label\r\n1,\"two\nlines\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\"C:\\\"\r\n");
        Assert.Equal(["1|two\nlines", "2|say \"hi\"", "3|C:\\"],
            _db.Lines($"SELECT id, label FROM read_files('{rfc}', format => 'csv', header => true, {Rfc4180}, {schema})"));
        Assert.Equal("UNSUPPORTED_FEATURE",
            _db.Fails($"SELECT * FROM read_files('{rfc}', format => 'csv', encoding => 'UTF-16', {schema})").ErrorClass);
    }

    [Fact]
    public void Merge_casts_csv_strings_into_typed_columns_and_rejects_bad_values()
    {
        CreateLabels();
        var path = _db.WriteVolumeFile("bad.csv", "id,label,score\n4,ok,0.1\nfive,bad,0.2\n");
        var error = _db.Fails($"""
            MERGE INTO main.s.labels t USING read_files('{path}', format => 'csv', header => true) s ON t.id = s.id
            WHEN NOT MATCHED THEN INSERT (id, label, score) VALUES (s.id, s.label, s.score)
            """);
        Assert.Equal("CAST_INVALID_INPUT", error.ErrorClass);
        Assert.Equal("3", _db.Scalar("SELECT COUNT(*) FROM main.s.labels"));
        Assert.Equal("1", _db.Scalar("DESCRIBE HISTORY main.s.labels LIMIT 1"));
    }

    [Fact]
    public void Merge_not_matched_by_source_deletes()
    {
        CreateLabels();
        var result = _db.Execute("""
            MERGE INTO main.s.labels t USING (VALUES (1)) AS s(id) ON t.id = s.id
            WHEN NOT MATCHED BY SOURCE THEN DELETE
            """);
        Assert.Equal(["2", "0", "2", "0"], result.Rows.Single());
        Assert.Equal(["1"], _db.Lines("SELECT id FROM main.s.labels"));
    }
}
