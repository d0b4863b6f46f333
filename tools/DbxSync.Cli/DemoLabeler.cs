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
        var table = CsvTable.Read(exported);
        int text = table.Column(textColumn), label = table.Column(labelColumn);
        foreach (var record in table.Records) record[label] = LabelFor(record[text]);
        return (table.ToBytes(), table.Records.Count);
    }
}
