using Microsoft.Data.Sqlite;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// Implements read_files(path, format => 'csv', ...) by streaming the CSV file(s) of a volume into a temp SQLite
/// table, so even a million-row file is never held in memory and MERGE can join it set-based.
/// </summary>
public sealed class ReadFilesLoader(TranslationSession session)
{
    private const int RowsPerCancellationCheck = 10_000;

    public sealed record LoadedFiles(string Table, IReadOnlyList<(string Name, SqlType Type)> Columns);

    public LoadedFiles Load(ReadFilesSource source)
    {
        var path = ConstantString(source.Path) ?? throw EngineErrors.PathNotFound("null");
        var format = source.Options.TryGetValue("format", out var formatExpr) ? ConstantString(formatExpr)?.ToLowerInvariant() : null;
        if (format == null && path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) format = "csv";
        if (format != "csv") throw EngineErrors.Unsupported($"read_files format '{format}' in the emulator (only csv)");
        var header = source.Options.TryGetValue("header", out var headerExpr) && IsTrue(headerExpr);
        var separatorText = source.Options.TryGetValue("sep", out var sepExpr) || source.Options.TryGetValue("delimiter", out sepExpr) ? ConstantString(sepExpr) : null;
        var separator = string.IsNullOrEmpty(separatorText) ? ',' : separatorText[0];
        var schemaText = source.Options.TryGetValue("schema", out var schemaExpr) ? ConstantString(schemaExpr) : null;

        var files = ListFiles(path);
        var columns = schemaText != null
            ? SqlParser.ParseColumnList(schemaText).Select(c => (c.Name, c.Type)).ToList()
            : InferStringColumns(files[0], header, separator);
        var dataColumnCount = columns.Count;
        if (schemaText == null) columns.Add(("_rescued_data", SqlType.String));

        var table = "temp." + session.NextAlias("read_files_");
        session.TemporaryTables.Add(table);
        session.ExecuteNonQuery($"CREATE TABLE {table} ({string.Join(", ", columns.Select((c, i) => $"c{i} {c.Type.SqliteAffinity}"))})");

        using var loadPhase = EnginePhaseTrace.Start("read_files: parse + load temp table");
        var ownTransaction = session.Transaction == null ? session.Connection.BeginTransaction() : null;
        try
        {
            // Multi-row INSERTs: per-statement overhead in Microsoft.Data.Sqlite, not SQLite, dominates single-row inserts.
            var rowsPerBatch = Math.Clamp(MaxParametersPerStatement / columns.Count, 1, MaxRowsPerBatch);
            using var batchInsert = CreateInsert(table, columns.Count, rowsPerBatch, ownTransaction);
            using var singleInsert = CreateInsert(table, columns.Count, 1, ownTransaction);
            var pending = 0;
            var rows = 0L;
            foreach (var file in files)
            {
                using var reader = CsvRecordReader.Open(file, separator);
                if (header) reader.ReadRecord();
                while (reader.ReadRecord() is { } record)
                {
                    var offset = pending * columns.Count;
                    for (var i = 0; i < columns.Count; i++)
                    {
                        var cell = i < dataColumnCount && i < record.Count ? record[i] : null;
                        batchInsert.Parameters[offset + i].Value = cell == null ? DBNull.Value : SqlValueConverter.ToDbValue(SqlValueConverter.ParseText(cell, columns[i].Type));
                    }
                    if (++pending == rowsPerBatch)
                    {
                        batchInsert.ExecuteNonQuery();
                        pending = 0;
                    }
                    if (++rows % RowsPerCancellationCheck == 0 && session.CancellationToken.IsCancellationRequested) throw EngineErrors.Cancelled();
                }
            }
            for (var row = 0; row < pending; row++)
            {
                for (var i = 0; i < columns.Count; i++) singleInsert.Parameters[i].Value = batchInsert.Parameters[row * columns.Count + i].Value;
                singleInsert.ExecuteNonQuery();
            }
            ownTransaction?.Commit();
        }
        finally
        {
            ownTransaction?.Dispose();
        }
        return new LoadedFiles(table, columns);
    }

    private const int MaxParametersPerStatement = 999;
    private const int MaxRowsPerBatch = 500;

    private SqliteCommand CreateInsert(string table, int columnCount, int rowsPerStatement, SqliteTransaction? ownTransaction)
    {
        var rows = Enumerable.Range(0, rowsPerStatement)
            .Select(r => "(" + string.Join(", ", Enumerable.Range(0, columnCount).Select(c => $"$p{r * columnCount + c}")) + ")");
        var command = session.CreateCommand($"INSERT INTO {table} VALUES {string.Join(", ", rows)}");
        if (ownTransaction != null) command.Transaction = ownTransaction;
        for (var i = 0; i < rowsPerStatement * columnCount; i++) command.Parameters.Add("$p" + i, SqliteType.Text);
        command.Prepare();
        return command;
    }

    private List<string> ListFiles(string volumePath)
    {
        var local = session.ResolveVolumePath(volumePath);
        if (File.Exists(local)) return [local];
        if (Directory.Exists(local))
        {
            var files = Directory.EnumerateFiles(local, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetFileName(f).StartsWith('_') && !Path.GetFileName(f).StartsWith('.'))
                .OrderBy(f => f, StringComparer.Ordinal).ToList();
            if (files.Count > 0) return files;
        }
        throw EngineErrors.PathNotFound(volumePath);
    }

    private static List<(string Name, SqlType Type)> InferStringColumns(string file, bool header, char separator)
    {
        using var reader = CsvRecordReader.Open(file, separator);
        var first = reader.ReadRecord() ?? [];
        return first.Select((name, i) => (header && !string.IsNullOrEmpty(name) ? name : "_c" + i, SqlType.String)).ToList();
    }

    private string? ConstantString(SqlExpr expr)
    {
        var translated = session.Expressions.Translate(expr, Scope.Empty);
        return session.ExecuteScalar("SELECT " + translated.Sql)?.ToString();
    }

    private bool IsTrue(SqlExpr expr)
    {
        var translated = session.Expressions.Translate(expr, Scope.Empty);
        var value = session.ExecuteScalar("SELECT " + translated.Sql);
        return value switch { long l => l != 0, string s => s.Equals("true", StringComparison.OrdinalIgnoreCase), _ => false };
    }
}
