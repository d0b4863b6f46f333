using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// Values of ARRAY, MAP, STRUCT and VARIANT. SQLite stores them as JSON text ("storage JSON"): arrays as JSON arrays,
/// structs as objects with every field in declared order, maps as objects keyed by the key's text, VARIANT as the
/// parsed JSON. Scalars inside keep the engine's storage form (timestamps as fixed-width UTC text, booleans as JSON
/// booleans, decimals with their scale), so SQLite's json_each/json_extract yield ordinary storage values.
/// Everything a client sees (JSON_ARRAY cells, CAST AS STRING, to_json) is rendered from here.
/// </summary>
public static class ComplexValues
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // ---------- storage scalar <-> storage JSON ----------

    /// <summary>A storage value (long, double, string, JSON text) of the given type as a storage JSON node.</summary>
    public static JsonNode? ToNode(object? value, SqlType type)
    {
        if (value is null or DBNull) return null;
        switch (type.Kind)
        {
            case SqlTypeKind.Boolean:
                return JsonValue.Create(value switch { long l => l != 0, double d => d != 0, string s => s is "true" or "1", _ => Convert.ToBoolean(value, Invariant) });
            case SqlTypeKind.TinyInt or SqlTypeKind.SmallInt or SqlTypeKind.Int or SqlTypeKind.BigInt:
                return JsonValue.Create(Convert.ToInt64(value, Invariant));
            case SqlTypeKind.Float or SqlTypeKind.Double:
            {
                var d = Convert.ToDouble(value, Invariant);
                var text = type.Kind == SqlTypeKind.Float ? SqlValueConverter.FormatFloat((float)d) : SqlValueConverter.FormatDouble(d);
                // JSON has no NaN/Infinity; Spark's JSON writer emits them as strings.
                return double.IsFinite(d) ? JsonNode.Parse(text) : JsonValue.Create(text);
            }
            case SqlTypeKind.Decimal:
            {
                var text = SqlValueConverter.FormatCell(value, type)!;
                return JsonNode.Parse(text);
            }
            case SqlTypeKind.Void:
                return null;
            case SqlTypeKind.Array or SqlTypeKind.Map or SqlTypeKind.Struct or SqlTypeKind.Variant:
                return value is string json ? JsonNode.Parse(json) : JsonValue.Create(Convert.ToString(value, Invariant));
            default:
                return JsonValue.Create(Convert.ToString(value, Invariant));
        }
    }

    /// <summary>The storage value a storage JSON node holds, for a value of the given type.</summary>
    public static object? FromNode(JsonNode? node, SqlType type)
    {
        if (node is null) return null;
        switch (type.Kind)
        {
            case SqlTypeKind.Boolean:
                return node.GetValueKind() == JsonValueKind.True ? 1L : 0L;
            case SqlTypeKind.TinyInt or SqlTypeKind.SmallInt or SqlTypeKind.Int or SqlTypeKind.BigInt:
                return node.GetValue<long>();
            case SqlTypeKind.Float or SqlTypeKind.Double or SqlTypeKind.Decimal:
                return node.GetValueKind() == JsonValueKind.String
                    ? SqlValueConverter.ParseText(node.GetValue<string>(), SqlType.Double)
                    : node.GetValue<double>();
            case SqlTypeKind.Array or SqlTypeKind.Map or SqlTypeKind.Struct or SqlTypeKind.Variant:
                return node.ToJsonString();
            default:
                return node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
        }
    }

    public static JsonNode? Parse(object? storage) => storage is string text ? JsonNode.Parse(text) : null;

    // ---------- constructors ----------

    /// <summary>array(a, b, ...): the arguments are already cast to the element type.</summary>
    public static string MakeArray(SqlType arrayType, IEnumerable<object?> elements) =>
        new JsonArray(elements.Select(e => ToNode(e, arrayType.Element!)).ToArray()).ToJsonString();

    /// <summary>map(k1, v1, ...): NULL keys and duplicate keys are errors (https://docs.databricks.com/en/sql/language-manual/functions/map.html).</summary>
    public static string MakeMap(SqlType mapType, IReadOnlyList<object?> keysAndValues)
    {
        var map = new JsonObject();
        for (var i = 0; i + 1 < keysAndValues.Count; i += 2)
        {
            var key = MapKeyText(keysAndValues[i], mapType.KeyType!);
            if (map.ContainsKey(key))
                throw new EngineException("DUPLICATED_MAP_KEY", "23505",
                    $"Duplicate map key {key} was found, please check the input data. If you want to remove the duplicated keys, you can set \"spark.sql.mapKeyDedupPolicy\" to \"LAST_WIN\" so that the key inserted at last takes precedence.");
            map[key] = ToNode(keysAndValues[i + 1], mapType.ValueType!);
        }
        return map.ToJsonString();
    }

    private static string MapKeyText(object? key, SqlType keyType)
    {
        if (key is null or DBNull) throw new EngineException("NULL_MAP_KEY", "2200E", "Cannot use null as map key.");
        return keyType.IsNested ? ToNode(key, keyType)!.ToJsonString() : SqlValueConverter.FormatAsString(key, keyType);
    }

    private static object? MapKeyValue(string keyText, SqlType keyType) =>
        keyType.IsNested ? keyText : SqlValueConverter.ParseText(keyText, keyType);

    /// <summary>named_struct / struct: one value per field, already cast to the field types.</summary>
    public static string MakeStruct(SqlType structType, IReadOnlyList<object?> values)
    {
        var result = new JsonObject();
        for (var i = 0; i < structType.Fields!.Items.Count; i++)
            result[structType.Fields.Items[i].Name] = ToNode(values[i], structType.Fields.Items[i].Type);
        return result.ToJsonString();
    }

    // ---------- rendering ----------

    /// <summary>
    /// The JSON_ARRAY cell of a complex value: JSON text (docs: "Complex types arrive as JSON text inside the string",
    /// reference/databricks-api.md §2.5), with nested timestamps in the same ISO form as top-level TIMESTAMP cells (assumed).
    /// </summary>
    public static string ToResultJson(object storage, SqlType type) =>
        Render(Parse(storage), type, omitNullFields: false)?.ToJsonString() ?? "null";

    /// <summary>to_json: null struct fields are left out (https://docs.databricks.com/en/sql/language-manual/functions/to_json.html).</summary>
    public static string? ToJson(object? storage, SqlType type) =>
        storage is null or DBNull ? null : Render(Parse(storage), type, omitNullFields: true)?.ToJsonString() ?? "null";

    private static JsonNode? Render(JsonNode? node, SqlType type, bool omitNullFields)
    {
        if (node is null) return null;
        switch (type.Kind)
        {
            case SqlTypeKind.Array:
                return new JsonArray(node.AsArray().Select(e => Render(e, type.Element!, omitNullFields)).ToArray());
            case SqlTypeKind.Map:
            {
                var map = new JsonObject();
                foreach (var (key, value) in node.AsObject()) map[key] = Render(value, type.ValueType!, omitNullFields);
                return map;
            }
            case SqlTypeKind.Struct:
            {
                var result = new JsonObject();
                var source = node.AsObject();
                foreach (var field in type.Fields!.Items)
                {
                    var value = source.TryGetPropertyValue(field.Name, out var v) ? Render(v, field.Type, omitNullFields) : null;
                    if (value is null && omitNullFields) continue;
                    result[field.Name] = value;
                }
                return result;
            }
            case SqlTypeKind.Timestamp when node.GetValueKind() == JsonValueKind.String:
                return JsonValue.Create(SqlValueConverter.FormatCell(node.GetValue<string>(), SqlType.Timestamp));
            default:
                return node.DeepClone();
        }
    }

    /// <summary>
    /// CAST(complex AS STRING): [e1, e2], {k1 -> v1}, {f1, f2}, NULL elements as "null"
    /// (https://docs.databricks.com/en/sql/language-manual/functions/cast.html, "STRING" target rules).
    /// A VARIANT holding a string casts to that string, anything else to its JSON text.
    /// </summary>
    public static string FormatAsString(object storage, SqlType type)
    {
        var builder = new StringBuilder();
        AppendAsString(builder, Parse(storage), type);
        return builder.ToString();
    }

    private static void AppendAsString(StringBuilder builder, JsonNode? node, SqlType type)
    {
        if (node is null) { builder.Append("null"); return; }
        switch (type.Kind)
        {
            case SqlTypeKind.Array:
                builder.Append('[');
                var first = true;
                foreach (var element in node.AsArray())
                {
                    if (!first) builder.Append(", ");
                    first = false;
                    AppendAsString(builder, element, type.Element!);
                }
                builder.Append(']');
                return;
            case SqlTypeKind.Map:
                builder.Append('{');
                first = true;
                foreach (var (key, value) in node.AsObject())
                {
                    if (!first) builder.Append(", ");
                    first = false;
                    if (type.KeyType!.IsNested) AppendAsString(builder, JsonNode.Parse(key), type.KeyType);
                    else builder.Append(SqlValueConverter.FormatAsString(MapKeyValue(key, type.KeyType)!, type.KeyType));
                    builder.Append(" -> ");
                    AppendAsString(builder, value, type.ValueType!);
                }
                builder.Append('}');
                return;
            case SqlTypeKind.Struct:
                builder.Append('{');
                var source = node.AsObject();
                for (var i = 0; i < type.Fields!.Items.Count; i++)
                {
                    if (i > 0) builder.Append(", ");
                    var field = type.Fields.Items[i];
                    AppendAsString(builder, source.TryGetPropertyValue(field.Name, out var v) ? v : null, field.Type);
                }
                builder.Append('}');
                return;
            case SqlTypeKind.Variant:
                builder.Append(node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString());
                return;
            default:
                builder.Append(SqlValueConverter.FormatAsString(FromNode(node, type)!, type));
                return;
        }
    }

    // ---------- casts ----------

    /// <summary>Whether Spark allows CAST(from AS to) where one side is complex (cast.html's table).</summary>
    public static bool CanCast(SqlType from, SqlType to)
    {
        if (from.Kind == SqlTypeKind.Void || from == to) return true;
        if (to.Kind == SqlTypeKind.String) return true;
        if (to.Kind == SqlTypeKind.Variant) return true;
        if (from.Kind == SqlTypeKind.Variant) return true;
        if (!from.IsComplex && !to.IsComplex) return true;
        if (from.Kind != to.Kind) return false;
        return from.Kind switch
        {
            SqlTypeKind.Array => CanCast(from.Element!, to.Element!),
            SqlTypeKind.Map => CanCast(from.KeyType!, to.KeyType!) && CanCast(from.ValueType!, to.ValueType!),
            SqlTypeKind.Struct => from.Fields!.Items.Count == to.Fields!.Items.Count
                && from.Fields.Items.Zip(to.Fields.Items).All(p => CanCast(p.First.Type, p.Second.Type)),
            _ => false,
        };
    }

    public static EngineException CastMismatch(SqlType from, SqlType to) =>
        new("DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION", "42K09",
            $"Cannot resolve \"CAST(value AS {to.TypeText})\" due to data type mismatch: cannot cast \"{from.TypeText}\" to \"{to.TypeText}\".");

    /// <summary>CAST where either side is complex, on storage values; element casts follow the scalar rules.</summary>
    public static object? Cast(object? value, SqlType from, SqlType to)
    {
        if (value is null or DBNull) return null;
        if (from == to) return value;
        if (to.Kind == SqlTypeKind.String) return FormatAsString(value, from);
        if (to.Kind == SqlTypeKind.Variant)
            return from.Kind == SqlTypeKind.Variant ? value : (from.IsNested ? Render(Parse(value), from, false) : ToNode(value, from))?.ToJsonString() ?? "null";
        if (from.Kind == SqlTypeKind.Variant) return FromVariant(Parse(value), from, to);
        if (!CanCast(from, to)) throw CastMismatch(from, to);
        return CastNode(Parse(value), from, to)?.ToJsonString();
    }

    private static JsonNode? CastNode(JsonNode? node, SqlType from, SqlType to)
    {
        if (node is null) return null;
        switch (to.Kind)
        {
            case SqlTypeKind.Array:
                return new JsonArray(node.AsArray().Select(e => CastNode(e, from.Element!, to.Element!)).ToArray());
            case SqlTypeKind.Map:
            {
                var map = new JsonObject();
                foreach (var (key, value) in node.AsObject())
                {
                    var castKey = to.KeyType!.IsNested ? CastNode(JsonNode.Parse(key), from.KeyType!, to.KeyType)!.ToJsonString()
                        : MapKeyText(SqlValueConverter.Cast(MapKeyValue(key, from.KeyType!), from.KeyType!, to.KeyType), to.KeyType);
                    map[castKey] = CastNode(value, from.ValueType!, to.ValueType!);
                }
                return map;
            }
            case SqlTypeKind.Struct:
            {
                var result = new JsonObject();
                var source = node.AsObject();
                for (var i = 0; i < to.Fields!.Items.Count; i++)
                {
                    var fromField = from.Fields!.Items[i];
                    result[to.Fields.Items[i].Name] = CastNode(source.TryGetPropertyValue(fromField.Name, out var v) ? v : null, fromField.Type, to.Fields.Items[i].Type);
                }
                return result;
            }
            default:
                return ToNode(SqlValueConverter.Cast(FromNode(node, from), from, to), to);
        }
    }

    /// <summary>
    /// CAST(variant AS type): https://docs.databricks.com/en/sql/language-manual/functions/cast.html (VARIANT source);
    /// a variant null becomes SQL NULL; a value of the wrong shape is INVALID_VARIANT_CAST.
    /// </summary>
    private static object? FromVariant(JsonNode? node, SqlType variantType, SqlType to)
    {
        if (node is null) return null;
        if (to.IsNested)
            return ConvertJson(node, to, strict: true, out var invalid) is var converted && !invalid ? converted?.ToJsonString() : throw InvalidVariantCast(node, to);
        var kind = node.GetValueKind();
        if (kind is JsonValueKind.Object or JsonValueKind.Array) throw InvalidVariantCast(node, to);
        var text = kind == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
        try { return SqlValueConverter.ParseText(text, to); }
        catch (EngineException) { throw InvalidVariantCast(node, to); }
    }

    private static EngineException InvalidVariantCast(JsonNode node, SqlType to) =>
        new("INVALID_VARIANT_CAST", "22023", $"The variant value `{node.ToJsonString()}` cannot be cast into `{to.TypeText}`. Please use `try_variant_get` instead.");

    // ---------- JSON text in ----------

    /// <summary>
    /// from_json(text, schema) in PERMISSIVE mode: malformed text gives a struct of NULLs for a STRUCT schema, else NULL;
    /// a value of the wrong JSON type becomes NULL (https://docs.databricks.com/en/sql/language-manual/functions/from_json.html).
    /// </summary>
    public static string? FromJson(string? text, SqlType type)
    {
        if (text is null) return null;
        JsonNode? node;
        try { node = JsonNode.Parse(text); }
        catch (JsonException)
        {
            return type.Kind == SqlTypeKind.Struct ? MakeStruct(type, new object?[type.Fields!.Items.Count]) : null;
        }
        if (type.Kind == SqlTypeKind.Struct && node is not JsonObject)
            return MakeStruct(type, new object?[type.Fields!.Items.Count]);
        return ConvertJson(node, type, strict: false, out _)?.ToJsonString();
    }

    /// <summary>Converts parsed JSON to the storage JSON of a type; 'invalid' reports values that did not fit.</summary>
    private static JsonNode? ConvertJson(JsonNode? node, SqlType type, bool strict, out bool invalid)
    {
        invalid = false;
        if (node is null) return null;
        var kind = node.GetValueKind();
        switch (type.Kind)
        {
            case SqlTypeKind.Array:
            {
                if (kind != JsonValueKind.Array) { invalid = true; return null; }
                var result = new JsonArray();
                foreach (var element in node.AsArray())
                {
                    result.Add(ConvertJson(element, type.Element!, strict, out var bad));
                    invalid |= bad;
                }
                return result;
            }
            case SqlTypeKind.Map:
            {
                if (kind != JsonValueKind.Object) { invalid = true; return null; }
                var result = new JsonObject();
                foreach (var (key, value) in node.AsObject())
                {
                    string keyText;
                    try { keyText = MapKeyText(MapKeyValue(key, type.KeyType!), type.KeyType!); }
                    catch (EngineException) { invalid = true; return null; }
                    result[keyText] = ConvertJson(value, type.ValueType!, strict, out var bad);
                    invalid |= bad;
                }
                return result;
            }
            case SqlTypeKind.Struct:
            {
                if (kind != JsonValueKind.Object) { invalid = true; return null; }
                var source = node.AsObject();
                var result = new JsonObject();
                foreach (var field in type.Fields!.Items)
                {
                    // Spark's JSON reader matches field names exactly.
                    result[field.Name] = source.TryGetPropertyValue(field.Name, out var v) ? ConvertJson(v, field.Type, strict, out var bad) : null;
                }
                return result;
            }
            case SqlTypeKind.Variant:
                return node.DeepClone();
            case SqlTypeKind.String:
                return JsonValue.Create(kind == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString());
            case SqlTypeKind.Boolean:
                if (kind is JsonValueKind.True or JsonValueKind.False) return JsonValue.Create(kind == JsonValueKind.True);
                invalid = true;
                return null;
            default:
            {
                if (kind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.True or JsonValueKind.False) { invalid = true; return null; }
                if (kind == JsonValueKind.String && type.IsNumeric && !strict) { invalid = true; return null; }
                var text = kind == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
                try { return ToNode(SqlValueConverter.ParseText(text, type), type); }
                catch (EngineException) { invalid = true; return null; }
            }
        }
    }

    /// <summary>parse_json: the text must be valid JSON (https://docs.databricks.com/en/sql/language-manual/functions/parse_json.html).</summary>
    public static string? ParseJson(string? text, bool tryParse)
    {
        if (text is null) return null;
        try { return (JsonNode.Parse(text)?.ToJsonString()) ?? "null"; }
        catch (JsonException)
        {
            if (tryParse) return null;
            throw new EngineException("MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION", "22023",
                "Malformed records are detected in record parsing: " + (text.Length > 100 ? text[..100] + "..." : text) + ".\nParse Mode: FAILFAST. To process malformed records as null result, try setting the option 'mode' as 'PERMISSIVE'.");
        }
    }

    // ---------- JSON paths ----------

    /// <summary>
    /// expr:path. On STRING the result is STRING: a JSON string unquoted, anything else as JSON text, JSON null as NULL.
    /// On VARIANT the result is VARIANT. Identifiers are case-insensitive on STRING and case-sensitive on VARIANT.
    /// </summary>
    public static string? ExtractPath(string? text, IReadOnlyList<JsonPathSegment> path, bool variant)
    {
        if (text is null) return null;
        JsonNode? node;
        try { node = JsonNode.Parse(text); }
        catch (JsonException) { return null; }
        var current = new List<JsonNode?> { node };
        var wildcard = false;
        foreach (var segment in path)
        {
            var next = new List<JsonNode?>();
            foreach (var item in current)
            {
                if (segment.Wildcard)
                {
                    if (item is JsonArray all) next.AddRange(all);
                    wildcard = true;
                }
                else if (segment.Index is { } index)
                {
                    if (item is JsonArray array && index >= 0 && index < array.Count) next.Add(array[index]);
                }
                else if (item is JsonObject obj)
                {
                    if (obj.TryGetPropertyValue(segment.Field!, out var exact)) next.Add(exact);
                    else if (!segment.CaseSensitive && !variant)
                    {
                        var matches = obj.Where(p => string.Equals(p.Key, segment.Field, StringComparison.OrdinalIgnoreCase)).ToList();
                        if (matches.Count > 1)
                            throw new EngineException("AMBIGUOUS_REFERENCE_TO_FIELDS", "42000",
                                $"Ambiguous reference to the field {EngineErrors.Quote(segment.Field!)}. It appears {matches.Count} times in the schema.");
                        if (matches.Count == 1) next.Add(matches[0].Value);
                    }
                }
            }
            current = next;
        }
        JsonNode? result;
        if (wildcard) result = current.Count == 0 ? null : new JsonArray(current.Select(n => n?.DeepClone()).ToArray());
        else result = current.Count == 0 ? null : current[0];
        if (variant) return result is null && current.Count == 0 ? null : result?.ToJsonString() ?? "null";
        if (result is null) return null;
        return result.GetValueKind() == JsonValueKind.String ? result.GetValue<string>() : result.ToJsonString();
    }
}
