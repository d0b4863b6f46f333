using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;
using DbxSync.Core.Syncs.LabeledImport;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests;

/// <summary>
/// Issue 23: a labeled file above DbxSync:Imports:MaxRowsWithoutStaging, for a config without a staging volume, is not
/// failed and not moved. The config reports a permanent configuration error (its error state, backoff) until a staging
/// volume is set; then the file that waited is imported, once.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ImportRowCapTests
{
    private const int Cap = 20;

    [Fact]
    public async Task A_file_above_the_row_cap_waits_in_labeled_as_a_config_error_and_is_imported_once_a_staging_volume_is_set()
    {
        var queue = new CollectingRunQueue();
        await using var stack = await SyncStack.CreateAsync(s =>
        {
            s.AddSingleton(new LabeledImportOptions { MaxRowsWithoutStaging = Cap });
            s.AddSingleton<IRunQueue>(queue);
        });
        var schedules = stack.Services.GetRequiredService<DueScheduleRepository>();
        var table = await stack.CreateItemsTableAsync(30, changeDataFeed: true);
        var import = await stack.CreateImportConfigAsync(table, useStaging: false);
        var before = await stack.SnapshotAsync(table);
        var version = await stack.VersionAsync(table);
        var name = $"{import.Id}/big.csv";
        await stack.UploadAsync(BlobContainers.Labeled, name, ExportFiles.LabelIds(Enumerable.Range(1, 30).Select(i => (long)i)));

        var refused = (await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, name))!;
        Assert.Equal((RunOutcome.Failed, FailureClass.Permanent, false), (refused.Outcome, refused.FailureClass, refused.Retryable));
        Assert.Contains("30 labeled rows, more than the 20 allowed without a staging volume", refused.Error);
        Assert.Contains("staging_volume_path", refused.Error);
        // Not the file's fault: it is neither failed nor moved, and the table is untouched.
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Labeled, name));
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Failed, name));
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Processed, name));
        Assert.Equal(before, await stack.SnapshotAsync(table));
        Assert.Equal(version, await stack.VersionAsync(table));
        // Visible where the API and the console read it: the run record and the config's error state.
        Assert.Equal(refused.Error, (await stack.RunRepository.GetAsync(import.Id, refused.RunId))!.Error);
        var failing = await schedules.GetAsync(import.Id);
        Assert.True(failing.InErrorState);
        Assert.Equal(DueReason.Backoff, failing.Reason);
        Assert.Contains("staging volume", failing.Error);
        Assert.True(failing.NextDueAt > DateTimeOffset.UtcNow);

        // While it backs off, the timer does not queue it.
        await stack.Scheduler.TickAsync();
        Assert.DoesNotContain(queue.Runs, r => r.ConfigId == import.Id);

        // The fix: a staging volume. The changed config is due at once and its run imports the file that waited.
        var volume = await stack.CreateVolumeAsync("staging");
        await stack.ConfigService.PatchAsync(import.Id, new SyncConfigInput { UseStaging = true, StagingVolumePath = volume }, null);
        Assert.True((await schedules.GetAsync(import.Id)).NextDueAt <= DateTimeOffset.UtcNow);
        await stack.Scheduler.TickAsync();
        var queued = Assert.Single(queue.Runs.Where(r => r.ConfigId == import.Id));
        queue.Runs.Clear();
        var imported = await stack.Runner.RunAsync(new RunRequest(queued.ConfigId, queued.Trigger, RunId: queued.RunId));

        Assert.True(imported.Outcome == RunOutcome.Succeeded, imported.Error);
        Assert.Equal(30, imported.UpdatedRows);
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Labeled, name));
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Processed, name));
        Assert.All(await stack.LabelsAsync(table), kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));
        Assert.False((await schedules.GetAsync(import.Id)).InErrorState);

        // Exactly once: the file's event delivered again and the next scan find nothing to do.
        Assert.Equal(RunOutcome.NoChange, (await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, name))!.Outcome);
        Assert.Equal(RunOutcome.NoChange, (await stack.RunAsync(import.Id, RunTrigger.Timer)).Outcome);
        Assert.Equal(1, (await stack.HistoryAsync(table)).Count(h => h.Operation == "MERGE"));
    }

    [Fact]
    public async Task A_file_at_the_cap_imports_without_a_staging_volume()
    {
        await using var stack = await SyncStack.CreateAsync(s => s.AddSingleton(new LabeledImportOptions { MaxRowsWithoutStaging = Cap }));
        var table = await stack.CreateItemsTableAsync(Cap, changeDataFeed: true);
        var import = await stack.CreateImportConfigAsync(table, useStaging: false);
        await stack.UploadAsync(BlobContainers.Labeled, $"{import.Id}/at-cap.csv", ExportFiles.LabelIds(Enumerable.Range(1, Cap).Select(i => (long)i)));

        var run = (await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, $"{import.Id}/at-cap.csv"))!;

        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(Cap, run.UpdatedRows);
    }
}
