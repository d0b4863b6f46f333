using System.Globalization;
using System.Text;
using System.Text.Json;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using DbxSync.Syncs.Tests.Infrastructure;

namespace DbxSync.Syncs.Tests;

/// <summary>Issue 13, import side: a label lands on the row it was meant for, exactly once, or is reported.</summary>
public sealed class LabelSafetyTests
{
    private static string Csv(params string[] lines) => string.Concat(lines.Select(l => l + "\r\n"));

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"") + "\"";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Labels_with_line_breaks_quotes_backslashes_commas_and_non_ascii_land_exactly(bool useStaging)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(6, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging);
        var tricky = new Dictionary<long, (string Text, string Label)>
        {
            [1] = ("first line\nsecond line", "multi\r\nline label"),
            [2] = ("she said \"hi\"", "a \"quoted\" label"),
            [3] = ("C:\\temp\\", "ends in a backslash \\"),
            [4] = ("a, b, c", "comma, separated"),
            [5] = ("Grüße, 東京 🚀", "überprüft ✓"),
            [6] = ("\\\"escaped\\\"", "back\\\"slash quote"),
        };
        var lines = new List<string> { "id,text,score,label" };
        lines.AddRange(tricky.Select(kv => $"{kv.Key},{Quote(kv.Value.Text)},0.5,{Quote(kv.Value.Label)}"));
        var blob = $"{import.Id}/tricky.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blob, Csv([.. lines]));

        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(6, run.UpdatedRows);
        Assert.Equal(0, run.InsertedRows);
        var labels = await stack.LabelsAsync(table);
        Assert.Equal(6, labels.Count);
        foreach (var (id, (_, label)) in tricky) Assert.Equal(label, labels[id]);
    }
}
