using DbxSync.Core.Runs;
using DbxSync.Syncs.Tests.Infrastructure;

namespace DbxSync.Syncs.Tests;

public sealed class RunLockTests
{
    [Fact]
    public async Task A_run_is_skipped_while_another_holds_the_config_lock_and_runs_once_it_is_released()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(20, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);

        var lease = await stack.Locks.TryAcquireAsync("sync-" + export.Id);
        Assert.NotNull(lease);
        await using (lease)
        {
            var skipped = await stack.RunAsync(export.Id);
            Assert.Equal(RunOutcome.Skipped, skipped.Outcome);
            var timer = await stack.RunAsync(export.Id, RunTrigger.Timer);
            Assert.Equal(RunOutcome.Skipped, timer.Outcome);
            Assert.Empty(await ExportFiles.CsvNamesAsync(stack, export.Id));
            Assert.Null(await stack.RunRepository.GetAsync(export.Id, skipped.RunId));
        }

        var run = await stack.RunAsync(export.Id);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(20, run.Rows);
    }
}
