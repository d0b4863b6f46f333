namespace DbxSync.Emulator.Sql;

public enum SqlTypeKind { Void, Boolean, TinyInt, SmallInt, Int, BigInt, Float, Double, Decimal, String, Date, Timestamp, Array, Map, Struct, Variant }

/// <summary>A Spark SQL type as far as the emulator models it; knows how Databricks names it and how SQLite stores it.</summary>
public sealed partial record SqlType(SqlTypeKind Kind, int Precision = 0, int Scale = 0)
{
    public static readonly SqlType Void = new(SqlTypeKind.Void);
    public static readonly SqlType Boolean = new(SqlTypeKind.Boolean);
    public static readonly SqlType TinyInt = new(SqlTypeKind.TinyInt);
    public static readonly SqlType SmallInt = new(SqlTypeKind.SmallInt);
    public static readonly SqlType Int = new(SqlTypeKind.Int);
    public static readonly SqlType BigInt = new(SqlTypeKind.BigInt);
    public static readonly SqlType Float = new(SqlTypeKind.Float);
    public static readonly SqlType Double = new(SqlTypeKind.Double);
    public static readonly SqlType String = new(SqlTypeKind.String);
    public static readonly SqlType Date = new(SqlTypeKind.Date);
    public static readonly SqlType Timestamp = new(SqlTypeKind.Timestamp);
    public static SqlType Decimal(int precision, int scale) => new(SqlTypeKind.Decimal, precision, scale);

    public bool IsIntegral => Kind is SqlTypeKind.TinyInt or SqlTypeKind.SmallInt or SqlTypeKind.Int or SqlTypeKind.BigInt;
    public bool IsFractional => Kind is SqlTypeKind.Float or SqlTypeKind.Double or SqlTypeKind.Decimal;
    public bool IsNumeric => IsIntegral || IsFractional;
    public bool IsTemporal => Kind is SqlTypeKind.Date or SqlTypeKind.Timestamp;

    public string TypeText => Kind switch
    {
        SqlTypeKind.Void => "VOID",
        SqlTypeKind.Boolean => "BOOLEAN",
        SqlTypeKind.TinyInt => "TINYINT",
        SqlTypeKind.SmallInt => "SMALLINT",
        SqlTypeKind.Int => "INT",
        SqlTypeKind.BigInt => "BIGINT",
        SqlTypeKind.Float => "FLOAT",
        SqlTypeKind.Double => "DOUBLE",
        SqlTypeKind.Decimal => $"DECIMAL({Precision},{Scale})",
        SqlTypeKind.String => "STRING" + CollationSuffix,
        SqlTypeKind.Date => "DATE",
        SqlTypeKind.Timestamp => "TIMESTAMP",
        _ => ComplexTypeText(),
    };

    /// <summary>The Statement API's type_name enum, which differs from the SQL spelling for integers and NULL.</summary>
    public string TypeName => Kind switch
    {
        SqlTypeKind.Void => "NULL",
        SqlTypeKind.TinyInt => "BYTE",
        SqlTypeKind.SmallInt => "SHORT",
        SqlTypeKind.BigInt => "LONG",
        SqlTypeKind.Decimal => "DECIMAL",
        SqlTypeKind.Array => "ARRAY",
        SqlTypeKind.Map => "MAP",
        SqlTypeKind.Struct => "STRUCT",
        SqlTypeKind.String => "STRING",
        _ => TypeText,
    };

    /// <summary>Declared SQLite column type; chosen so SQLite's affinity rules keep comparisons numeric where Spark's are.</summary>
    public string SqliteAffinity => Kind switch
    {
        SqlTypeKind.Boolean or SqlTypeKind.TinyInt or SqlTypeKind.SmallInt or SqlTypeKind.Int or SqlTypeKind.BigInt => "INTEGER",
        SqlTypeKind.Float or SqlTypeKind.Double or SqlTypeKind.Decimal => "REAL",
        SqlTypeKind.Void => "",
        _ => "TEXT" + CollationSuffix,
    };

    public override string ToString() => TypeText;

    private static int IntegralRank(SqlTypeKind kind) => kind switch
    {
        SqlTypeKind.TinyInt => 1, SqlTypeKind.SmallInt => 2, SqlTypeKind.Int => 3, SqlTypeKind.BigInt => 4, _ => 0,
    };

    /// <summary>The type two branches (CASE, COALESCE, VALUES rows, UNION) widen to; null when Spark would refuse.</summary>
    public static SqlType? CommonType(SqlType a, SqlType b)
    {
        if (a == b) return a;
        if (a.Kind == SqlTypeKind.Void) return b;
        if (b.Kind == SqlTypeKind.Void) return a;
        if (a.IsIntegral && b.IsIntegral) return IntegralRank(a.Kind) >= IntegralRank(b.Kind) ? a : b;
        if (a.IsNumeric && b.IsNumeric)
        {
            if (a.Kind is SqlTypeKind.Double or SqlTypeKind.Float || b.Kind is SqlTypeKind.Double or SqlTypeKind.Float) return Double;
            var (pa, sa) = DecimalShape(a);
            var (pb, sb) = DecimalShape(b);
            var scale = Math.Max(sa, sb);
            var integerDigits = Math.Max(pa - sa, pb - sb);
            return Decimal(Math.Min(38, integerDigits + scale), scale);
        }
        if (a.IsComplex || b.IsComplex) return ComplexCommonType(a, b);
        if (a.Kind == SqlTypeKind.String || b.Kind == SqlTypeKind.String) return String;
        if (a.IsTemporal && b.IsTemporal) return Timestamp;
        return null;
    }

    /// <summary>Precision/scale an exact numeric occupies when widened to DECIMAL (Spark's rules).</summary>
    public static (int Precision, int Scale) DecimalShape(SqlType t) => t.Kind switch
    {
        SqlTypeKind.Decimal => (t.Precision, t.Scale),
        SqlTypeKind.TinyInt => (3, 0),
        SqlTypeKind.SmallInt => (5, 0),
        SqlTypeKind.Int => (10, 0),
        SqlTypeKind.BigInt => (20, 0),
        _ => (38, 18),
    };
}
