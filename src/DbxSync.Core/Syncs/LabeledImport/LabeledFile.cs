using System.Text;
using DbxSync.Core.Csv;

namespace DbxSync.Core.Syncs.LabeledImport;

public sealed record ImportError(long Line, string? Column, string Message);

/// <summary>A column of the labeled file: its position in the file and the table column it fills (null when ignored).</summary>
public sealed record ImportColumn(int FileIndex, string Name, ColumnValue? Target);

/// <summary>Opens a labeled CSV with the rules every pass shares: strict UTF-8, a leading BOM tolerated, a size cap.</summary>
public static class LabeledFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static CsvRecordReader OpenReader(Stream content)
        // No BOM detection: a UTF-16 BOM must not silently switch encodings; a UTF-8 BOM is stripped from the header.
        => new(new StreamReader(content, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024));

    public static string StripBom(string firstHeaderCell) => firstHeaderCell.Length > 0 && firstHeaderCell[0] == '\uFEFF' ? firstHeaderCell[1..] : firstHeaderCell;

    /// <summary>A blank line reads as one empty field; it is skipped, not an error.</summary>
    public static bool IsBlank(List<string> record) => record.Count == 1 && record[0].Length == 0;
}
