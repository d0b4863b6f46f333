using Xunit;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.Tests.Sql;

/// <summary>ARRAY, MAP, STRUCT and VARIANT through the engine, asserting what a Databricks client observes.</summary>
public sealed class ComplexTypeTests : IDisposable
{
    private readonly EngineFixture _db = new();
    public void Dispose() => _db.Dispose();

    private void CreateItems()
    {
        _db.Exec("""
            CREATE TABLE main.s.items (
              id BIGINT NOT NULL, tags ARRAY<STRING>, attrs MAP<STRING, INT>, dims STRUCT<w: DOUBLE, h: DOUBLE, unit: STRING>,
              raw STRING, doc VARIANT)
            """);
        _db.Exec("""
            INSERT INTO main.s.items VALUES
              (1, array('a', 'b'), map('x', 1, 'y', 2), named_struct('w', 1.5, 'h', 2, 'unit', 'cm'), '{"owner":"amy","zip":{"code":94025},"list":[1,2]}', parse_json('{"a":{"b":[10,20]}}')),
              (2, array('c'), map('z', 3), struct(3.0 AS w, 4.0 AS h, NULL AS unit), NULL, NULL),
              (3, NULL, NULL, NULL, NULL, NULL)
            """);
    }

    [Fact]
    public void Ddl_insert_and_select_report_types_and_json_cells_like_the_statement_api()
    {
        CreateItems();
        var result = _db.Execute("SELECT tags, attrs, dims, doc FROM main.s.items ORDER BY id");
        Assert.Equal(["ARRAY<STRING>", "MAP<STRING, INT>", "STRUCT<w: DOUBLE, h: DOUBLE, unit: STRING>", "VARIANT"], result.Columns.Select(c => c.TypeText));
        Assert.Equal(["ARRAY", "MAP", "STRUCT", "VARIANT"], result.Columns.Select(c => c.TypeName));
        var rows = result.Rows.ToList();
        Assert.Equal(["[\"a\",\"b\"]", "{\"x\":1,\"y\":2}", "{\"w\":1.5,\"h\":2.0,\"unit\":\"cm\"}", "{\"a\":{\"b\":[10,20]}}"], rows[0]);
        Assert.Equal(["[\"c\"]", "{\"z\":3}", "{\"w\":3.0,\"h\":4.0,\"unit\":null}", null], rows[1]);
        Assert.Equal([null, null, null, null], rows[2]);
    }

    [Fact]
    public void Describe_table_reports_catalog_type_strings()
    {
        CreateItems();
        Assert.Equal(["id|bigint|NULL", "tags|array<string>|NULL", "attrs|map<string,int>|NULL", "dims|struct<w:double,h:double,unit:string>|NULL",
            "raw|string|NULL", "doc|variant|NULL"], _db.Lines("DESCRIBE TABLE main.s.items"));
        Assert.Equal(6, _db.Rows("DESCRIBE main.s.items").Count);
    }

    [Fact]
    public void Cast_to_string_renders_like_databricks()
    {
        CreateItems();
        Assert.Equal(["[a, b]|{x -> 1, y -> 2}|{1.5, 2.0, cm}", "[c]|{z -> 3}|{3.0, 4.0, null}", "NULL|NULL|NULL"],
            _db.Lines("SELECT CAST(tags AS STRING), CAST(attrs AS STRING), dims::string FROM main.s.items ORDER BY id"));
        Assert.Equal("[1, null, 2]", _db.Scalar("SELECT CAST(array(1, NULL, 2) AS STRING)"));
        Assert.Equal("[0.1]|[1.0E7]", _db.Lines("SELECT array(CAST(0.1 AS FLOAT)), array(CAST(1e7 AS DOUBLE))").Single());
        Assert.Equal("{1, x}", _db.Scalar("SELECT CAST(struct(1, 'x') AS STRING)"));
        Assert.Equal("{a -> [1, 2]}", _db.Scalar("SELECT CAST(map('a', array(1, 2)) AS STRING)"));
        Assert.Equal("DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION", _db.Fails("SELECT CAST('[1]' AS ARRAY<INT>)").ErrorClass);
    }

    [Fact]
    public void Elements_fields_and_map_values_are_addressable()
    {
        CreateItems();
        Assert.Equal(["a|b|1|NULL|1.5|cm"],
            _db.Lines("SELECT tags[0], element_at(tags, 2), attrs['x'], attrs['nope'], dims.w, items.dims.unit FROM main.s.items WHERE id = 1"));
        Assert.Equal(["1|1.5|2.0|cm"], _db.Lines("SELECT id, dims.* FROM main.s.items WHERE id = 1"));
        Assert.Equal(["c|NULL|3.0|NULL"], _db.Lines("SELECT tags[0], attrs['x'], dims.w, dims.unit FROM main.s.items WHERE id = 2"));
        Assert.Equal("INVALID_ARRAY_INDEX", _db.Fails("SELECT tags[5] FROM main.s.items WHERE id = 1").ErrorClass);
        Assert.Equal("b|a", _db.Lines("SELECT element_at(tags, -1), element_at(tags, -2) FROM main.s.items WHERE id = 1").Single());
        Assert.Equal("INVALID_INDEX_OF_ZERO", _db.Fails("SELECT element_at(tags, 0) FROM main.s.items WHERE id = 1").ErrorClass);
        Assert.Equal("INVALID_ARRAY_INDEX_IN_ELEMENT_AT", _db.Fails("SELECT element_at(tags, 3) FROM main.s.items WHERE id = 1").ErrorClass);
        Assert.Equal(["2", "1", "NULL"], _db.Lines("SELECT size(tags) FROM main.s.items ORDER BY id"));
    }

    [Fact]
    public void Array_contains_follows_the_null_rules()
    {
        CreateItems();
        Assert.Equal(["1|true", "2|false", "3|NULL"], _db.Lines("SELECT id, array_contains(tags, 'b') FROM main.s.items ORDER BY id"));
        Assert.Equal("NULL", _db.Lines("SELECT array_contains(array(1, NULL), 5)").Single());
        Assert.Equal("true", _db.Scalar("SELECT array_contains(array(1, NULL), 1)"));
        Assert.Equal(["1"], _db.Lines("SELECT id FROM main.s.items WHERE array_contains(tags, 'a')"));
    }

    [Fact]
    public void Explode_as_select_item_lateral_view_and_table_function()
    {
        CreateItems();
        Assert.Equal(["1|a", "1|b", "2|c"], _db.Lines("SELECT id, explode(tags) AS tag FROM main.s.items ORDER BY id, tag"));
        Assert.Equal(["1|x|1", "1|y|2", "2|z|3"], _db.Lines("SELECT id, k, v FROM main.s.items LATERAL VIEW explode(attrs) kv AS k, v ORDER BY id, k"));
        Assert.Equal(["1|a", "1|b", "2|c", "3|NULL"], _db.Lines("SELECT id, t FROM main.s.items LATERAL VIEW OUTER explode(tags) x AS t ORDER BY id, t"));
        Assert.Equal(["10", "20"], _db.Lines("SELECT col FROM explode(array(10, 20)) ORDER BY col"));
        Assert.Equal(["0|a", "1|b"], _db.Lines("SELECT posexplode(tags) FROM main.s.items WHERE id = 1"));
        Assert.Equal("UNSUPPORTED_GENERATOR.NESTED_IN_EXPRESSIONS", _db.Fails("SELECT upper(explode(tags)) FROM main.s.items").ErrorClass);
    }

    [Fact]
    public void From_json_and_inline_feed_an_insert_from_a_parameter()
    {
        _db.Exec("CREATE TABLE main.s.parts (id BIGINT, label STRING, tags ARRAY<STRING>)");
        var rows = new EngineParameter("rows", """[{"id":1,"label":"cat","tags":["x"]},{"id":2,"label":null,"tags":[]}]""");
        var result = _db.Execute("INSERT INTO main.s.parts SELECT * FROM inline(from_json(:rows, 'ARRAY<STRUCT<id: BIGINT, label: STRING, tags: ARRAY<STRING>>>'))", rows);
        Assert.Equal(["2", "2"], result.Rows.Single());
        Assert.Equal(["1|cat|[\"x\"]", "2|NULL|[]"], _db.Lines("SELECT * FROM main.s.parts ORDER BY id"));
        Assert.Equal("{\"a\":1,\"b\":null}", _db.Scalar("SELECT from_json('{\"a\": 1}', 'a INT, b STRING')"));
        Assert.Equal("{\"a\":null}", _db.Scalar("SELECT from_json('{not json', 'a INT')"));
        Assert.Equal("NULL", _db.Lines("SELECT from_json('{not json', 'ARRAY<INT>')").Single());
        // Parameters are scalar: a complex value travels as JSON text.
        Assert.Equal("INVALID_PARAMETER_VALUE.COMPLEX_TYPE", _db.Fails("SELECT :p", new EngineParameter("p", "[1]", "ARRAY<INT>")).ErrorClass);
    }

    [Fact]
    public void To_json_leaves_out_null_fields()
    {
        CreateItems();
        Assert.Equal(["{\"w\":1.5,\"h\":2.0,\"unit\":\"cm\"}", "{\"w\":3.0,\"h\":4.0}", "NULL"], _db.Lines("SELECT to_json(dims) FROM main.s.items ORDER BY id"));
        Assert.Equal("[\"a\",\"b\"]", _db.Scalar("SELECT to_json(tags) FROM main.s.items WHERE id = 1"));
        Assert.Equal("{\"ts\":\"2024-01-02T03:04:05.000Z\"}", _db.Scalar("SELECT to_json(named_struct('ts', TIMESTAMP '2024-01-02 03:04:05'))"));
    }

    [Fact]
    public void Json_paths_on_strings_and_variants()
    {
        CreateItems();
        Assert.Equal(["amy|amy|NULL|94025|2"], _db.Lines("SELECT raw:owner, raw:OWNER, raw:['OWNER'], raw:zip.code, raw:list[1] FROM main.s.items WHERE id = 1"));
        Assert.Equal("{\"code\":94025}", _db.Scalar("SELECT raw:zip FROM main.s.items WHERE id = 1"));
        var variant = _db.Execute("SELECT doc:a.b[1], doc:a.b[1]::int + 1, doc:A FROM main.s.items WHERE id = 1");
        Assert.Equal(["VARIANT", "INT"], variant.Columns.Take(2).Select(c => c.TypeText));
        Assert.Equal(["20", "21", null], variant.Rows.Single());
        Assert.Equal("hello", _db.Scalar("SELECT parse_json('{\"s\":\"hello\"}'):s::string"));
        Assert.Equal("MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION", _db.Fails("SELECT parse_json('{bad')").ErrorClass);
        Assert.Equal("NULL", _db.Lines("SELECT try_parse_json('{bad')").Single());
        Assert.Equal("1", _db.Scalar("SELECT id FROM main.s.items WHERE raw:owner = 'amy'"));
    }

    [Fact]
    public void Set_operations_distinct_and_grouping_refuse_maps_and_variants()
    {
        CreateItems();
        Assert.Equal("UNSUPPORTED_FEATURE.SET_OPERATION_ON_MAP_TYPE", _db.Fails("SELECT attrs FROM main.s.items EXCEPT SELECT attrs FROM main.s.items").ErrorClass);
        Assert.Equal("UNSUPPORTED_FEATURE.SET_OPERATION_ON_MAP_TYPE", _db.Fails("SELECT attrs FROM main.s.items INTERSECT SELECT attrs FROM main.s.items").ErrorClass);
        Assert.Equal("UNSUPPORTED_FEATURE.SET_OPERATION_ON_MAP_TYPE", _db.Fails("SELECT attrs FROM main.s.items UNION SELECT attrs FROM main.s.items").ErrorClass);
        Assert.Equal("UNSUPPORTED_FEATURE.SET_OPERATION_ON_MAP_TYPE", _db.Fails("SELECT DISTINCT attrs FROM main.s.items").ErrorClass);
        Assert.Equal("UNSUPPORTED_FEATURE.SET_OPERATION_ON_VARIANT_TYPE", _db.Fails("SELECT DISTINCT doc FROM main.s.items").ErrorClass);
        Assert.Equal("GROUP_EXPRESSION_TYPE_IS_NOT_ORDERABLE", _db.Fails("SELECT count(*) FROM main.s.items GROUP BY attrs").ErrorClass);
        Assert.Equal("DATATYPE_MISMATCH.INVALID_ORDERING_TYPE", _db.Fails("SELECT id FROM main.s.items WHERE attrs = attrs").ErrorClass);
        // Arrays and structs compare by value, so these work.
        Assert.Equal(6, _db.Rows("SELECT tags FROM main.s.items UNION ALL SELECT tags FROM main.s.items").Count);
        Assert.Equal(3, _db.Rows("SELECT DISTINCT tags, dims FROM main.s.items").Count);
        Assert.Equal(["1"], _db.Lines("SELECT id FROM main.s.items WHERE tags = array('a', 'b')"));
    }

    [Fact]
    public void Complex_columns_survive_update_merge_and_time_travel()
    {
        CreateItems();
        _db.Exec("UPDATE main.s.items SET tags = array('q') WHERE id = 1");
        _db.Exec("""
            MERGE INTO main.s.items t USING (SELECT 2 AS id, map('m', 9) AS attrs) s ON t.id = s.id
            WHEN MATCHED THEN UPDATE SET attrs = s.attrs
            """);
        Assert.Equal(["1|[\"q\"]|{\"x\":1,\"y\":2}", "2|[\"c\"]|{\"m\":9}"], _db.Lines("SELECT id, tags, attrs FROM main.s.items WHERE id < 3 ORDER BY id"));
        Assert.Equal("[\"a\",\"b\"]", _db.Scalar("SELECT tags FROM main.s.items VERSION AS OF 1 WHERE id = 1"));
    }
}
