namespace DbxSync.Emulator.Sql;

/// <summary>A STRUCT field: name, type, nullability and comment, as in Spark's StructField.</summary>
public sealed record StructField(string Name, SqlType Type, bool NotNull = false, string? Comment = null);

/// <summary>The fields of a STRUCT type, compared by value so that two STRUCT types with the same fields are equal.</summary>
public sealed class StructFieldList(IReadOnlyList<StructField> fields) : IEquatable<StructFieldList>
{
    public IReadOnlyList<StructField> Items { get; } = fields;

    public bool Equals(StructFieldList? other) => other is not null && Items.SequenceEqual(other.Items);
    public override bool Equals(object? obj) => Equals(obj as StructFieldList);
    public override int GetHashCode() => Items.Aggregate(17, (hash, field) => HashCode.Combine(hash, field));

    public int IndexOf(string name)
    {
        for (var i = 0; i < Items.Count; i++)
            if (string.Equals(Items[i].Name, name, StringComparison.Ordinal)) return i;
        for (var i = 0; i < Items.Count; i++)
            if (string.Equals(Items[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}

/// <summary>
/// ARRAY, MAP, STRUCT and VARIANT (https://docs.databricks.com/en/sql/language-manual/sql-ref-datatypes.html).
/// The type text is Spark's SQL spelling, which the Statement Execution API reports as type_text:
/// ARRAY&lt;INT&gt;, MAP&lt;STRING, INT&gt;, STRUCT&lt;a: INT, b: STRING&gt; (as DESCRIBE HISTORY's MAP&lt;STRING, STRING&gt; already is).
/// </summary>
public sealed partial record SqlType
{
    public static readonly SqlType Variant = new(SqlTypeKind.Variant);

    /// <summary>The element type of an ARRAY.</summary>
    public SqlType? Element { get; init; }

    /// <summary>The key type of a MAP.</summary>
    public SqlType? KeyType { get; init; }

    /// <summary>The value type of a MAP.</summary>
    public SqlType? ValueType { get; init; }

    /// <summary>The fields of a STRUCT.</summary>
    public StructFieldList? Fields { get; init; }

    public static SqlType ArrayOf(SqlType element) => new(SqlTypeKind.Array) { Element = element };
    public static SqlType MapOf(SqlType key, SqlType value) => new(SqlTypeKind.Map) { KeyType = key, ValueType = value };
    public static SqlType StructOf(IReadOnlyList<StructField> fields) => new(SqlTypeKind.Struct) { Fields = new StructFieldList(fields) };

    /// <summary>ARRAY, MAP or STRUCT: values stored as JSON text (see ComplexValues).</summary>
    public bool IsNested => Kind is SqlTypeKind.Array or SqlTypeKind.Map or SqlTypeKind.Struct;

    /// <summary>Nested types and VARIANT, none of which Spark compares or casts like scalars.</summary>
    public bool IsComplex => IsNested || Kind == SqlTypeKind.Variant;

    /// <summary>
    /// Whether values of this type can be grouped, compared for DISTINCT or used in set operations: MAP and VARIANT
    /// cannot, anywhere inside the type (https://docs.databricks.com/en/sql/language-manual/data-types/map-type.html,
    /// https://docs.databricks.com/en/sql/language-manual/data-types/variant-type.html).
    /// </summary>
    public bool ContainsMapOrVariant => Kind switch
    {
        SqlTypeKind.Map or SqlTypeKind.Variant => true,
        SqlTypeKind.Array => Element!.ContainsMapOrVariant,
        SqlTypeKind.Struct => Fields!.Items.Any(f => f.Type.ContainsMapOrVariant),
        _ => false,
    };

    private string ComplexTypeText() => Kind switch
    {
        SqlTypeKind.Array => $"ARRAY<{Element!.TypeText}>",
        SqlTypeKind.Map => $"MAP<{KeyType!.TypeText}, {ValueType!.TypeText}>",
        SqlTypeKind.Struct => "STRUCT<" + string.Join(", ", Fields!.Items.Select(f =>
            $"{QuoteFieldIfNeeded(f.Name)}: {f.Type.TypeText}{(f.NotNull ? " NOT NULL" : "")}{(f.Comment == null ? "" : " COMMENT '" + f.Comment.Replace("'", "\\'") + "'")}")) + ">",
        SqlTypeKind.Variant => "VARIANT",
        _ => throw new InvalidOperationException(Kind.ToString()),
    };

    /// <summary>Spark's catalogString (lower case, no spaces), which Unity Catalog reports as a column's type_text.</summary>
    public string CatalogText => Kind switch
    {
        SqlTypeKind.Array => $"array<{Element!.CatalogText}>",
        SqlTypeKind.Map => $"map<{KeyType!.CatalogText},{ValueType!.CatalogText}>",
        SqlTypeKind.Struct => "struct<" + string.Join(",", Fields!.Items.Select(f => $"{QuoteFieldIfNeeded(f.Name)}:{f.Type.CatalogText}")) + ">",
        _ => TypeText.ToLowerInvariant(),
    };

    /// <summary>
    /// Spark's JSON form of the type (DataType.json), which Unity Catalog reports inside a column's type_json:
    /// "integer", "decimal(10,2)", {"type":"array","elementType":...,"containsNull":true}, {"type":"struct","fields":[...]}.
    /// </summary>
    public object SparkJson => Kind switch
    {
        SqlTypeKind.Int => "integer",
        SqlTypeKind.BigInt => "long",
        SqlTypeKind.SmallInt => "short",
        SqlTypeKind.TinyInt => "byte",
        SqlTypeKind.Void => "void",
        SqlTypeKind.Decimal => $"decimal({Precision},{Scale})",
        SqlTypeKind.Array => new Dictionary<string, object> { ["type"] = "array", ["elementType"] = Element!.SparkJson, ["containsNull"] = true },
        SqlTypeKind.Map => new Dictionary<string, object>
        {
            ["type"] = "map", ["keyType"] = KeyType!.SparkJson, ["valueType"] = ValueType!.SparkJson, ["valueContainsNull"] = true,
        },
        SqlTypeKind.Struct => new Dictionary<string, object>
        {
            ["type"] = "struct",
            ["fields"] = Fields!.Items.Select(f => SparkFieldJson(f.Name, f.Type, !f.NotNull)).ToList(),
        },
        _ => TypeText.ToLowerInvariant(),
    };

    public static Dictionary<string, object> SparkFieldJson(string name, SqlType type, bool nullable) => new()
    {
        ["name"] = name, ["type"] = type.SparkJson, ["nullable"] = nullable, ["metadata"] = new Dictionary<string, object>(),
    };

    private static string QuoteFieldIfNeeded(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_') ? name : EngineErrors.Quote(name);

    /// <summary>Element-wise widening (ARRAY&lt;INT&gt; with ARRAY&lt;BIGINT&gt;); null when Spark would refuse.</summary>
    private static SqlType? ComplexCommonType(SqlType a, SqlType b)
    {
        if (a.Kind != b.Kind) return null;
        switch (a.Kind)
        {
            case SqlTypeKind.Array:
                return CommonType(a.Element!, b.Element!) is { } element ? ArrayOf(element) : null;
            case SqlTypeKind.Map:
                return CommonType(a.KeyType!, b.KeyType!) is { } key && CommonType(a.ValueType!, b.ValueType!) is { } value ? MapOf(key, value) : null;
            case SqlTypeKind.Struct:
                if (a.Fields!.Items.Count != b.Fields!.Items.Count) return null;
                var fields = new List<StructField>();
                for (var i = 0; i < a.Fields.Items.Count; i++)
                {
                    var (left, right) = (a.Fields.Items[i], b.Fields.Items[i]);
                    if (!string.Equals(left.Name, right.Name, StringComparison.OrdinalIgnoreCase)) return null;
                    if (CommonType(left.Type, right.Type) is not { } type) return null;
                    fields.Add(left with { Type = type, NotNull = left.NotNull && right.NotNull });
                }
                return StructOf(fields);
            default:
                return a == b ? a : null;
        }
    }
}
