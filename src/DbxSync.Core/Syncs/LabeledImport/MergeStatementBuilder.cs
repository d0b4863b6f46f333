using System.Globalization;
using System.Text;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// Builds the statements of one import: the guarded MERGE keyed by the primary key, the source it reads (the staged
/// file through read_files, or a staging table filled by JSON-parameter INSERTs) and the query that finds the
/// rows the guard left alone. A label is applied only to the row as it was exported (its marker still matches) and
/// only over an empty label unless the config overwrites labels; a key with a marker that is gone from the table is not
/// brought back; a row with an empty marker (a key the labeling side added) is inserted. A file without the marker
/// column inserts nothing: a key the table lacks may be a row deleted since its export, and nothing in the file tells.
/// Identifiers are validated and quoted; values are parameters or come from the staged file, never spliced.
/// </summary>
public sealed class MergeStatementBuilder
{
    /// <summary>Name of the marker column in the MERGE source (the file's reserved column).</summary>
    private static readonly string Marker = SqlIdentifier.Quote(RowMarker.Column, "column");

    private readonly TableName _table;
    private readonly ImportValidation _file;
    private readonly IReadOnlyList<MarkerColumn> _markerColumns;
    private readonly bool _overwriteLabels;
    private readonly List<ImportColumn> _targets;

    /// <param name="markerColumns">The table's columns the marker covers: every column but the label, in table order, with their types.</param>
    public MergeStatementBuilder(TableName table, ImportValidation file, IReadOnlyList<MarkerColumn> markerColumns, bool overwriteLabels)
    {
        _table = table;
        _file = file;
        _markerColumns = markerColumns;
        _overwriteLabels = overwriteLabels;
        _targets = file.Columns.Where(c => c.Target is not null).ToList();
        // Every name is checked before the first statement: a refused name rejects the file with nothing sent.
        foreach (var column in _targets) Quote(column);
        foreach (var column in markerColumns) SqlIdentifier.Quote(column.Name, "column");
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

    /// <summary>
    /// The rows to merge from a validated CSV staged in a volume (every field read as STRING, cast by column). The
    /// schema names the header's own columns in header order, so a reader that binds the schema by position
    /// (Spark's enforceSchema) and one that binds it by name (the rescued-data rules) read the same fields. A header
    /// name that is not a valid identifier belongs to an ignored column: it gets a placeholder name, which binds to
    /// nothing by name and is never read.
    /// </summary>
    public string StagedFileSource(string volumeFilePath)
    {
        var names = Enumerable.Range(0, _file.HeaderFieldCount).Select(SourceName).ToList();
        var schema = string.Join(", ", names.Select(n => $"{n} STRING"));
        var projection = _targets.Select(t => $"CAST(NULLIF({names[t.FileIndex]}, '') AS {t.Target!.SqlType}) AS {Quote(t)}").ToList();
        if (HasMarker) projection.Add($"NULLIF({names[_file.MarkerFileIndex]}, '') AS {Marker}");
        return $"SELECT {string.Join(", ", projection)} FROM read_files({StringLiteral(volumeFilePath)}, {ReadOptions}, schema => {StringLiteral(schema)}) " +
               $"WHERE NULLIF({names[Label.FileIndex]}, '') IS NOT NULL";
    }

    /// <summary>The quoted name of the file's field <paramref name="index"/> in the read_files schema.</summary>
    private string SourceName(int index)
    {
        var name = index < _file.HeaderNames.Count ? _file.HeaderNames[index] : "";
        if (SqlIdentifier.IsValid(name)) return SqlIdentifier.Quote(name);
        var used = index == _file.MarkerFileIndex || _targets.Any(t => t.FileIndex == index);
        // A used column always has a table column's (valid) name; only spaces around it in the header can fail here.
        if (used) throw new ValidationException($"header field {index + 1} ('{name}') must be the column name exactly, without spaces around it: Databricks reads the staged file's columns by name.", name, "header-name");
        return SqlIdentifier.Quote(string.Create(CultureInfo.InvariantCulture, $"_dbxsync_ignored_{index}"));
    }

    /// <summary>The statement that counts the rows a MERGE source yields, to compare with the validated count first.</summary>
    public static string CountRows(string source) => $"SELECT count(*) AS {SqlIdentifier.Quote("rows")} FROM ({source}) AS s";

    /// <summary>
    /// The staging table of the path without a staging volume: the MERGE source's columns (the file's columns that
    /// fill a table column, then the marker), filled by <see cref="StagingTable.FillAsync(IDatabricksWorkspace, IAsyncEnumerable{string?[]}, StatementOptions, Action{long}?, CancellationToken)"/>
    /// with rows from <see cref="StagingRow"/>.
    /// </summary>
    public StagingTable StagingTable(TableName staging, int maxStatementBytes)
    {
        var columns = _targets.Select(t => new StagingColumn(t.Name, t.Target!.SqlType)).ToList();
        if (HasMarker) columns.Add(new StagingColumn(RowMarker.Column, "STRING"));
        return new StagingTable(staging, columns, maxStatementBytes);
    }

    /// <summary>One labeled record (the file's fields) as the staging table's cells; an empty field is NULL.</summary>
    public string?[] StagingRow(IReadOnlyList<string> record)
    {
        var width = _targets.Count + (HasMarker ? 1 : 0);
        var cells = new string?[width];
        for (var t = 0; t < width; t++)
        {
            var cell = record[t < _targets.Count ? _targets[t].FileIndex : _file.MarkerFileIndex];
            cells[t] = cell.Length == 0 ? null : cell;
        }
        return cells;
    }

    public static string DropTable(TableName staging) => $"DROP TABLE IF EXISTS {staging.Quoted}";

    /// <summary>The rows to merge from a filled staging table.</summary>
    public static string StagingTableSource(TableName staging) => $"SELECT * FROM {staging.Quoted}";

    /// <summary>
    /// The file's columns besides the key and the label that fill a table column: without a marker, a labeled row
    /// applies only when they still hold the table's current values.
    /// </summary>
    private List<ImportColumn> GuardColumns => _targets.Where(t => t != Pk && t != Label).ToList();

    /// <summary>
    /// Why labeled rows without a marker cannot be checked against the row as exported, or null when they can (the
    /// file has markers, or the row's other columns to compare).
    /// </summary>
    public string? UnguardedReason => GuardColumns.Count > 0 ? null
        : HasMarker ? $"those rows have an empty {RowMarker.Column} and the file has none of the row's other columns"
        : $"the file has neither the {RowMarker.Column} column nor the row's other columns";

    /// <summary>
    /// True when every column of the file the row carries holds the table's current value, compared as typed values
    /// (the file's text was cast to the column's type, so '1.50' and '1.5' are equal) and null-safely; for text, an
    /// empty field equals NULL, which CSV cannot tell apart. Null when the file carries no such column.
    /// </summary>
    private string? SameContent
    {
        get
        {
            var columns = GuardColumns;
            if (columns.Count == 0) return null;
            return "(" + string.Join(" AND ", columns.Select(c =>
            {
                var name = Quote(c);
                return c.Target!.SqlType is "STRING" or "CHAR" or "VARCHAR"
                    ? $"coalesce(t.{name}, '') = coalesce(s.{name}, '')"
                    : $"t.{name} <=> s.{name}";
            })) + ")";
        }
    }

    /// <summary>The guard a matched row must pass: its marker, or without one its columns (or nothing to check).</summary>
    private string? RowGuard
    {
        get
        {
            var same = SameContent;
            if (!HasMarker) return same;
            return same is null
                ? $"(s.{Marker} IS NULL OR {TargetMarker} = s.{Marker})"
                : $"((s.{Marker} IS NULL AND {same}) OR {TargetMarker} = s.{Marker})";
        }
    }

    /// <summary>The one guarded MERGE of all labeled rows from <paramref name="source"/>.</summary>
    public string Merge(string source)
    {
        var pk = Quote(Pk);
        var label = Quote(Label);
        var insertColumns = string.Join(", ", _targets.Select(Quote));
        var insertValues = string.Join(", ", _targets.Select(t => "s." + Quote(t)));
        var labelRule = _overwriteLabels ? $"NOT (t.{label} <=> s.{label})" : $"t.{label} IS NULL";
        var matched = RowGuard is { } guard ? $"{guard} AND {labelRule}" : labelRule;
        // Without the marker column a missing key is left alone and reported as deleted: inserting it could bring back
        // a row deleted since its export (the soak's drop-marker + delete-row finding). Labelers add rows through a
        // file that keeps the column, with an empty marker.
        var insert = HasMarker ? $" WHEN NOT MATCHED AND s.{Marker} IS NULL THEN INSERT ({insertColumns}) VALUES ({insertValues})" : "";
        return $"MERGE INTO {_table.Quoted} AS t USING ({source}) AS s ON t.{pk} = s.{pk} " +
               $"WHEN MATCHED AND {matched} THEN UPDATE SET {label} = s.{label}{insert}";
    }

    /// <summary>
    /// After the MERGE: the labeled rows whose label is not in the table, each with why (deleted, changed since the
    /// export, a label already there). Run only when the MERGE's counts say some rows were not applied.
    /// </summary>
    public string NotApplied(string source)
    {
        var pk = Quote(Pk);
        var label = Quote(Label);
        var changed = RowGuard is { } guard ? $"WHEN NOT coalesce({guard}, false) THEN '{NotAppliedReason.Changed}' " : "";
        return $"SELECT CAST(s.{pk} AS STRING) AS {SqlIdentifier.Quote("key")}, " +
               $"CASE WHEN t.{pk} IS NULL THEN '{NotAppliedReason.Deleted}' {changed}ELSE '{NotAppliedReason.LabelKept}' END AS {SqlIdentifier.Quote("reason")}, " +
               $"{Stranded} AS {SqlIdentifier.Quote("stranded")} " +
               $"FROM ({source}) AS s LEFT JOIN {_table.Quoted} AS t ON t.{pk} = s.{pk} " +
               $"WHERE t.{pk} IS NULL OR NOT (t.{label} <=> s.{label})";
    }

    /// <summary>
    /// Whether a row left alone as changed would be stranded, i.e. must be exported again because the change feed will
    /// not send it. A row whose marker differs while the file's other columns still hold the table's values did not
    /// change (another formula, session or type made the marker differ): nothing will show it again. A row whose
    /// columns differ was edited since its export, whether a marker says so too or the row has none (without a marker
    /// it counts as changed only because its columns differ): the change feed sends (or sent) its new content, and
    /// exporting it again would duplicate it (the soak's finding, seed 1 cycle 3). Without columns to compare, nothing
    /// tells the two apart: the row counts as stranded.
    /// </summary>
    private string Stranded => SameContent is { } same ? $"coalesce({same}, false)" : "true";

    /// <summary>
    /// The target row's marker by the formula each labeled row's marker was made with: a file exported before the
    /// formula changed is checked with the formula it was exported with (its markers carry their version).
    /// </summary>
    private string TargetMarker
    {
        get
        {
            var versions = _file.MarkerVersions.Count == 0 ? [RowMarker.CurrentVersion] : _file.MarkerVersions.ToList();
            if (versions.Count == 1) return RowMarker.Expression(versions[0], _markerColumns, "t");
            var branches = versions.Select(v => $"WHEN {RowMarker.VersionTest("s." + Marker, v)} THEN {RowMarker.Expression(v, _markerColumns, "t")}");
            return $"CASE {string.Join(" ", branches)} END";
        }
    }

    private static string Quote(ImportColumn column) => SqlIdentifier.Quote(column.Name, "column");

    /// <summary>Spark SQL string literal: backslash escapes, never doubled quotes (adjacent literals concatenate).</summary>
    public static string StringLiteral(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}

/// <summary>Why a labeled row was not applied (the words used in run messages and reports).</summary>
public static class NotAppliedReason
{
    /// <summary>The key is gone from the table (deleted since the export), and the row has a marker or the file has no marker column: not brought back.</summary>
    public const string Deleted = "deleted";
    /// <summary>The row's content changed since it was exported: the label was meant for the old content.</summary>
    public const string Changed = "changed";
    /// <summary>The table already has a different label and the config does not overwrite labels.</summary>
    public const string LabelKept = "label_kept";
}
