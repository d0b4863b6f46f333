using Microsoft.Data.Sqlite;
using SQLitePCL;

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
        // Spark's CSV defaults, which read_files applies unless told otherwise: quote '"', escape '\', multiLine false,
        // mode PERMISSIVE, encoding UTF-8 (https://docs.databricks.com/en/sql/language-manual/functions/read_files.html#csv-options).
        var quote = CharOption(source, "quote", '"');
        var escape = CharOption(source, "escape", '\\');
        var multiLine = source.Options.TryGetValue("multiLine", out var multiLineExpr) && IsTrue(multiLineExpr);
        var mode = (source.Options.TryGetValue("mode", out var modeExpr) ? ConstantString(modeExpr) : null)?.ToUpperInvariant() ?? "PERMISSIVE";
        if (mode is not ("PERMISSIVE" or "DROPMALFORMED" or "FAILFAST")) throw EngineErrors.Unsupported($"read_files mode '{mode}'");
        var encoding = source.Options.TryGetValue("encoding", out var encodingExpr) || source.Options.TryGetValue("charset", out encodingExpr) ? ConstantString(encodingExpr) : null;
        if (encoding != null && !encoding.Replace("-", "").Equals("UTF8", StringComparison.OrdinalIgnoreCase))
            throw EngineErrors.Unsupported($"read_files encoding '{encoding}' in the emulator (only UTF-8)");
        var schemaText = source.Options.TryGetValue("schema", out var schemaExpr) ? ConstantString(schemaExpr) : null;

        var files = ListFiles(path);
        var columns = schemaText != null
            ? SqlParser.ParseColumnList(schemaText).Select(c => (c.Name, c.Type)).ToList()
            : InferStringColumns(files[0], header, separator, quote, escape, multiLine);
        var dataColumnCount = columns.Count;
        // With a schema and a header, fields bind to schema columns by name: the rescued-data documentation says a
        // field whose name is not in the schema or differs from it in case is not bound but rescued
        // (https://docs.databricks.com/en/query/formats/csv.html#rescued-data-column). Spark's own CSV option
        // enforceSchema (https://spark.apache.org/docs/latest/sql-data-sources-csv.html) binds by position and ignores
        // the header; the emulator binds by position only when enforceSchema => true is given, so that a statement
        // relying on positions fails here rather than in a workspace that binds by name (which one a warehouse
        // applies without the option is assumed, not documented).
        var byName = header && schemaText != null && !(source.Options.TryGetValue("enforceSchema", out var enforceExpr) && IsTrue(enforceExpr));
        var rescuedColumn = source.Options.TryGetValue("rescuedDataColumn", out var rescuedExpr) ? ConstantString(rescuedExpr) : null;
        if (schemaText == null) columns.Add(("_rescued_data", SqlType.String));
        else if (byName && !string.IsNullOrEmpty(rescuedColumn)) columns.Add((rescuedColumn, SqlType.String));

        var table = "temp." + session.NextAlias("read_files_");
        session.TemporaryTables.Add(table);
        session.ExecuteNonQuery($"CREATE TABLE {table} ({string.Join(", ", columns.Select((c, i) => $"c{i} {c.Type.SqliteAffinity}"))})");

        using var loadPhase = EnginePhaseTrace.Start("read_files: parse + load temp table");
        var ownTransaction = session.Transaction == null ? session.Connection.BeginTransaction() : null;
        try
        {
            // One prepared single-row INSERT stepped per record, bound by position through SQLite's C API: no per-row
            // command, parameter lookup by name or boxing, which in Microsoft.Data.Sqlite cost more than SQLite's own work.
            using var insert = new RawInsert(session.Connection, $"INSERT INTO {table} VALUES ({string.Join(", ", columns.Select((_, i) => "?" + (i + 1)))})");
            var rows = 0L;
            foreach (var file in files)
            {
                using var reader = CsvRecordReader.Open(file, separator, quote, escape, multiLine);
                var headerFields = header ? reader.ReadRecord() ?? [] : null;
                // Schema column i reads field binding[i] (-1: no field of that name, NULL).
                var binding = byName
                    ? columns.Take(dataColumnCount).Select(c => headerFields!.ToList().IndexOf(c.Name)).ToArray()
                    : Enumerable.Range(0, dataColumnCount).ToArray();
                var rescued = byName ? Enumerable.Range(0, headerFields!.Count).Where(j => !binding.Contains(j)).ToArray() : [];
                var fieldCount = byName ? headerFields!.Count : dataColumnCount;
                while (reader.ReadRecord() is { } record)
                {
                    // A record with more or fewer fields than the schema (or the header it is bound by) is malformed:
                    // PERMISSIVE pads with NULL or drops the extra fields, DROPMALFORMED skips it, FAILFAST fails the statement.
                    if (record.Count != fieldCount && mode != "PERMISSIVE")
                    {
                        if (mode == "DROPMALFORMED") continue;
                        throw EngineErrors.MalformedRecord(string.Join(separator, record));
                    }
                    for (var i = 0; i < columns.Count; i++)
                    {
                        var field = i < dataColumnCount ? binding[i] : -1;
                        var cell = field >= 0 && field < record.Count ? record[field] : null;
                        if (i >= dataColumnCount && schemaText != null && rescued.Length > 0)
                        {
                            // The rescued fields as a JSON object, with the file's path as the documentation shows.
                            var values = rescued.Where(j => j < record.Count).ToDictionary(j => headerFields![j] ?? "", j => (object?)record[j]);
                            values["_file_path"] = files.Count == 1 ? path : Path.GetFileName(file);
                            cell = System.Text.Json.JsonSerializer.Serialize(values);
                        }
                        if (cell == null) insert.BindNull(i);
                        else if (columns[i].Type.Kind == SqlTypeKind.String) insert.BindText(i, cell);
                        else insert.Bind(i, SqlValueConverter.ParseText(cell, columns[i].Type));
                    }
                    insert.Step();
                    if (++rows % RowsPerCancellationCheck == 0 && session.CancellationToken.IsCancellationRequested) throw EngineErrors.Cancelled();
                }
            }
            ownTransaction?.Commit();
        }
        finally
        {
            ownTransaction?.Dispose();
        }
        return new LoadedFiles(table, columns);
    }

    /// <summary>A prepared statement on the connection's handle, run inside whatever transaction the connection has open.</summary>
    private sealed class RawInsert : IDisposable
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _statement;

        public RawInsert(SqliteConnection connection, string sql)
        {
            _db = connection.Handle!;
            Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        }

        public void BindNull(int index) => Check(raw.sqlite3_bind_null(_statement, index + 1));
        private byte[] _utf8 = new byte[256];

        /// <summary>Encodes into one reused buffer (SQLite copies on bind), instead of a new UTF-8 byte[] per value.</summary>
        public void BindText(int index, string value)
        {
            // Defensive: an empty span could reach SQLite as a null pointer (NULL); a quoted empty CSV field must stay ''.
            if (value.Length == 0) { Check(raw.sqlite3_bind_text(_statement, index + 1, "")); return; }
            var max = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length);
            if (max > _utf8.Length) _utf8 = new byte[Math.Max(max, _utf8.Length * 2)];
            var length = System.Text.Encoding.UTF8.GetBytes(value, _utf8);
            Check(raw.sqlite3_bind_text(_statement, index + 1, _utf8.AsSpan(0, length)));
        }

        public void Bind(int index, object? value) => Check(value switch
        {
            null => raw.sqlite3_bind_null(_statement, index + 1),
            long l => raw.sqlite3_bind_int64(_statement, index + 1, l),
            double d => raw.sqlite3_bind_double(_statement, index + 1, d),
            string text => raw.sqlite3_bind_text(_statement, index + 1, text),
            decimal m => raw.sqlite3_bind_double(_statement, index + 1, (double)m),
            _ => raw.sqlite3_bind_text(_statement, index + 1, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
        });

        public void Step()
        {
            var rc = raw.sqlite3_step(_statement);
            raw.sqlite3_reset(_statement);
            if (rc != raw.SQLITE_DONE) Check(rc);
        }

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW) SqliteException.ThrowExceptionForRC(rc, _db);
        }

        public void Dispose() => _statement?.Dispose();
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

    private static List<(string Name, SqlType Type)> InferStringColumns(string file, bool header, char separator, char quote, char escape, bool multiLine)
    {
        using var reader = CsvRecordReader.Open(file, separator, quote, escape, multiLine);
        var first = reader.ReadRecord() ?? [];
        return first.Select((name, i) => (header && !string.IsNullOrEmpty(name) ? name : "_c" + i, SqlType.String)).ToList();
    }

    private char CharOption(ReadFilesSource source, string name, char fallback)
    {
        if (!source.Options.TryGetValue(name, out var expr)) return fallback;
        var text = ConstantString(expr);
        if (text is not { Length: 1 }) throw EngineErrors.Unsupported($"read_files option {name} must be one character");
        return text[0];
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
