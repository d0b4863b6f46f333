using System.Text;
using CsvHelper;

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
        using var reader = CsvReader.Create(exported, new CsvReaderOptions { Separator = ',', HasHeader = false, AllowLineBreaksInQuotes = true }, leaveOpen: true);
        if (!reader.Read()) throw new InvalidOperationException("the export has no header");
        var header = Fields(reader);
        int text = Array.IndexOf(header, textColumn), label = Array.IndexOf(header, labelColumn);
        if (text < 0 || label < 0) throw new InvalidOperationException($"the export lacks {textColumn} or {labelColumn}");
        var output = new MemoryStream();
        var rows = 0;
        using (var writer = CsvWriter.Create(output, CsvWriterOptions.Default, leaveOpen: true))
        {
            writer.WriteRecord(header);
            while (reader.Read())
            {
                var record = Fields(reader);
                record[label] = LabelFor(record[text]);
                writer.WriteRecord(record);
                rows++;
            }
        }
        return (output.ToArray(), rows);
    }

    private static string[] Fields(CsvReader reader) => Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray();
}
