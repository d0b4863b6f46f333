using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs;

/// <summary>
/// The row-version marker each exported row carries, so an import can tell whether the row it labels is still the
/// row that was exported. It is a content hash of the row's non-label columns, computed in SQL by the workspace
/// both when exporting and inside the guarded MERGE, so the two can only match when the content is unchanged.
/// A hash works for every table (with or without change data feed or row tracking); md5 is enough because it
/// detects change, it does not protect a secret.
/// Each value is length-prefixed ("len:value", NULL as "N"), so moving text between columns changes the hash.
/// </summary>
public static class RowMarker
{
    /// <summary>The reserved column in exported and labeled files. Never a table column.</summary>
    public const string Column = "_dbxsync_row_marker";

    /// <summary>
    /// The SQL expression of the marker over <paramref name="columns"/> (the table's columns in table order, without
    /// the label and the marker), read from <paramref name="alias"/> when given (for example "t" in the MERGE).
    /// </summary>
    public static string Expression(IEnumerable<string> columns, string? alias = null)
    {
        var prefix = alias is null ? "" : SqlIdentifier.Validate(alias, "alias") + ".";
        var parts = columns.Select(c =>
        {
            var text = $"CAST({prefix}{SqlIdentifier.Quote(c, "column")} AS STRING)";
            return $"coalesce(concat(CAST(length({text}) AS STRING), ':', {text}), 'N')";
        }).ToList();
        if (parts.Count == 0) throw new ArgumentException("A row marker needs at least one column.", nameof(columns));
        return $"md5(concat_ws(',', {string.Join(", ", parts)}))";
    }
}
