using DbxSync.Core.Configs;
using DbxSync.Core.Ports;

namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>The outcome of validating a whole labeled file before the table is touched.</summary>
public sealed class ImportValidation
{
    public const int MaxReportedErrors = 100;

    public List<ImportError> Errors { get; } = [];
    public long ErrorCount { get; private set; }
    public IReadOnlyList<ImportColumn> Columns { get; set; } = [];
    public int PkIndex { get; set; } = -1;
    public int LabelIndex { get; set; } = -1;
    /// <summary>Field index of the reserved row-marker column in the file, or -1 when the file has none.</summary>
    public int MarkerFileIndex { get; set; } = -1;
    /// <summary>The row marker versions the file's markers were made with (<see cref="RowMarker.VersionOf"/>).</summary>
    public SortedSet<int> MarkerVersions { get; } = [];
    /// <summary>Table columns in the file that cannot be cast from text (ARRAY, MAP, ...): left out of the MERGE.</summary>
    public List<string> LeftOutColumns { get; } = [];
    /// <summary>The header line's fields as written (the names Databricks' CSV reader binds a given schema by).</summary>
    public IReadOnlyList<string> HeaderNames { get; set; } = [];
    /// <summary>Field count of the header line: every row must have exactly this many.</summary>
    public int HeaderFieldCount { get; set; }
    public long Rows { get; set; }
    public long RowsToMerge { get; set; }
    /// <summary>Labeled rows without a row marker (no marker column, or an empty marker).</summary>
    public long RowsWithoutMarker { get; set; }
    public long SkippedUnlabeled { get; set; }
    public bool IsValid => ErrorCount == 0;

    public void Add(long line, string? column, string message)
    {
        ErrorCount++;
        if (Errors.Count < MaxReportedErrors) Errors.Add(new ImportError(line, column, message));
    }
}

/// <summary>
/// Validates a labeled CSV in one streaming pass (plus a second one only when duplicate keys are suspected):
/// header has pk and label, other columns exist in the table (or are ignored, per config), every row has the
/// header's field count, pk non-empty and unique, values fit their column types, strict UTF-8, size cap.
/// </summary>
public static class LabeledFileValidator
{
    public static Task<ImportValidation> ValidateAsync(
        Func<CancellationToken, Task<Stream>> open, TableSummary table, SyncConfig config, long maxBytes,
        Action<long>? onRows, CancellationToken cancellationToken)
        => ValidateAsync(open, table, config, maxBytes, onRows, onHeader: null, cancellationToken);

    /// <param name="onHeader">Called once the header is valid, with the report's columns set (rows still to come).</param>
    public static async Task<ImportValidation> ValidateAsync(
        Func<CancellationToken, Task<Stream>> open, TableSummary table, SyncConfig config, long maxBytes,
        Action<long>? onRows, Action<ImportValidation>? onHeader, CancellationToken cancellationToken)
    {
        var report = new ImportValidation();
        var candidates = new HashSet<string>(StringComparer.Ordinal);
        await using (var file = LabeledFile.Open(await open(cancellationToken), maxBytes))
        {
            try
            {
                if (!ReadHeader(await file.ReadAsync(cancellationToken), table, config, report)) return report;
                onHeader?.Invoke(report);
                var bloom = new KeyBloomFilter();
                while (await file.ReadAsync(cancellationToken) is { } record)
                {
                    report.Rows++;
                    var key = CheckRecord(record, file.Line, report);
                    if (key is not null && bloom.AddAndCheck(key)) candidates.Add(key);
                    if (report.Rows % 1_000 == 0) onRows?.Invoke(report.Rows);
                }
            }
            catch (LabeledFileFormatException ex) { report.Add(ex.Line, null, ex.Reason); return report; }
        }
        onRows?.Invoke(report.Rows);
        if (report.Rows == 0 && report.ErrorCount == 0) report.Add(2, null, "the file has a header but no rows");
        if (candidates.Count > 0) await ConfirmDuplicatesAsync(open, report, candidates, cancellationToken);
        return report;
    }

    private static bool ReadHeader(string[]? header, TableSummary table, SyncConfig config, ImportValidation report)
    {
        if (header is null) { report.Add(1, null, "the file is empty: expected a header line"); return false; }
        var tableColumns = table.Columns.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var columns = new List<ImportColumn>();
        for (int i = 0; i < header.Length; i++)
        {
            var name = header[i].Trim();
            if (name.Length == 0) { report.Add(1, null, $"header field {i + 1} is empty"); continue; }
            if (!seen.Add(name)) report.Add(1, name, $"column '{name}' appears twice in the header");
            if (string.Equals(name, RowMarker.Column, StringComparison.OrdinalIgnoreCase))
            {
                // Reserved: the export's row marker, never a table column.
                report.MarkerFileIndex = i;
                continue;
            }
            if (tableColumns.TryGetValue(name, out var col))
            {
                var value = new ColumnValue(col);
                if (value.IsCastable) columns.Add(new ImportColumn(i, col.Name, value));
                else
                {
                    var key = string.Equals(col.Name, config.PkColumn, StringComparison.OrdinalIgnoreCase) || string.Equals(col.Name, config.LabelColumn, StringComparison.OrdinalIgnoreCase);
                    if (key) report.Add(1, col.Name, $"column '{col.Name}' is {col.TypeText}, which a CSV value cannot be cast to");
                    else report.LeftOutColumns.Add(col.Name);
                    columns.Add(new ImportColumn(i, col.Name, null));
                }
            }
            else if (config.UnknownColumns == UnknownColumnPolicy.Ignore)
                columns.Add(new ImportColumn(i, name, null));
            else
                report.Add(1, name, $"column '{name}' does not exist in table {table.FullName}");
        }
        report.Columns = columns;
        report.PkIndex = columns.FindIndex(c => string.Equals(c.Name, config.PkColumn, StringComparison.OrdinalIgnoreCase) && c.Target is not null);
        report.LabelIndex = columns.FindIndex(c => string.Equals(c.Name, config.LabelColumn, StringComparison.OrdinalIgnoreCase) && c.Target is not null);
        if (report.PkIndex < 0) report.Add(1, config.PkColumn, $"the header has no primary key column '{config.PkColumn}'");
        if (report.LabelIndex < 0) report.Add(1, config.LabelColumn, $"the header has no label column '{config.LabelColumn}'");
        if (!report.IsValid) return false;
        report.HeaderFieldCount = header.Length;
        report.HeaderNames = header;
        return true;
    }

    /// <summary>Checks one record; returns its canonical key when the key is usable.</summary>
    private static string? CheckRecord(string[] record, long line, ImportValidation report)
    {
        if (record.Length != report.HeaderFieldCount)
        {
            report.Add(line, null, $"the row has {record.Length} fields; the header has {report.HeaderFieldCount}");
            return null;
        }
        string? key = null;
        for (int c = 0; c < report.Columns.Count; c++)
        {
            var column = report.Columns[c];
            if (column.Target is null) continue;
            var value = record[column.FileIndex];
            if (c == report.PkIndex)
            {
                if (value.Length == 0) { report.Add(line, column.Name, "the primary key is empty"); continue; }
                var error = column.Target.Check(value, out var canonical);
                if (error is not null) report.Add(line, column.Name, error); else key = canonical;
                continue;
            }
            if (value.Length == 0)
            {
                if (c == report.LabelIndex) report.SkippedUnlabeled++;
                continue;
            }
            var problem = column.Target.Check(value, out _);
            if (problem is not null) report.Add(line, column.Name, problem);
        }
        if (report.MarkerFileIndex >= 0 && record[report.MarkerFileIndex] is { Length: > 0 } marker)
        {
            if (RowMarker.VersionOf(marker) is { } version) report.MarkerVersions.Add(version);
            else report.Add(line, RowMarker.Column, $"'{Shorten(marker)}' is not a row marker ('v2:' and 32 hexadecimal digits, or 32 hexadecimal digits, as exported)");
        }
        if (record[report.Columns[report.LabelIndex].FileIndex].Length > 0)
        {
            report.RowsToMerge++;
            if (report.MarkerFileIndex < 0 || record[report.MarkerFileIndex].Length == 0) report.RowsWithoutMarker++;
        }
        return key;
    }

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + "…" : value;

    private static async Task ConfirmDuplicatesAsync(Func<CancellationToken, Task<Stream>> open, ImportValidation report, HashSet<string> candidates, CancellationToken cancellationToken)
    {
        var firstLine = new Dictionary<string, long>(StringComparer.Ordinal);
        var pk = report.Columns[report.PkIndex];
        await using var file = LabeledFile.Open(await open(cancellationToken));
        await file.ReadAsync(cancellationToken);
        while (await file.ReadAsync(cancellationToken) is { } record)
        {
            if (record.Length != report.HeaderFieldCount) continue;
            var value = record[pk.FileIndex];
            if (value.Length == 0 || pk.Target!.Check(value, out var key) is not null || !candidates.Contains(key)) continue;
            if (firstLine.TryGetValue(key, out var first))
                report.Add(file.Line, pk.Name, $"primary key '{value}' repeats the one on line {first}");
            else
                firstLine[key] = file.Line;
        }
    }
}
