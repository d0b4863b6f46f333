using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// The SQLite functions behind complex-type expressions. Type arguments arrive as SQL type text (cached parses);
/// errors go through SqliteFunctions.Guard so the engine rethrows the Databricks error class.
/// </summary>
public static class ComplexFunctions
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<JsonPathSegment>> Paths = new(StringComparer.Ordinal);

    public static string SerializePath(IReadOnlyList<JsonPathSegment> path) => JsonSerializer.Serialize(path);

    private static IReadOnlyList<JsonPathSegment> PathOf(string json) =>
        Paths.GetOrAdd(json, j => JsonSerializer.Deserialize<List<JsonPathSegment>>(j)!);

    public static void Register(SqliteConnection connection)
    {
        connection.CreateFunction("dbx_array", (object?[] args) =>
            SqliteFunctions.Guard(() => ComplexValues.MakeArray(SqliteFunctions.TypeOf((string)args[0]!), args.Skip(1))), isDeterministic: true);
        connection.CreateFunction("dbx_map", (object?[] args) =>
            SqliteFunctions.Guard(() => ComplexValues.MakeMap(SqliteFunctions.TypeOf((string)args[0]!), args[1..])), isDeterministic: true);
        connection.CreateFunction("dbx_struct", (object?[] args) =>
            SqliteFunctions.Guard(() => ComplexValues.MakeStruct(SqliteFunctions.TypeOf((string)args[0]!), args[1..])), isDeterministic: true);
        connection.CreateFunction("dbx_from_json", (string? text, string type) =>
            SqliteFunctions.Guard(() => ComplexValues.FromJson(text, SqliteFunctions.TypeOf(type))), isDeterministic: true);
        connection.CreateFunction("dbx_to_json", (object? value, string type) =>
            SqliteFunctions.Guard(() => ComplexValues.ToJson(value, SqliteFunctions.TypeOf(type))), isDeterministic: true);
        connection.CreateFunction("dbx_parse_json", (string? text, long tryParse) =>
            SqliteFunctions.Guard(() => ComplexValues.ParseJson(text, tryParse != 0)), isDeterministic: true);
        connection.CreateFunction("dbx_json_path", (string? text, string path, long variant) =>
            SqliteFunctions.Guard(() => ComplexValues.ExtractPath(text, PathOf(path), variant != 0)), isDeterministic: true);
        connection.CreateFunction("dbx_array_index_error", (long index, long size, long elementAt) =>
            SqliteFunctions.Guard(() => throw (elementAt, index) switch
            {
                (0, _) => new EngineException("INVALID_ARRAY_INDEX", "22003",
                    $"The index {index} is out of bounds. The array has {size} elements. Use the SQL function `get()` to tolerate accessing element at invalid index and return NULL instead."),
                (_, 0) => new EngineException("INVALID_INDEX_OF_ZERO", "22003", "The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1)."),
                _ => new EngineException("INVALID_ARRAY_INDEX_IN_ELEMENT_AT", "22003",
                    $"The index {index} is out of bounds. The array has {size} elements. Use `try_element_at` to tolerate accessing element at invalid index and return NULL instead."),
            }),
            // Not deterministic, so SQLite never evaluates it ahead of the CASE that guards it (constant-expression factoring).
            isDeterministic: false);
    }
}
