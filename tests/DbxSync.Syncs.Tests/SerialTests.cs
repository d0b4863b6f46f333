using System.Diagnostics;
using System.Security.Cryptography;
using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using DbxSync.Syncs.Tests.Infrastructure;
using DbxSync.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests;

[Collection(SerialCollection.Name)]
public sealed class SerialTests
{
    private const long BigFile = 200L * 1024 * 1024;

    [Fact]
    public async Task A_200_MiB_file_goes_forward_byte_identical_with_flat_memory()
    {
        await using var stack = await SyncStack.CreateAsync();
        var volume = await stack.CreateVolumeAsync("big");
        using var source = new GeneratedStream(BigFile, seed: 42);
        await stack.Workspace.UploadFileAsync($"{volume}/data/big.bin", source, overwrite: true);
        var expectedHash = source.Sha256();
        var config = await stack.CreateConfigAsync(new SyncConfigInput { ConfigType = "volume_forward", DatabricksPath = volume });

        using var process = Process.GetCurrentProcess();
        Settle();
        ResetPeak();
        process.Refresh();
        var before = process.WorkingSet64;
        var peakBefore = process.PeakWorkingSet64;
        var clock = Stopwatch.StartNew();
        var run = await stack.RunAsync(config.Id);
        clock.Stop();
        Settle();
        process.Refresh();
        var growth = process.PeakWorkingSet64 - Math.Max(before, peakBefore);
        var figures = $"200 MiB forward: {clock.Elapsed.TotalSeconds:F1} s, peak working set {process.PeakWorkingSet64 / 1048576.0:F1} MiB, growth {growth / 1048576.0:F1} MiB (working set before {before / 1048576.0:F1} MiB)";
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "dbxsync-synctests-figures.txt"), figures + Environment.NewLine);

        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(1, run.Files);
        Assert.Equal(BigFile, run.Bytes);
        var blob = await stack.Blobs.GetPropertiesAsync(BlobContainers.Volumes, $"{config.Id}/data/big.bin");
        Assert.Equal(BigFile, blob!.Length);
        await using (var read = await stack.Blobs.OpenReadAsync(BlobContainers.Volumes, $"{config.Id}/data/big.bin"))
            Assert.Equal(expectedHash, Convert.ToHexStringLower(await SHA256.HashDataAsync(read)));
        Assert.True(growth < 64L * 1024 * 1024, figures);
        await stack.Blobs.DeleteAsync(BlobContainers.Volumes, $"{config.Id}/data/big.bin");
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>Linux: "5" to clear_refs resets the peak resident set (VmHWM) to the current one, so earlier tests do not hide growth.</summary>
    private static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task A_timer_tick_exports_due_tables_and_its_scan_imports_labeled_files_whose_event_was_lost()
    {
        var queue = new CollectingRunQueue();
        await using var stack = await SyncStack.CreateAsync(services => services.AddSingleton<IRunQueue>(queue));
        // Leftovers of other tests must not run in this tick.
        foreach (var other in await stack.ConfigService.ListAsync())
            if (other.IsActive) await stack.ConfigService.SetStatusAsync(other.Id, SyncConfigStatus.Paused, null);

        var table = await stack.CreateItemsTableAsync(80, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        var tick = await stack.Scheduler.TickAsync();
        Assert.Equal(1, tick.Due);
        Assert.Equal(1, tick.Enqueued);
        Assert.Equal(RunOutcome.Succeeded, Assert.Single(await queue.DrainAsync(stack.Runner)).Outcome);
        var name = Assert.Single(await ExportFiles.CsvNamesAsync(stack, export.Id));
        var file = await ExportFiles.ReadAsync(stack, name);
        Assert.Equal(80, file.Rows.Count);

        // The labeled file arrives but its blob event is lost: the next tick's scan of labeled/ imports it.
        var import = await stack.CreateImportConfigAsync(table, useStaging: true);
        await stack.UploadAsync(BlobContainers.Labeled, $"{import.Id}/labels.csv", ExportFiles.Label(file));
        var second = await stack.Scheduler.TickAsync();
        Assert.Equal(1, second.Due);
        Assert.Equal(1, second.Enqueued);
        Assert.Equal(RunOutcome.Succeeded, Assert.Single(await queue.DrainAsync(stack.Runner)).Outcome);
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Processed, $"{import.Id}/labels.csv"));
        Assert.All(await stack.LabelsAsync(table), kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));
    }
}
