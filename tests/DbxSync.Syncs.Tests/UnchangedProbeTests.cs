using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.State;
using DbxSync.Core.Configs;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DbxSync.Syncs.Tests;

/// <summary>
/// Issue 27: an unchanged table costs one warehouse statement (DESCRIBE HISTORY LIMIT 1), no lease and no run row;
/// the checkpoint's commit timestamp tells a recreated table; adaptive polling moves next_due_at.
/// </summary>
public sealed class UnchangedProbeTests
{
    [Fact]
    public async Task An_unchanged_timer_probe_sends_one_statement_takes_no_lease_and_records_no_run_but_when_it_checked()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(5, changeDataFeed: true);
        var config = await stack.CreateTableConfigAsync(table);
        Assert.Equal(RunOutcome.Succeeded, (await stack.RunAsync(config.Id)).Outcome);
        var files = await ExportFiles.CsvNamesAsync(stack, config.Id);
        var stats = stack.Handle.Stats;
        var quoted = TableName.Parse(table).Quoted;

        // Another holder keeps the config's lease: a run that needed it would be skipped.
        await using var held = await stack.Locks.TryAcquireAsync(SyncRunner.LockName(config.Id));
        Assert.NotNull(held);
        for (var probe = 1; probe <= 2; probe++)
        {
            var before = stats.StatementsContaining(quoted);
            var historyBefore = stats.StatementsContaining($"DESCRIBE HISTORY {quoted} LIMIT 1");
            var run = await stack.RunAsync(config.Id, RunTrigger.Timer);
            Assert.True(run.Outcome == RunOutcome.NoChange, $"probe {probe}: {run.Outcome} {run.Message} {run.Error}");
            Assert.Equal(1, stats.StatementsContaining(quoted) - before);
            Assert.Equal(1, stats.StatementsContaining($"DESCRIBE HISTORY {quoted} LIMIT 1") - historyBefore);
        }

        var (runs, _) = await stack.RunRepository.ListAsync(config.Id, 10, null);
        Assert.Equal([RunTrigger.Manual], runs.Select(r => r.Trigger));
        Assert.Equal(files, await ExportFiles.CsvNamesAsync(stack, config.Id));
        var schedule = await stack.Services.GetRequiredService<DueScheduleRepository>().GetAsync(config.Id);
        Assert.NotNull(schedule.LastCheckedAt);
        Assert.True(schedule.UnchangedSince <= schedule.LastCheckedAt, $"{schedule.UnchangedSince} / {schedule.LastCheckedAt}");
        Assert.True(schedule.NextDueAt > schedule.LastCheckedAt);
    }

    [Fact]
    public async Task A_table_recreated_at_the_same_version_number_is_told_by_its_commit_timestamp()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(5, changeDataFeed: true);
        var config = await stack.CreateTableConfigAsync(table);
        Assert.Equal(RunOutcome.Succeeded, (await stack.RunAsync(config.Id)).Outcome);
        var checkpoint = await stack.Services.GetRequiredService<SyncStateRepository>().GetCheckpointAsync(config.Id);
        Assert.Equal(1, checkpoint.Version);
        Assert.NotNull(checkpoint.CommitTimestamp);

        await stack.SqlAsync($"DROP TABLE {table}");
        await stack.SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, text STRING, score DOUBLE, label STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        await stack.InsertItemsAsync(table, 501, 3);
        Assert.Equal(1, await stack.VersionAsync(table));

        var quoted = TableName.Parse(table).Quoted;
        var detailBefore = stack.Handle.Stats.StatementsContaining($"DESCRIBE DETAIL {quoted}");
        var run = await stack.RunAsync(config.Id, RunTrigger.Timer);
        Assert.True(run.Outcome == RunOutcome.Succeeded, $"{run.Outcome} {run.Message} {run.Error}");
        Assert.Equal(3, run.Rows);
        Assert.True(stack.Handle.Stats.StatementsContaining($"DESCRIBE DETAIL {quoted}") > detailBefore, "the table id was checked");
        Assert.True(stack.Logs.Contains("dropped and recreated", LogLevel.Warning));
        var after = await stack.Services.GetRequiredService<SyncStateRepository>().GetCheckpointAsync(config.Id);
        Assert.NotEqual(checkpoint.TableId, after.TableId);
        Assert.NotEqual(checkpoint.CommitTimestamp, after.CommitTimestamp);
    }

    [Fact]
    public async Task Unchanged_probes_double_the_interval_up_to_the_configs_cap_and_a_change_resets_it()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(5, changeDataFeed: true);
        var config = await stack.CreateConfigAsync(new SyncConfigInput
        {
            ConfigType = "table", DatabricksPath = table, PkColumn = "id", LabelColumn = "label", PollIntervalSeconds = 10, MaxPollIntervalSeconds = 40,
        });
        var schedules = stack.Services.GetRequiredService<DueScheduleRepository>();
        Assert.Equal(RunOutcome.Succeeded, (await stack.RunAsync(config.Id, RunTrigger.Timer)).Outcome);
        Assert.Equal((10, DueReason.Due), await IntervalAsync());

        var expected = new[] { 20, 40, 40 };
        foreach (var seconds in expected)
        {
            var run = await stack.RunAsync(config.Id, RunTrigger.Timer);
            Assert.Equal(RunOutcome.NoChange, run.Outcome);
            Assert.Equal((seconds, DueReason.Adaptive), await IntervalAsync());
            var schedule = await schedules.GetAsync(config.Id);
            Assert.Equal(schedule.LastCheckedAt!.Value.AddSeconds(seconds), schedule.NextDueAt);
        }

        await stack.InsertItemsAsync(table, 100, 2);
        Assert.Equal(RunOutcome.Succeeded, (await stack.RunAsync(config.Id, RunTrigger.Timer)).Outcome);
        Assert.Equal((10, DueReason.Due), await IntervalAsync());
        await stack.ConfigService.SetStatusAsync(config.Id, SyncConfigStatus.Paused, null);

        async Task<(int?, DueReason)> IntervalAsync()
        {
            var s = await schedules.GetAsync(config.Id);
            return (s.IntervalSeconds, s.Reason);
        }
    }
}
