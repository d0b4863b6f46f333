namespace DbxSync.Emulator.Sql;

/// <summary>
/// STRING collations (https://docs.databricks.com/en/sql/language-manual/sql-ref-collation.html): UTF8_BINARY (the
/// default, byte order) and UTF8_LCASE (case-insensitive: values compare by their lower-cased form). The emulator
/// models these two; a column's collation rules its comparisons, joins and MERGE conditions.
/// </summary>
public sealed partial record SqlType
{
    public const string Utf8Lcase = "UTF8_LCASE";

    /// <summary>UTF8_LCASE for a case-insensitive STRING; null for the default UTF8_BINARY.</summary>
    public string? Collation { get; init; }

    public static SqlType StringCollated(string collation) => collation.ToUpperInvariant() switch
    {
        "UTF8_BINARY" => String,
        Utf8Lcase => new SqlType(SqlTypeKind.String) { Collation = Utf8Lcase },
        _ => throw new EngineException("COLLATION_INVALID_NAME", "42704", $"The value {EngineErrors.Quote(collation)} does not represent a correct collation name."),
    };

    /// <summary>The collation clause SQLite applies to a stored column (the engine registers UTF8_LCASE on each connection).</summary>
    private string CollationSuffix => Collation is null ? "" : $" COLLATE {Collation}";

    /// <summary>Lower-cased ordinal comparison, the order UTF8_LCASE defines (registered as a SQLite collation).</summary>
    public static int CompareUtf8Lcase(string? a, string? b) => string.CompareOrdinal(a?.ToLowerInvariant(), b?.ToLowerInvariant());
}
