using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsvHelper;
using DbxSync.Core.Syncs;

namespace DbxSync.Syncs.Tests.Infrastructure;

public sealed record ExportedFile(string Name, byte[] Bytes, List<string> Header, List<List<string>> Rows, JsonElement Manifest)
{
    public int Column(string name) => Header.IndexOf(name);
    public List<long> Ids => Rows.Select(r => long.Parse(r[Column("id")], CultureInfo.InvariantCulture)).ToList();
}

/// <summary>Reads what the table export wrote, and plays the labeling platform.</summary>
public static class ExportFiles
{
    public static async Task<List<string>> CsvNamesAsync(SyncStack stack, string configId)
        => (await stack.ListAsync(BlobContainers.Exports, configId + "/")).Select(b => b.Name).Where(n => n.EndsWith(".csv", StringComparison.Ordinal)).Order().ToList();

    public static async Task<ExportedFile> ReadAsync(SyncStack stack, string csvName)
    {
        var bytes = await stack.ReadBlobAsync(BlobContainers.Exports, csvName);
        using var reader = CsvReader.Create(bytes, new CsvReaderOptions { Separator = ',', HasHeader = false, AllowLineBreaksInQuotes = true, MalformedData = CsvMalformedDataHandling.Throw });
        List<string> Record() => Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToList();
        var header = reader.Read() ? Record() : throw new InvalidOperationException("no header");
        var rows = new List<List<string>>();
        while (reader.Read()) rows.Add(Record());
        var manifestBytes = await stack.ReadBlobAsync(BlobContainers.Exports, csvName[..^4] + ".manifest.json");
        var manifest = JsonDocument.Parse(manifestBytes).RootElement.Clone();
        return new ExportedFile(csvName, bytes, header, rows, manifest);
    }

    /// <summary>Runs the export config once; it must succeed and write exactly one new file, which is returned.</summary>
    public static async Task<ExportedFile> ExportOnceAsync(SyncStack stack, string configId)
    {
        var before = await CsvNamesAsync(stack, configId);
        var run = await stack.RunAsync(configId);
        Assert.True(run.Outcome == DbxSync.Core.Runs.RunOutcome.Succeeded, run.Error ?? run.Message);
        var added = (await CsvNamesAsync(stack, configId)).Except(before).Single();
        return await ReadAsync(stack, added);
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string LabelFor(long id) => "lbl-" + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The export with every label filled (lbl-{id}), as the labeling platform would return it.</summary>
    public static byte[] Label(ExportedFile export)
    {
        var output = new MemoryStream();
        using (var writer = CsvWriter.Create(output, CsvWriterOptions.Default, leaveOpen: true))
        {
            writer.WriteRecord([.. export.Header]);
            int id = export.Column("id"), label = export.Column("label");
            foreach (var row in export.Rows)
            {
                var copy = row.ToArray();
                copy[label] = LabelFor(long.Parse(row[id], CultureInfo.InvariantCulture));
                writer.WriteRecord(copy);
            }
        }
        return output.ToArray();
    }

    /// <summary>
    /// Imports labeled/{blob}, which labels every row of the table, and asserts that exactly the row
    /// <paramref name="changedId"/> was left alone as changed and every other row got its label.
    /// </summary>
    public static async Task<JsonElement> ImportLeavingOneRowAloneAsync(SyncStack stack, string table, string blob, long changedId)
    {
        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);
        Assert.True(run!.Outcome == DbxSync.Core.Runs.RunOutcome.Succeeded, run.Error);
        var labels = await stack.LabelsAsync(table);
        Assert.Equal(labels.Count - 1, run.UpdatedRows);
        Assert.Null(labels[changedId]);
        Assert.All(labels.Where(kv => kv.Key != changedId), kv => Assert.Equal(LabelFor(kv.Key), kv.Value));
        var report = JsonDocument.Parse(await stack.ReadBlobAsync(BlobContainers.Processed, blob + ".report.json")).RootElement.Clone();
        Assert.Equal(1, report.GetProperty("changed_since_export").GetInt64());
        return report;
    }

    /// <summary>CSV text of the given lines, each ended with CRLF.</summary>
    public static string Csv(params string[] lines) => string.Concat(lines.Select(l => l + "\r\n"));

    /// <summary>A labeled CSV written from scratch: header id,label and one line per id.</summary>
    public static byte[] LabelIds(IEnumerable<long> ids)
        => Encoding.UTF8.GetBytes("id,label\n" + string.Concat(ids.Select(i => $"{i},{LabelFor(i)}\n")));
}
