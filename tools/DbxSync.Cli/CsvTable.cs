using CsvHelper;

namespace DbxSync.Cli;

/// <summary>A CSV read whole (the stand-in labeler's files are small): its header and records, and written back.</summary>
public sealed record CsvTable(string[] Header, List<string[]> Records)
{
    public static CsvTable Read(Stream csv)
    {
        using var reader = CsvReader.Create(csv, new CsvReaderOptions { Separator = ',', HasHeader = false, AllowLineBreaksInQuotes = true }, leaveOpen: true);
        if (!reader.Read()) throw new InvalidOperationException("the CSV has no header");
        var header = Fields(reader);
        var records = new List<string[]>();
        while (reader.Read()) records.Add(Fields(reader));
        return new CsvTable(header, records);
    }

    public int Column(string name) => Array.IndexOf(Header, name) is >= 0 and var index
        ? index : throw new InvalidOperationException($"the CSV lacks the column {name}");

    public byte[] ToBytes()
    {
        var output = new MemoryStream();
        using (var writer = CsvWriter.Create(output, CsvWriterOptions.Default, leaveOpen: true))
        {
            writer.WriteRecord(Header);
            foreach (var record in Records) writer.WriteRecord(record);
        }
        return output.ToArray();
    }

    private static string[] Fields(CsvReader reader) => Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray();
}
