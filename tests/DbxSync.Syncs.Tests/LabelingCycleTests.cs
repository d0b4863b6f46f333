using System.Text.RegularExpressions;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;
using DbxSync.Core.Syncs.LabeledImport;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests;

/// <summary>
/// The loop the product exists for, twice over: export unlabeled rows -> label -> drop -> MERGE -> processed/,
/// then new rows arrive and only they are exported. With a staging volume (read_files) and without (JSON-parameter INSERTs into a staging table).
/// </summary>
public sealed class LabelingCycleTests
{
    private const int Rows = 300;
    private const int NewRows = 45;
    /// <summary>A small statement budget: the import without a staging volume takes several staging INSERTs.</summary>
    private const int MaxStatementBytes = 2048;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Two_labeling_cycles_export_only_unlabeled_rows_and_end_fully_labeled(bool useStaging)
    {
        await using var stack = await SyncStack.CreateAsync(s => s.AddSingleton(new LabeledImportOptions { MaxStatementBytes = MaxStatementBytes }));
        var table = await stack.CreateItemsTableAsync(Rows, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        var import = await stack.CreateImportConfigAsync(table, useStaging);
        var tableShort = table.Split('.')[2];

        // ---- cycle 1: first run is a snapshot of the unlabeled rows
        var v1 = await stack.VersionAsync(table);
        var run1 = await stack.RunAsync(export.Id);
        Assert.Equal(RunOutcome.Succeeded, run1.Outcome);
        Assert.Equal(Rows, run1.Rows);
        var expectedName = $"{export.Id}/{tableShort}_g0_v0-v{v1}_part000001.csv";
        Assert.Equal($"{BlobContainers.Exports}/{expectedName}", run1.Output);
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Exports, $"{export.Id}/{tableShort}_g0_v0-v{v1}.manifest.json"));
        Assert.Equal([expectedName], await ExportFiles.CsvNamesAsync(stack, export.Id));
        var file1 = await ExportFiles.ReadAsync(stack, expectedName);
        AssertManifest(file1, Rows, 0, v1);
        Assert.Equal(["id", "text", "score", "label", RowMarker.Column], file1.Header);
        Assert.Equal(Enumerable.Range(1, Rows).Select(i => (long)i), file1.Ids.Order());
        Assert.All(file1.Rows, r => Assert.Equal("", r[file1.Column("label")]));
        Assert.All(file1.Rows, r => Assert.Equal(SyncStack.TextFor(long.Parse(r[0])), r[1]));

        var processed1 = await LabelAndImportAsync(stack, import.Id, table, file1, useStaging);
        var labels = await stack.LabelsAsync(table);
        Assert.All(labels, kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));

        // The same blob event delivered again: nothing happens (the blob already moved).
        var versionAfterImport = await stack.VersionAsync(table);
        var again = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, processed1);
        Assert.Equal(RunOutcome.NoChange, again!.Outcome);
        Assert.Equal(versionAfterImport, await stack.VersionAsync(table));

        // The import's own MERGE must not send labeled rows out again.
        var afterImport = await stack.RunAsync(export.Id);
        Assert.NotEqual(RunOutcome.Failed, afterImport.Outcome);
        Assert.Equal(0, afterImport.Rows);
        Assert.Equal([expectedName], await ExportFiles.CsvNamesAsync(stack, export.Id));
        Assert.Equal(versionAfterImport, (await stack.Services.GetRequiredService<SyncStateRepository>().GetCheckpointAsync(export.Id)).Version);

        // ---- cycle 2: new rows arrive; only they go out
        await stack.InsertItemsAsync(table, Rows + 1, NewRows);
        var v2 = await stack.VersionAsync(table);
        var run2 = await stack.RunAsync(export.Id);
        Assert.Equal(RunOutcome.Succeeded, run2.Outcome);
        Assert.Equal(NewRows, run2.Rows);
        var secondName = $"{export.Id}/{tableShort}_g0_v{versionAfterImport + 1}-v{v2}_part000001.csv";
        Assert.Equal([expectedName, secondName], await ExportFiles.CsvNamesAsync(stack, export.Id));
        var file2 = await ExportFiles.ReadAsync(stack, secondName);
        AssertManifest(file2, NewRows, versionAfterImport + 1, v2);
        Assert.Equal(Enumerable.Range(Rows + 1, NewRows).Select(i => (long)i), file2.Ids.Order());

        await LabelAndImportAsync(stack, import.Id, table, file2, useStaging);
        labels = await stack.LabelsAsync(table);
        Assert.Equal(Rows + NewRows, labels.Count);
        Assert.All(labels, kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));

        var last = await stack.RunAsync(export.Id);
        Assert.Equal(0, last.Rows);
        Assert.Equal(2, (await ExportFiles.CsvNamesAsync(stack, export.Id)).Count);

        if (useStaging)
        {
            // Staged copies are removed after the MERGE.
            var staging = (await stack.ConfigService.GetAsync(import.Id)).StagingVolumePath!;
            var left = new List<string>();
            await foreach (var e in stack.Workspace.ListDirectoryRecursiveAsync(staging)) if (!e.IsDirectory) left.Add(e.Path);
            Assert.Empty(left);
        }
    }

    private static void AssertManifest(ExportedFile file, int rows, long from, long to)
    {
        Assert.Equal(rows, file.Manifest.GetProperty("row_count").GetInt64());
        Assert.Equal(ExportFiles.Sha256(file.Bytes), file.Manifest.GetProperty("sha256").GetString());
        Assert.Equal(file.Bytes.Length, file.Manifest.GetProperty("bytes").GetInt64());
        Assert.Equal(from, file.Manifest.GetProperty("from_version").GetInt64());
        Assert.Equal(to, file.Manifest.GetProperty("to_version").GetInt64());
        Assert.Equal(rows, file.Rows.Count);
    }

    /// <summary>Labels the export, drops it into labeled/{import}/, dispatches the blob event; returns the blob name.</summary>
    private static async Task<string> LabelAndImportAsync(SyncStack stack, string importId, string table, ExportedFile export, bool useStaging)
    {
        var labeledName = $"{importId}/{Path.GetFileNameWithoutExtension(export.Name)}.labeled.csv";
        await stack.UploadAsync(BlobContainers.Labeled, labeledName, ExportFiles.Label(export));
        var mergesBefore = (await stack.HistoryAsync(table)).Count(h => h.Operation == "MERGE");

        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, labeledName);
        Assert.NotNull(run);
        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(RunTrigger.BlobEvent, run.Trigger);
        Assert.Equal(export.Rows.Count, run.UpdatedRows);
        Assert.Equal(0, run.InsertedRows);
        Assert.Equal($"{BlobContainers.Processed}/{labeledName}", run.Output);
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Labeled, labeledName));
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Processed, labeledName));

        var recorded = await stack.RunRepository.GetAsync(importId, run.RunId);
        Assert.NotNull(recorded);
        Assert.Equal(RunOutcome.Succeeded, recorded.Outcome);
        Assert.Equal(export.Rows.Count, recorded.UpdatedRows);

        var merges = (await stack.HistoryAsync(table)).Count(h => h.Operation == "MERGE") - mergesBefore;
        // One MERGE either way: the staging INSERTs fill a staging table, never the target.
        Assert.Equal(1, merges);
        return labeledName;
    }
}
