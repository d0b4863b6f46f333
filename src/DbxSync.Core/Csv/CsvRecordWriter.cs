namespace DbxSync.Core.Csv;

/// <summary>
/// RFC 4180 writer: CRLF line ends, fields quoted only when they hold a comma, quote, CR or LF; null written as
/// an empty field. Optionally guards cells that a spreadsheet would run as a formula.
/// </summary>
public sealed class CsvRecordWriter(TextWriter writer)
{
    public long RecordsWritten { get; private set; }

    /// <param name="guard">Per column: true when a leading = + - @ (or tab/CR) must be defused with a quote prefix.</param>
    public void WriteRecord(IReadOnlyList<string?> fields, IReadOnlyList<bool>? guard = null)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            if (i > 0) writer.Write(',');
            var value = fields[i];
            if (value is null) continue;
            if (guard is not null && guard[i] && value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
                value = "'" + value;
            WriteField(value);
        }
        writer.Write("\r\n");
        RecordsWritten++;
    }

    private void WriteField(string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            writer.Write(value);
            return;
        }
        writer.Write('"');
        foreach (var ch in value)
        {
            if (ch == '"') writer.Write('"');
            writer.Write(ch);
        }
        writer.Write('"');
    }
}
