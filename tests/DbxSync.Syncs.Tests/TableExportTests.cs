using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DbxSync.Syncs.Tests;

/// <summary>table export without a change feed, after history is vacuumed, and over versions that change no data.</summary>
public sealed class TableExportTests
{
    [Fact]
    public async Task Without_change_data_feed_the_version_difference_exports_exactly_the_new_and_changed_unlabeled_rows()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(200, changeDataFeed: false);
        var export = await stack.CreateTableConfigAsync(table);

        var first = await stack.RunAsync(export.Id);
        Assert.Equal(RunOutcome.Succeeded, first.Outcome);
        Assert.Equal(200, first.Rows);
        var checkpoint = await stack.VersionAsync(table);

        // New rows, edited unlabeled rows, rows labeled in the workspace, deleted rows, and an edit that labels.
        await stack.InsertItemsAsync(table, 201, 30);
        await stack.SqlAsync($"UPDATE {table} SET text = 'edited' WHERE id BETWEEN 1 AND 10");
        await stack.SqlAsync($"UPDATE {table} SET label = 'by-hand' WHERE id BETWEEN 11 AND 20");
        await stack.SqlAsync($"DELETE FROM {table} WHERE id BETWEEN 21 AND 25");
        await stack.SqlAsync($"UPDATE {table} SET text = 'edited and labeled', label = 'x' WHERE id BETWEEN 26 AND 28");
        var current = await stack.VersionAsync(table);

        var run = await stack.RunAsync(export.Id);
        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        var name = (await ExportFiles.CsvNamesAsync(stack, export.Id)).Single(n => n.EndsWith($"_v{checkpoint + 1}-v{current}_part000001.csv", StringComparison.Ordinal));
        var file = await ExportFiles.ReadAsync(stack, name);
        Assert.Equal("version_difference", file.Manifest.GetProperty("method").GetString());
        var expected = Enumerable.Range(1, 10).Concat(Enumerable.Range(201, 30)).Select(i => (long)i).ToList();
        Assert.Equal(expected, file.Ids.Order());
        Assert.All(file.Rows.Where(r => long.Parse(r[0]) <= 10), r => Assert.Equal("edited", r[file.Column("text")]));
        Assert.Equal(40, run.Rows);

        // History vacuumed past the checkpoint: the version difference cannot be computed -> snapshot, logged.
        var checkpoint2 = current;
        await stack.InsertItemsAsync(table, 231, 5);
        var current2 = await stack.VersionAsync(table);
        ((DbxSync.Emulator.Sql.SqliteDeltaEngine)stack.Handle.Engine).VacuumHistoryBefore(table, current2);
        var afterVacuum = await stack.RunAsync(export.Id);
        Assert.True(afterVacuum.Outcome == RunOutcome.Succeeded, afterVacuum.Error);
        var snapshotName = (await ExportFiles.CsvNamesAsync(stack, export.Id)).Single(n => n.EndsWith($"_v{checkpoint2 + 1}-v{current2}_part000001.csv", StringComparison.Ordinal));
        var snapshot = await ExportFiles.ReadAsync(stack, snapshotName);
        Assert.Equal("snapshot", snapshot.Manifest.GetProperty("method").GetString());
        var unlabeledNow = (await stack.LabelsAsync(table)).Where(kv => kv.Value is null).Select(kv => kv.Key).ToList();
        Assert.Equal(unlabeledNow, snapshot.Ids.Order());
        Assert.True(stack.Logs.Contains("is no longer retained", LogLevel.Warning), "the snapshot fallback is logged as a warning");
        Assert.Equal(current2, (await stack.Services.GetRequiredService<SyncStateRepository>().GetCheckpointAsync(export.Id)).Version);
    }

    [Fact]
    public async Task Optimize_only_versions_write_no_file_advance_the_checkpoint_and_send_only_metadata_statements()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(50, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        Assert.Equal(50, (await stack.RunAsync(export.Id)).Rows);
        var files = await ExportFiles.CsvNamesAsync(stack, export.Id);

        await stack.SqlAsync($"OPTIMIZE {table}");
        await stack.SqlAsync($"OPTIMIZE {table}");
        var current = await stack.VersionAsync(table);
        var history = await stack.HistoryAsync(table);
        Assert.Equal(["OPTIMIZE", "OPTIMIZE"], history.OrderByDescending(h => h.Version).Take(2).Select(h => h.Operation));

        var quoted = DbxSync.Core.Sql.TableName.Parse(table).Quoted;
        var stats = stack.Handle.Stats;
        // One metadata statement: the recent history tells the version, that the table is the one exported (the
        // checkpoint's version still has its commit timestamp) and that the new versions change no data.
        int Metadata() => stats.StatementsContaining("DESCRIBE HISTORY " + quoted) + stats.StatementsContaining("DESCRIBE DETAIL " + quoted);
        var allBefore = stats.StatementsContaining(quoted);
        var describeBefore = Metadata();

        var run = await stack.RunAsync(export.Id);
        Assert.Equal(RunOutcome.NoChange, run.Outcome);
        Assert.Equal(current, run.ToVersion);
        Assert.Equal(files, await ExportFiles.CsvNamesAsync(stack, export.Id));
        Assert.Equal(current, (await stack.Services.GetRequiredService<SyncStateRepository>().GetCheckpointAsync(export.Id)).Version);

        var all = stats.StatementsContaining(quoted) - allBefore;
        var describe = Metadata() - describeBefore;
        Assert.Equal(1, describe);
        Assert.Equal(describe, all);

        // And the next probe is one DESCRIBE HISTORY (the checkpoint keeps its commit timestamp), nothing else.
        var probe = await stack.RunAsync(export.Id);
        Assert.Equal(RunOutcome.NoChange, probe.Outcome);
        Assert.Equal(describe + 1, stats.StatementsContaining(quoted) - allBefore);
    }

    [Fact]
    public async Task A_small_incremental_export_sends_four_statements_and_asks_no_table_id_of_the_table_it_exported_last()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = await stack.CreateItemsTableAsync(20, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        Assert.Equal(20, (await stack.RunAsync(export.Id)).Rows);
        await stack.InsertItemsAsync(table, 21, 5);
        await stack.SqlAsync($"UPDATE {table} SET text = 'edited' WHERE id = 3");

        var quoted = DbxSync.Core.Sql.TableName.Parse(table).Quoted;
        var stats = stack.Handle.Stats;
        var (allBefore, detailBefore) = (stats.StatementsContaining(quoted), stats.StatementsContaining("DESCRIBE DETAIL " + quoted));
        var run = await stack.RunAsync(export.Id);

        Assert.Equal((RunOutcome.Succeeded, 6L), (run.Outcome, run.Rows));
        // The recent history (version, same table, no-data check), the schema at both ends read together, the change feed.
        Assert.Equal(4, stats.StatementsContaining(quoted) - allBefore);
        Assert.Equal(detailBefore, stats.StatementsContaining("DESCRIBE DETAIL " + quoted));
    }
}
