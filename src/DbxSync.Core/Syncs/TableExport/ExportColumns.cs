using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs.TableExport;

/// <summary>
/// The columns an export writes: the table's columns in table order, then the row marker computed over the
/// non-label ones (<see cref="RowMarker"/>). Built from the table's schema at the exported version.
/// </summary>
public sealed class ExportColumns
{
    private ExportColumns(IReadOnlyList<SqlColumn> columns, string pk, string label)
    {
        Columns = columns;
        var names = columns.Select(c => c.Name).ToList();
        Pk = SqlIdentifier.Quote(pk, "pk_column");
        Label = SqlIdentifier.Quote(label, "label_column");
        DataList = string.Join(", ", names.Select(n => SqlIdentifier.Quote(n, "column")));
        var marked = columns.Where(c => !string.Equals(c.Name, label, StringComparison.OrdinalIgnoreCase)).Select(c => new MarkerColumn(c.Name, c.TypeText)).ToList();
        Marker = RowMarker.Expression(marked);
        SelectList = $"{DataList}, {Marker} AS {SqlIdentifier.Quote(RowMarker.Column)}";
    }

    /// <summary>Table columns in table order, with their types.</summary>
    public IReadOnlyList<SqlColumn> Columns { get; }
    public string Pk { get; }
    public string Label { get; }
    /// <summary>The quoted table columns.</summary>
    public string DataList { get; }
    /// <summary>The current row marker's expression over the non-label columns.</summary>
    public string Marker { get; }
    /// <summary>The quoted table columns and the marker expression.</summary>
    public string SelectList { get; }

    /// <summary>
    /// Validates that pk and label exist and that no table column uses the reserved marker name (the marker would
    /// then be ambiguous to the import).
    /// </summary>
    public static ExportColumns For(IReadOnlyList<SqlColumn> tableColumns, string pkColumn, string labelColumn)
    {
        string Find(string name, string field) => tableColumns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))?.Name
            ?? throw new ValidationException($"The table has no column '{name}'.", field, "column-not-found");
        var pk = Find(pkColumn, "pk_column");
        var label = Find(labelColumn, "label_column");
        if (tableColumns.Any(c => string.Equals(c.Name, RowMarker.Column, StringComparison.OrdinalIgnoreCase)))
            throw new ValidationException($"The table has a column named '{RowMarker.Column}', which DbxSync reserves for the row marker.", "databricks_path", "reserved-column");
        return new ExportColumns(tableColumns, pk, label);
    }

    /// <summary>
    /// Same names with the same types, in any order: rows of the two versions compare column by column and the row
    /// marker (which takes columns in name order) is the same for the same values. A moved column (ALTER COLUMN ...
    /// FIRST/AFTER) is the same schema; a type change (widened DECIMAL, FLOAT to DOUBLE, DATE to TIMESTAMP_NTZ) is not,
    /// because it can change a value's text and so its marker.
    /// </summary>
    public static bool SameSchema(IReadOnlyList<SqlColumn> a, IReadOnlyList<SqlColumn> b)
    {
        if (a.Count != b.Count) return false;
        var types = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var column in a) types[column.Name] = column.TypeText;
        return types.Count == a.Count && b.All(c => types.TryGetValue(c.Name, out var type) && string.Equals(type, c.TypeText, StringComparison.OrdinalIgnoreCase));
    }
}
