using System.Text;
using System.Text.Json;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using DbxSync.Syncs.Tests.Infrastructure;

namespace DbxSync.Syncs.Tests;

/// <summary>A bad labeled file changes nothing: table and Delta version as before, blob in failed/ with line-level errors.</summary>
public sealed class BadLabeledFileTests
{
    public static TheoryData<string, byte[], long[], string> Cases() => new()
    {
        { "missing-pk", U("text,label\nfoo,a\nbar,b\n"), [1], "primary key" },
        { "duplicate-pk", U("id,label\n1,a\n2,b\n3,c\n2,d\n5,e\n1,f\n"), [5, 7], "repeats the one on line" },
        { "wrong-type", U("id,score,label\n1,0.5,a\nabc,0.1,b\n3,not-a-number,c\n"), [3, 4], "" },
        { "ragged", U("id,label\n1,a\n2,b,extra\n3\n4,d\n"), [3, 4], "fields" },
        { "empty", [], [1], "empty" },
        { "not-utf8", [.. U("id,label\n1,a\n2,"), 0xFF, 0xFE, 0x41, .. U("\n3,c\n")], [3], "UTF-8" },
    };

    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_file_changes_nothing_and_lands_in_failed_with_line_level_errors(string name, byte[] content, long[] lines, string message)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(10, changeDataFeed: true);
        var import = await stack.CreateImportConfigAsync(table, useStaging: false);
        var before = await stack.SnapshotAsync(table);
        var version = await stack.VersionAsync(table);

        var blobName = $"{import.Id}/{name}.csv";
        await stack.UploadAsync(BlobContainers.Labeled, blobName, content);
        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blobName);

        Assert.Equal(RunOutcome.Failed, run!.Outcome);
        Assert.Contains("table unchanged", run.Error);
        Assert.Equal($"{BlobContainers.Failed}/{blobName}", run.Output);
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Labeled, blobName));
        Assert.Equal(content, await stack.ReadBlobAsync(BlobContainers.Failed, blobName));
        using var report = JsonDocument.Parse(await stack.ReadBlobAsync(BlobContainers.Failed, blobName + ".errors.json"));
        var errors = report.RootElement.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal(lines, errors.Select(e => e.GetProperty("line").GetInt64()).Order().ToArray());
        Assert.All(errors, e => Assert.Contains(message, e.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase));
        Assert.Equal(lines.Length, report.RootElement.GetProperty("error_count").GetInt64());

        Assert.Equal(before, await stack.SnapshotAsync(table));
        Assert.Equal(version, await stack.VersionAsync(table));
        var recorded = await stack.RunRepository.GetAsync(import.Id, run.RunId);
        Assert.Equal(RunOutcome.Failed, recorded!.Outcome);

        // The same event delivered twice: nothing more happens.
        var again = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blobName);
        Assert.Equal(RunOutcome.NoChange, again!.Outcome);
        Assert.Equal(version, await stack.VersionAsync(table));
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Failed, blobName));
    }

    [Fact]
    public async Task A_bad_file_staged_while_its_rows_were_validated_changes_nothing_and_leaves_nothing_in_the_staging_volume()
    {
        // With a staging volume the file is staged and counted once its header is valid, while its rows are validated:
        // a row error then rejects it as before, and the staged copy goes.
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(10, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging: true);
        var blobName = $"{import.Id}/wrong-type.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blobName, "id,label\n1,a\nabc,b\n3,c\n");
        var version = await stack.VersionAsync(table);

        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blobName);

        Assert.Equal(RunOutcome.Failed, run!.Outcome);
        Assert.Contains("line 3", run.Error);
        Assert.Equal(version, await stack.VersionAsync(table));
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Failed, blobName));
        var left = new List<string>();
        await foreach (var entry in stack.Workspace.ListDirectoryRecursiveAsync(import.StagingVolumePath!)) left.Add(entry.Path);
        Assert.Empty(left);
    }

    [Fact]
    public async Task Duplicate_key_errors_name_both_lines()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(10, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging: true);
        var blobName = $"{import.Id}/dups.csv";
        await stack.UploadTextAsync(BlobContainers.Labeled, blobName, "id,label\n7,a\n8,b\n7,c\n");
        var version = await stack.VersionAsync(table);
        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blobName);
        Assert.Equal(RunOutcome.Failed, run!.Outcome);
        using var report = JsonDocument.Parse(await stack.ReadBlobAsync(BlobContainers.Failed, blobName + ".errors.json"));
        var error = Assert.Single(report.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal(4, error.GetProperty("line").GetInt64());
        Assert.Contains("line 2", error.GetProperty("message").GetString());
        Assert.Equal(version, await stack.VersionAsync(table));
    }
}
