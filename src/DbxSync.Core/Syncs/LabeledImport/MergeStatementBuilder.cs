using System.Globalization;
using System.Text;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// Builds the MERGE that writes labels into the table, keyed by the primary key. Matched rows get the label;
/// keys the table lacks are inserted with the file's columns. Empty cells are NULL; rows without a label are left out.
/// Identifiers are validated and quoted; values are parameters or come from the staged file, never spliced.
/// </summary>
public sealed class MergeStatementBuilder
{
    private readonly TableName _table;
    private readonly ImportValidation _file;
    private readonly List<(ImportColumn Column, int Ordinal)> _targets;

    public MergeStatementBuilder(TableName table, ImportValidation file)
    {
        _table = table;
        _file = file;
        _targets = file.Columns.Select((c, i) => (c, i)).Where(x => x.c.Target is not null).ToList();
    }

    private ImportColumn Pk => _file.Columns[_file.PkIndex];
    private ImportColumn Label => _file.Columns[_file.LabelIndex];

    /// <summary>
    /// read_files options that make Spark read the file by the rules it was validated with (RFC 4180, UTF-8): Spark's
    /// own defaults are one record per line (multiLine false), backslash escapes and PERMISSIVE, which splits a label
    /// holding a line break, shifts a field ending in a backslash and silently drops a row it cannot parse.
    /// </summary>
    private const string ReadOptions =
        "format => 'csv', header => true, multiLine => true, quote => '\"', escape => '\"', encoding => 'UTF-8', mode => 'FAILFAST'";

    /// <summary>MERGE from a validated CSV staged in a volume, read with read_files (every field as STRING, cast by column).</summary>
    public string FromStagedFile(string volumeFilePath)
    {
        // Positional names c0..cN: the header's own text never reaches the statement.
        var schema = string.Join(", ", Enumerable.Range(0, _file.HeaderFieldCount).Select(i => $"c{i} STRING"));
        var projection = string.Join(", ", _targets.Select(t =>
            $"CAST(NULLIF(c{t.Column.FileIndex}, '') AS {t.Column.Target!.SqlType}) AS {Quote(t.Column)}"));
        var source = $"SELECT {projection} FROM read_files({StringLiteral(volumeFilePath)}, {ReadOptions}, schema => {StringLiteral(schema)}) " +
                     $"WHERE NULLIF(c{Label.FileIndex}, '') IS NOT NULL";
        return Merge(source);
    }

    /// <summary>MERGE from one batch of parameterised VALUES rows (each row: the file's fields).</summary>
    public (string Statement, List<SqlParameter> Parameters) FromValues(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var parameters = new List<SqlParameter>(rows.Count * _targets.Count);
        var values = new StringBuilder();
        for (int r = 0; r < rows.Count; r++)
        {
            if (r > 0) values.Append(", ");
            values.Append('(');
            for (int t = 0; t < _targets.Count; t++)
            {
                var (column, _) = _targets[t];
                var name = string.Create(CultureInfo.InvariantCulture, $"p{r}_{t}");
                var cell = rows[r][column.FileIndex];
                parameters.Add(new SqlParameter(name, cell.Length == 0 ? null : cell, column.Target!.SqlType));
                if (t > 0) values.Append(", ");
                // The CAST keeps the VALUES column typed even when a whole batch column is NULL.
                values.Append("CAST(:").Append(name).Append(" AS ").Append(column.Target.SqlType).Append(')');
            }
            values.Append(')');
        }
        var columns = string.Join(", ", _targets.Select(t => Quote(t.Column)));
        return (Merge($"SELECT * FROM VALUES {values} AS v({columns})"), parameters);
    }

    private string Merge(string source)
    {
        var pk = Quote(Pk);
        var label = Quote(Label);
        var insertColumns = string.Join(", ", _targets.Select(t => Quote(t.Column)));
        var insertValues = string.Join(", ", _targets.Select(t => "s." + Quote(t.Column)));
        return $"MERGE INTO {_table.Quoted} AS t USING ({source}) AS s ON t.{pk} = s.{pk} " +
               $"WHEN MATCHED THEN UPDATE SET {label} = s.{label} " +
               $"WHEN NOT MATCHED THEN INSERT ({insertColumns}) VALUES ({insertValues})";
    }

    private static string Quote(ImportColumn column) => SqlIdentifier.Quote(column.Name, "column");

    /// <summary>Spark SQL string literal: backslash escapes, never doubled quotes (adjacent literals concatenate).</summary>
    public static string StringLiteral(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
