using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DbxSync.Core.Ports;

namespace DbxSync.Core.Sql;

/// <summary>A column of a staging table: its name and its Databricks type (scalar type text such as BIGINT or DECIMAL(10,2)).</summary>
public sealed record StagingColumn(string Name, string Type);

/// <summary>What filling a staging table took: rows staged, INSERT statements sent, and the JSON bytes they carried.</summary>
public sealed record StagingFill(long Rows, int Statements, long JsonBytes);

/// <summary>
/// A staging table filled from the app, without a volume: each INSERT carries its rows as ONE JSON string parameter,
/// read back with inline(from_json(:rows, 'ARRAY&lt;STRUCT&lt;...&gt;&gt;')) and cast to each column's type. One parameter
/// per statement because the Statement Execution API allows only scalar parameters (no ARRAY/STRUCT) and documents no
/// parameter-count limit, while it caps a statement's text at 16 MiB (reference/databricks-api.md §2.1 and §2.5;
/// https://docs.databricks.com/api/workspace/statementexecution/executestatement). Statements are bounded by bytes,
/// not rows, so a file of 100,000 labeled rows takes a handful of INSERTs (each one Delta commit) rather than hundreds.
/// Every field travels as a JSON string and is CAST to its column's type in SQL, exactly as a typed parameter would
/// be, so values round-trip the same way (an empty cell is NULL). Names are validated and quoted; values are never
/// spliced into the text. from_json: https://docs.databricks.com/en/sql/language-manual/functions/from_json.html;
/// inline as a table-valued function: https://docs.databricks.com/en/sql/language-manual/functions/inline.html.
/// </summary>
public sealed class StagingTable
{
    /// <summary>The Statement Execution API's cap on one statement's text (reference/databricks-api.md §2.1).</summary>
    public const int StatementLimitBytes = 16 * 1024 * 1024;

    /// <summary>
    /// JSON bytes per INSERT by default: a quarter of the 16 MiB statement cap. Whether parameter values count toward
    /// that cap is not documented (assumed: they might), and the request body grows further when the client escapes
    /// the JSON once more; a quarter keeps every request well inside the cap and one statement's buffers (the JSON,
    /// its string, the request body) to a few tens of MiB. A labeled row of key, label and row marker is ~80 JSON bytes,
    /// ~53,000 rows per statement: 2 INSERTs for 100,000 rows, 19 for 1,000,000 (StagingTableTests).
    /// </summary>
    public const int DefaultMaxStatementBytes = 4 * 1024 * 1024;

    private const string RowsParameter = "rows";
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Non-ASCII text stays UTF-8 (from_json reads it either way); quotes, backslashes and control characters are
        // still escaped. The JSON is a parameter value, never HTML or script.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly IReadOnlyList<StagingColumn> _columns;
    private readonly int _maxJsonBytes;
    private readonly byte[][] _fieldNames;

    public StagingTable(TableName table, IReadOnlyList<StagingColumn> columns, int maxStatementBytes = DefaultMaxStatementBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns.Count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxStatementBytes, StatementLimitBytes);
        Table = table;
        _columns = columns;
        foreach (var column in columns) SqlIdentifier.Quote(column.Name, "column");
        _fieldNames = Enumerable.Range(0, columns.Count).Select(i => Encoding.UTF8.GetBytes(FieldName(i))).ToArray();
        Insert = BuildInsert();
        // The INSERT's own text counts against the budget too.
        _maxJsonBytes = Math.Max(1, maxStatementBytes - Encoding.UTF8.GetByteCount(Insert));
    }

    public TableName Table { get; }

    /// <summary>The INSERT every batch runs; only its :rows parameter differs.</summary>
    public string Insert { get; }

    public string Create() => $"""
        CREATE TABLE {Table.Quoted} (
          {string.Join(",\n  ", _columns.Select(c => $"{SqlIdentifier.Quote(c.Name, "column")} {c.Type}"))}
        )
        """;

    public string Drop() => $"DROP TABLE IF EXISTS {Table.Quoted}";

    /// <summary>
    /// Sends <paramref name="rows"/> (one cell per column, null = NULL) as INSERTs of at most the byte budget each,
    /// in order; <paramref name="staged"/> hears the rows staged so far after each statement. A row larger than the
    /// budget on its own goes alone.
    /// </summary>
    public async Task<StagingFill> FillAsync(IDatabricksWorkspace workspace, IAsyncEnumerable<string?[]> rows, StatementOptions write,
        Action<long>? staged, CancellationToken cancellationToken)
    {
        var batch = new ArrayBufferWriter<byte>(64 * 1024);
        var row = new ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(row, WriterOptions);
        long total = 0, jsonBytes = 0;
        int inBatch = 0, statements = 0;

        async Task FlushAsync()
        {
            Append(batch, "]"u8);
            var json = Encoding.UTF8.GetString(batch.WrittenSpan);
            await workspace.ExecuteAsync(Insert, [new SqlParameter(RowsParameter, json)], write, cancellationToken);
            jsonBytes += batch.WrittenCount;
            total += inBatch;
            statements++;
            inBatch = 0;
            batch.ResetWrittenCount();
            staged?.Invoke(total);
        }

        await foreach (var cells in rows.WithCancellation(cancellationToken))
        {
            if (cells.Length != _columns.Count)
                throw new ArgumentException($"A staging row has {cells.Length} cells; the table has {_columns.Count} columns.", nameof(rows));
            row.ResetWrittenCount();
            writer.Reset(row);
            writer.WriteStartObject();
            for (var i = 0; i < cells.Length; i++)
                if (cells[i] is { } cell) writer.WriteString(_fieldNames[i], cell);
            writer.WriteEndObject();
            writer.Flush();
            // '[' or ',' before the row and ']' after the last one.
            if (inBatch > 0 && batch.WrittenCount + row.WrittenCount + 2 > _maxJsonBytes) await FlushAsync();
            Append(batch, inBatch == 0 ? "["u8 : ","u8);
            Append(batch, row.WrittenSpan);
            inBatch++;
        }
        if (inBatch > 0) await FlushAsync();
        return new StagingFill(total, statements, jsonBytes);
    }

    /// <summary>The same, for rows already in memory.</summary>
    public Task<StagingFill> FillAsync(IDatabricksWorkspace workspace, IEnumerable<string?[]> rows, StatementOptions write, CancellationToken cancellationToken)
        => FillAsync(workspace, rows.ToAsyncEnumerable(), write, null, cancellationToken);

    private static void Append(ArrayBufferWriter<byte> to, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(to.GetSpan(bytes.Length));
        to.Advance(bytes.Length);
    }

    /// <summary>Struct field names are positional and fixed (c0, c1...): no table name ever reaches the schema string.</summary>
    private static string FieldName(int index) => "c" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string BuildInsert()
    {
        var names = string.Join(", ", _columns.Select(c => SqlIdentifier.Quote(c.Name, "column")));
        var casts = string.Join(",\n       ", _columns.Select((c, i) => $"CAST({FieldName(i)} AS {c.Type})"));
        var schema = string.Join(", ", _columns.Select((_, i) => $"{FieldName(i)}: STRING"));
        return $"""
            INSERT INTO {Table.Quoted} ({names})
            SELECT {casts}
            FROM inline(from_json(:{RowsParameter}, 'ARRAY<STRUCT<{schema}>>'))
            """;
    }
}
