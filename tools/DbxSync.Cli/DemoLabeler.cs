using System.Text;
using DbxSync.Core.Csv;

namespace DbxSync.Cli;

/// <summary>A deterministic stand-in for the labeling platform: reads an exported CSV and fills the label column.</summary>
public static class DemoLabeler
{
    private static readonly string[] Animals = ["cat", "dog", "bird", "fish"];

    public static string LabelFor(string? text)
        => Animals.FirstOrDefault(a => text?.Contains(a, StringComparison.OrdinalIgnoreCase) == true) ?? "other";

    /// <summary>Returns the labeled CSV and how many rows it labeled.</summary>
    public static (byte[] Csv, int Rows) Label(Stream exported, string textColumn, string labelColumn)
    {
        var reader = new CsvRecordReader(new StreamReader(exported, Encoding.UTF8));
        var header = reader.Read() ?? throw new InvalidOperationException("the export has no header");
        int text = header.IndexOf(textColumn), label = header.IndexOf(labelColumn);
        if (text < 0 || label < 0) throw new InvalidOperationException($"the export lacks {textColumn} or {labelColumn}");
        var output = new StringWriter();
        var writer = new CsvRecordWriter(output);
        writer.WriteRecord(header);
        var rows = 0;
        while (reader.Read() is { } record)
        {
            record[label] = LabelFor(record[text]);
            writer.WriteRecord(record);
            rows++;
        }
        return (Encoding.UTF8.GetBytes(output.ToString()), rows);
    }
}
