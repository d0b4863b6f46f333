using System.Globalization;
using System.Text;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// Builds the statements of one import: the guarded MERGE keyed by the primary key, the source it reads (the staged
/// file through read_files, or a staging table filled by parameterised VALUES batches) and the query that finds the
/// rows the guard left alone. A label is applied only to the row as it was exported (its marker still matches) and
/// only over an empty label unless the config overwrites labels; a key with a marker that is gone from the table is not
/// brought back; a row without a marker (a key the labeling side added) is inserted.
/// Identifiers are validated and quoted; values are parameters or come from the staged file, never spliced.
/// </summary>
public sealed class MergeStatementBuilder
{
    /// <summary>Name of the marker column in the MERGE source (the file's reserved column).</summary>
    private static readonly string Marker = SqlIdentifier.Quote(RowMarker.Column, "column");

    private readonly TableName _table;
    private readonly ImportValidation _file;
    private readonly IReadOnlyList<string> _markerColumns;
    private readonly bool _overwriteLabels;
    private readonly List<ImportColumn> _targets;

    /// <param name="markerColumns">The table's columns the marker covers: every column but the label, in table order.</param>
    public MergeStatementBuilder(TableName table, ImportValidation file, IReadOnlyList<string> markerColumns, bool overwriteLabels)
    {
        _table = table;
        _file = file;
        _markerColumns = markerColumns;
        _overwriteLabels = overwriteLabels;
        _targets = file.Columns.Where(c => c.Target is not null).ToList();
        // Every name is checked before the first statement: a refused name rejects the file with nothing sent.
        foreach (var column in _targets) Quote(column);
        foreach (var column in markerColumns) SqlIdentifier.Quote(column, "column");
    }

    private ImportColumn Pk => _file.Columns[_file.PkIndex];
    private ImportColumn Label => _file.Columns[_file.LabelIndex];
    private bool HasMarker => _file.MarkerFileIndex >= 0;

    /// <summary>
    /// read_files options that make Spark read the file by the rules it was validated with (RFC 4180, UTF-8): Spark's
    /// own defaults are one record per line (multiLine false), backslash escapes and PERMISSIVE, which splits a label
    /// holding a line break, shifts a field ending in a backslash and silently drops a row it cannot parse.
    /// </summary>
    private const string ReadOptions =
        "format => 'csv', header => true, multiLine => true, quote => '\"', escape => '\"', encoding => 'UTF-8', mode => 'FAILFAST'";

    /// <summary>The rows to merge from a validated CSV staged in a volume (every field read as STRING, cast by column).</summary>
    public string StagedFileSource(string volumeFilePath)
    {
        // Positional names c0..cN: the header's own text never reaches the statement.
        var schema = string.Join(", ", Enumerable.Range(0, _file.HeaderFieldCount).Select(i => $"c{i} STRING"));
        var projection = _targets.Select(t => $"CAST(NULLIF(c{t.FileIndex}, '') AS {t.Target!.SqlType}) AS {Quote(t)}").ToList();
        if (HasMarker) projection.Add($"NULLIF(c{_file.MarkerFileIndex}, '') AS {Marker}");
        return $"SELECT {string.Join(", ", projection)} FROM read_files({StringLiteral(volumeFilePath)}, {ReadOptions}, schema => {StringLiteral(schema)}) " +
               $"WHERE NULLIF(c{Label.FileIndex}, '') IS NOT NULL";
    }

    /// <summary>A staging table with the MERGE source's columns, for the path without a staging volume.</summary>
    public string CreateStagingTable(TableName staging)
    {
        var columns = _targets.Select(t => $"{Quote(t)} {t.Target!.SqlType}").ToList();
        if (HasMarker) columns.Add($"{Marker} STRING");
        return $"CREATE TABLE {staging.Quoted} ({string.Join(", ", columns)})";
    }

    public static string DropTable(TableName staging) => $"DROP TABLE IF EXISTS {staging.Quoted}";

    /// <summary>The rows to merge from a filled staging table.</summary>
    public static string StagingTableSource(TableName staging) => $"SELECT * FROM {staging.Quoted}";

    /// <summary>
    /// INSERT of one batch of labeled rows (each row: the file's fields) into the staging table, as parameters named
    /// by the row's place among the labeled rows (<paramref name="firstRow"/> is the batch's first).
    /// </summary>
    public (string Statement, List<SqlParameter> Parameters) InsertValues(TableName staging, IReadOnlyList<IReadOnlyList<string>> rows, long firstRow)
    {
        var width = _targets.Count + (HasMarker ? 1 : 0);
        var parameters = new List<SqlParameter>(rows.Count * width);
        var values = new StringBuilder();
        for (int r = 0; r < rows.Count; r++)
        {
            values.Append(r > 0 ? ", (" : "(");
            for (int t = 0; t < width; t++)
            {
                var (fileIndex, sqlType) = t < _targets.Count ? (_targets[t].FileIndex, _targets[t].Target!.SqlType) : (_file.MarkerFileIndex, "STRING");
                var name = string.Create(CultureInfo.InvariantCulture, $"p{firstRow + r}_{t}");
                var cell = rows[r][fileIndex];
                parameters.Add(new SqlParameter(name, cell.Length == 0 ? null : cell, sqlType));
                if (t > 0) values.Append(", ");
                // The CAST keeps the column typed even when a whole batch column is NULL.
                values.Append("CAST(:").Append(name).Append(" AS ").Append(sqlType).Append(')');
            }
            values.Append(')');
        }
        return ($"INSERT INTO {staging.Quoted} VALUES {values}", parameters);
    }

    /// <summary>The one guarded MERGE of all labeled rows from <paramref name="source"/>.</summary>
    public string Merge(string source)
    {
        var pk = Quote(Pk);
        var label = Quote(Label);
        var insertColumns = string.Join(", ", _targets.Select(Quote));
        var insertValues = string.Join(", ", _targets.Select(t => "s." + Quote(t)));
        var labelRule = _overwriteLabels ? $"NOT (t.{label} <=> s.{label})" : $"t.{label} IS NULL";
        var matched = HasMarker ? $"(s.{Marker} IS NULL OR {TargetMarker} = s.{Marker}) AND {labelRule}" : labelRule;
        var notMatched = HasMarker ? $" AND s.{Marker} IS NULL" : "";
        return $"MERGE INTO {_table.Quoted} AS t USING ({source}) AS s ON t.{pk} = s.{pk} " +
               $"WHEN MATCHED AND {matched} THEN UPDATE SET {label} = s.{label} " +
               $"WHEN NOT MATCHED{notMatched} THEN INSERT ({insertColumns}) VALUES ({insertValues})";
    }

    /// <summary>
    /// After the MERGE: the labeled rows whose label is not in the table, each with why (deleted, changed since the
    /// export, a label already there). Run only when the MERGE's counts say some rows were not applied.
    /// </summary>
    public string NotApplied(string source)
    {
        var pk = Quote(Pk);
        var label = Quote(Label);
        var changed = HasMarker ? $"WHEN s.{Marker} IS NOT NULL AND NOT ({TargetMarker} <=> s.{Marker}) THEN '{NotAppliedReason.Changed}' " : "";
        return $"SELECT CAST(s.{pk} AS STRING) AS {SqlIdentifier.Quote("key")}, " +
               $"CASE WHEN t.{pk} IS NULL THEN '{NotAppliedReason.Deleted}' {changed}ELSE '{NotAppliedReason.LabelKept}' END AS {SqlIdentifier.Quote("reason")} " +
               $"FROM ({source}) AS s LEFT JOIN {_table.Quoted} AS t ON t.{pk} = s.{pk} " +
               $"WHERE t.{pk} IS NULL OR NOT (t.{label} <=> s.{label})";
    }

    private string TargetMarker => RowMarker.Expression(_markerColumns, "t");

    private static string Quote(ImportColumn column) => SqlIdentifier.Quote(column.Name, "column");

    /// <summary>Spark SQL string literal: backslash escapes, never doubled quotes (adjacent literals concatenate).</summary>
    public static string StringLiteral(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}

/// <summary>Why a labeled row was not applied (the words used in run messages and reports).</summary>
public static class NotAppliedReason
{
    /// <summary>The key has a marker but is gone from the table (deleted since the export): not brought back.</summary>
    public const string Deleted = "deleted";
    /// <summary>The row's content changed since it was exported: the label was meant for the old content.</summary>
    public const string Changed = "changed";
    /// <summary>The table already has a different label and the config does not overwrite labels.</summary>
    public const string LabelKept = "label_kept";
}
