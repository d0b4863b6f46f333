using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs;

/// <summary>A column the row marker covers: its name and its type as the workspace reports it (type_text).</summary>
public sealed record MarkerColumn(string Name, string TypeText);

/// <summary>
/// The row-version marker each exported row carries, so an import can tell whether the row it labels is still the
/// row that was exported. It is a content hash of the row's non-label columns, computed in SQL by the workspace
/// both when exporting and inside the guarded MERGE, so the two can only match when the content is unchanged.
/// A hash works for every table (with or without change data feed or row tracking); md5 is enough because it
/// detects change, it does not protect a secret.
/// Each value is length-prefixed ("len:value", NULL as "N"), so moving text between columns changes the hash.
/// <para>
/// Version 2 (written as "v2:" + 32 hex digits) depends neither on column order nor on the session time zone:
/// columns are taken in name order, TIMESTAMP values as epoch microseconds (unix_micros, an instant), and nested
/// values (ARRAY, MAP, STRUCT, VARIANT) through to_json with the UTC time zone. Version 1 (32 bare hex digits, the
/// formula before) was CAST(col AS STRING) over the columns in table order; files exported with it are still
/// checked with it, so changing the formula strands no file in flight.
/// </para>
/// </summary>
public static class RowMarker
{
    /// <summary>The reserved column in exported and labeled files. Never a table column.</summary>
    public const string Column = "_dbxsync_row_marker";

    /// <summary>The version every export writes.</summary>
    public const int CurrentVersion = 2;

    private const string V2Prefix = "v2:";

    /// <summary>The current (version 2) marker expression over <paramref name="columns"/> (every column but the label).</summary>
    public static string Expression(IEnumerable<MarkerColumn> columns, string? alias = null) => Expression(CurrentVersion, columns, alias);

    /// <summary>
    /// The SQL expression of the marker of <paramref name="version"/> over <paramref name="columns"/> (the table's
    /// columns in table order, without the label and the marker), read from <paramref name="alias"/> when given
    /// (for example "t" in the MERGE).
    /// </summary>
    public static string Expression(int version, IEnumerable<MarkerColumn> columns, string? alias = null)
    {
        var prefix = alias is null ? "" : SqlIdentifier.Validate(alias, "alias") + ".";
        var list = columns.ToList();
        if (list.Count == 0) throw new ArgumentException("A row marker needs at least one column.", nameof(columns));
        switch (version)
        {
            case 1:
                return Hash(list.Select(c => $"CAST({prefix}{SqlIdentifier.Quote(c.Name, "column")} AS STRING)"));
            case 2:
                // Names compare case-insensitively in Databricks; the invariant upper case orders them the same everywhere.
                var ordered = list.OrderBy(c => c.Name.ToUpperInvariant(), StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal);
                return $"concat('{V2Prefix}', {Hash(ordered.Select(c => StableText(prefix + SqlIdentifier.Quote(c.Name, "column"), c.TypeText)))})";
            default:
                throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown row marker version.");
        }
    }

    /// <summary>
    /// The marker version of a value in a labeled file: 2 for "v2:" + 32 lower-case hex digits, 1 for 32 bare hex
    /// digits (the first formula), null when it is not a marker at all.
    /// </summary>
    public static int? VersionOf(string value)
    {
        static bool Hex(ReadOnlySpan<char> text) => text.Length == 32 && !text.ContainsAnyExcept("0123456789abcdef");
        if (value.StartsWith(V2Prefix, StringComparison.Ordinal)) return Hex(value.AsSpan(V2Prefix.Length)) ? 2 : null;
        return Hex(value) ? 1 : null;
    }

    /// <summary>The SQL that selects the marker version of a marker column's value (for a file holding both versions).</summary>
    public static string VersionTest(string markerSql, int version) => version switch
    {
        2 => $"{markerSql} LIKE '{V2Prefix}%'",
        1 => $"NOT ({markerSql} LIKE '{V2Prefix}%')",
        _ => throw new ArgumentOutOfRangeException(nameof(version)),
    };

    private static string Hash(IEnumerable<string> texts)
        => $"md5(concat_ws(',', {string.Join(", ", texts.Select(text => $"coalesce(concat(CAST(length({text}) AS STRING), ':', {text}), 'N')"))}))";

    /// <summary>
    /// A value's text that no session setting changes: TIMESTAMP (an instant, printed in the session time zone by a
    /// cast) as epoch microseconds; nested types as JSON rendered in UTC; everything else as CAST AS STRING, whose
    /// text only a type change alters (the export's schema comparison sees those).
    /// </summary>
    private static string StableText(string column, string typeText)
    {
        var type = typeText.Trim().ToUpperInvariant();
        if (type is "TIMESTAMP" or "TIMESTAMP_LTZ") return $"CAST(unix_micros({column}) AS STRING)";
        if (type.StartsWith("ARRAY", StringComparison.Ordinal) || type.StartsWith("MAP", StringComparison.Ordinal)
            || type.StartsWith("STRUCT", StringComparison.Ordinal) || type == "VARIANT")
            return $"to_json({column}, map('timeZone', 'UTC'))";
        return $"CAST({column} AS STRING)";
    }
}
