using DbxSync.Core.Configs;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DbxSync.Syncs.Tests;

/// <summary>Issue 13, "config changes during a run": state is reset under the config's lease, for path, pk and label.</summary>
public sealed class ConfigChangeDuringRunTests
{
    private static async Task<ExportedFile> NewestExportAsync(SyncStack stack, string configId, IReadOnlyCollection<string> before)
        => await ExportFiles.ReadAsync(stack, (await ExportFiles.CsvNamesAsync(stack, configId)).Except(before).Single());

    [Fact]
    public async Task A_path_changed_while_a_first_snapshot_runs_gets_its_own_snapshot_next()
    {
        await using var stack = await SyncStack.CreateAsync(GatedBlobStore.Register);
        var gate = stack.Services.GetRequiredService<GatedBlobStore>();
        var tableA = await stack.CreateItemsTableAsync(0, changeDataFeed: true);
        for (var i = 0; i < 6; i++) await stack.InsertItemsAsync(tableA, i * 5 + 1, 5);
        var tableB = await stack.CreateItemsTableAsync(0, changeDataFeed: true);
        await stack.InsertItemsAsync(tableB, 501, 4);
        var export = await stack.CreateTableConfigAsync(tableA);

        // The first snapshot of A has read its rows and waits before writing its file; meanwhile the path moves to B.
        var reached = gate.CloseBefore(BlobContainers.Exports);
        var running = stack.RunAsync(export.Id);
        await reached.WaitAsync(TimeSpan.FromSeconds(60));
        await stack.ConfigService.PatchAsync(export.Id, new SyncConfigInput { DatabricksPath = tableB }, null);
        gate.Open();
        var first = await running;
        Assert.True(first.Outcome == RunOutcome.Succeeded, first.Error);
        Assert.Equal(30, first.Rows);

        var before = await ExportFiles.CsvNamesAsync(stack, export.Id);
        var second = await stack.RunAsync(export.Id);
        Assert.True(second.Outcome == RunOutcome.Succeeded, second.Error ?? second.Message);
        var file = await NewestExportAsync(stack, export.Id, before);
        Assert.Equal("snapshot", file.Manifest.GetProperty("method").GetString());
        Assert.Equal(tableB, file.Manifest.GetProperty("table").GetString());
        Assert.Equal([501L, 502, 503, 504], file.Ids);
        Assert.True(stack.Logs.Contains("changed (now " + tableB, LogLevel.Warning));
        Assert.Equal(await stack.VersionAsync(tableB), (await stack.Services.GetRequiredService<SyncStateRepository>().GetCheckpointAsync(export.Id)).Version);
    }

    [Fact]
    public async Task Changing_the_label_column_resets_the_state_and_exports_the_rows_unlabeled_in_it()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(10, changeDataFeed: true);
        await stack.SqlAsync($"ALTER TABLE {table} ADD COLUMN review STRING");
        await stack.SqlAsync($"UPDATE {table} SET review = 'ok' WHERE id <= 3");
        await stack.SqlAsync($"UPDATE {table} SET label = 'x' WHERE id >= 8");
        var export = await stack.CreateTableConfigAsync(table);
        var first = await stack.RunAsync(export.Id);
        Assert.Equal(7, first.Rows);

        await stack.ConfigService.PatchAsync(export.Id, new SyncConfigInput { LabelColumn = "review" }, null);
        var before = await ExportFiles.CsvNamesAsync(stack, export.Id);
        var second = await stack.RunAsync(export.Id);
        Assert.True(second.Outcome == RunOutcome.Succeeded, second.Error ?? second.Message);
        var file = await NewestExportAsync(stack, export.Id, before);
        Assert.Equal("snapshot", file.Manifest.GetProperty("method").GetString());
        Assert.Equal("review", file.Manifest.GetProperty("label_column").GetString());
        Assert.Contains("_g1_v0-v", file.Name);
        Assert.Equal([4L, 5, 6, 7, 8, 9, 10], file.Ids);
    }
}
