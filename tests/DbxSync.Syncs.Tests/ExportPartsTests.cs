using System.Globalization;
using System.Text.Json;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;
using DbxSync.Core.Syncs.TableExport;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DbxSync.Syncs.Tests;

/// <summary>Issue 23: exports in bounded parts, pinned at one version, continued by later runs (also past a hard limit mid-part), restarted when the pinned version is vacuumed; left-alone rows in parts too.</summary>
[Collection(SerialCollection.Name)]
public sealed class ExportPartsTests : SyncStackTest
{
    // Each keyset page (only they carry "ORDER BY `id` LIMIT") takes this long, and a run may take twice as long: after
    // its first part a run cannot expect a second one to end in time, so it stops there, whatever the machine's speed.
    private static readonly TimeSpan PageDelay = TimeSpan.FromSeconds(3);
    private const string PageStatement = "ORDER BY `id` LIMIT";

    [Fact]
    public async Task A_snapshot_is_written_in_parts_bounded_by_rows_and_bytes_and_the_final_manifest_counts_them()
    {
        var stack = await StackAsync(s => s.AddSingleton(new ExportPartOptions { PartRows = 40, PartBytes = 2_000 }));
        var table = await stack.CreateItemsTableAsync(130, changeDataFeed: true);
        await stack.SqlAsync($"UPDATE {table} SET label = 'done' WHERE id % 7 = 0");
        var export = await stack.CreateTableConfigAsync(table);

        var run = await stack.RunAsync(export.Id);
        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        var parts = await ReadPartsAsync(stack, export.Id);
        Assert.True(parts.Count >= 4, $"{parts.Count} parts");
        Assert.All(parts, p => Assert.True(p.Rows.Count <= 40));
        // A part ends after the row that reaches the byte bound, counted as cell text: quoting and the header come on top.
        Assert.All(parts, p => Assert.True(p.Bytes.Length < 2_000 * 1.3, $"{p.Name}: {p.Bytes.Length} bytes"));
        Assert.Contains(parts, p => p.Rows.Count < 40);
        var expected = Enumerable.Range(1, 130).Where(i => i % 7 != 0).Select(i => (long)i).ToList();
        AssertExactlyOnce(expected, parts);
        Assert.Equal(run.Rows, expected.Count);
        Assert.Equal(parts.Count, run.Files);

        var final = await FinalManifestAsync(stack, parts[0].Name);
        Assert.True(final.GetProperty("complete").GetBoolean());
        Assert.Equal(parts.Count, final.GetProperty("part_count").GetInt32());
        Assert.Equal(expected.Count, final.GetProperty("row_count").GetInt64());
        Assert.Equal(parts.Sum(p => (long)p.Bytes.Length), final.GetProperty("bytes").GetInt64());
        Assert.Equal(parts.Select(p => "exports/" + p.Name), final.GetProperty("parts").EnumerateArray().Select(e => e.GetString()));
        Assert.Null(await stack.Services.GetRequiredService<ExportProgressRepository>().GetAsync(export.Id));
    }

    [Fact]
    public async Task A_snapshot_stopped_by_the_run_limit_ends_partial_and_later_runs_continue_at_the_pinned_version()
    {
        var (queue, stack, table, pinned, export) = await SlowedSnapshotAsync();

        var first = await stack.RunAsync(export.Id);
        Assert.True(first.Outcome == RunOutcome.Partial, first.Error ?? first.Message);
        Assert.Equal(1, first.Files);
        Assert.Equal(25, first.Rows);
        Assert.Contains("continues with part 2", first.Message);
        Assert.Null(first.Error);
        Assert.Null((await stack.Services.GetRequiredService<SyncStateRepository>().GetCheckpointAsync(export.Id)).Version);
        // The lists show the export under way: partial, its counts, the pinned version probed and none exported yet.
        var summary = await stack.Services.GetRequiredService<LastRunSummaryStore>().GetAsync(export.Id);
        Assert.Equal((RunOutcome.Partial, 25L, (long?)pinned, (long?)null), (summary!.Outcome, summary.Rows, summary.ProbedVersion, summary.ExportedVersion));
        var schedule = await stack.Services.GetRequiredService<DueScheduleRepository>().GetAsync(export.Id);
        Assert.Equal(DueReason.Continuing, schedule.Reason);
        Assert.True(schedule.NextDueAt <= DateTimeOffset.UtcNow);

        // Rows changed and labeled meanwhile do not change what the pinned snapshot sends.
        await stack.SqlAsync($"UPDATE {table} SET label = 'late' WHERE id = 60");
        await stack.InsertItemsAsync(table, 71, 5);

        // Each partial run left the config due at once: the next tick queues it, and RunSync would run it.
        var runs = new List<SyncRun> { first };
        while (runs[^1].Outcome == RunOutcome.Partial)
        {
            Assert.True(runs.Count < 10, "the export never finished");
            runs.Add(await NextQueuedRunAsync(stack, queue, export.Id));
        }
        Assert.All(runs[..^1], r => Assert.Equal(RunOutcome.Partial, r.Outcome));
        Assert.True(runs[^1].Outcome == RunOutcome.Succeeded, runs[^1].Error);
        Assert.True(runs.Count >= 3, $"{runs.Count} runs");
        Assert.All(runs, r => Assert.Equal(pinned, r.ToVersion));

        var parts = await ReadPartsAsync(stack, export.Id);
        Assert.Equal(3, parts.Count);
        AssertExactlyOnce(Enumerable.Range(1, 70).Select(i => (long)i).ToList(), parts);
        Assert.Equal(70, runs.Sum(r => r.Rows));
        var final = await FinalManifestAsync(stack, parts[0].Name);
        Assert.Equal(70, final.GetProperty("row_count").GetInt64());
        Assert.Equal(pinned, (await stack.Services.GetRequiredService<SyncStateRepository>().GetCheckpointAsync(export.Id)).Version);
    }

    [Fact]
    public async Task A_pinned_version_vacuumed_between_runs_restarts_the_export_in_a_new_generation_and_deletes_the_abandoned_parts()
    {
        var queue = new CollectingRunQueue();
        var stack = await LimitedStackAsync(queue, partRows: 20);
        var table = await stack.CreateItemsTableAsync(50, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        stack.Handle.Faults.SlowStatementMatch = PageStatement;
        stack.Handle.Faults.StatementDelay = PageDelay;
        var first = await stack.RunAsync(export.Id);
        Assert.True(first.Outcome == RunOutcome.Partial, first.Error ?? first.Message);
        var abandoned = Assert.Single(await ExportFiles.CsvNamesAsync(stack, export.Id));
        Assert.Contains("_g0_", abandoned);
        stack.Handle.Faults.Reset();

        await stack.SqlAsync($"UPDATE {table} SET label = 'late' WHERE id <= 5");
        await stack.InsertItemsAsync(table, 51, 10);
        var current = await stack.VersionAsync(table);
        ((DbxSync.Emulator.Sql.SqliteDeltaEngine)stack.Handle.Engine).VacuumHistoryBefore(table, current);

        var restarted = await stack.RunAsync(export.Id);
        Assert.True(restarted.Outcome == RunOutcome.Succeeded, restarted.Error);
        Assert.Equal(current, restarted.ToVersion);
        Assert.True(stack.Logs.Contains("was vacuumed", LogLevel.Warning), "the restart is logged");
        var names = await ExportFiles.CsvNamesAsync(stack, export.Id);
        Assert.DoesNotContain(abandoned, names);
        Assert.Empty((await stack.ListAsync(BlobContainers.Exports, export.Id + "/")).Where(b => b.Name.Contains("_g0_", StringComparison.Ordinal)));
        var parts = await ReadPartsAsync(stack, export.Id);
        Assert.All(parts, p => Assert.Contains($"_g1_v0-v{current}_part", p.Name));
        AssertExactlyOnce(Enumerable.Range(6, 55).Select(i => (long)i).ToList(), parts);
        Assert.Equal(55, (await FinalManifestAsync(stack, parts[0].Name)).GetProperty("row_count").GetInt64());
    }

    [Fact]
    public async Task A_run_cut_off_by_its_hard_limit_in_the_middle_of_a_part_is_transient_not_requeued_and_the_part_is_redone_once_at_the_pinned_version()
    {
        var (queue, stack, table, pinned, export) = await SlowedSnapshotAsync();
        var first = await stack.RunAsync(export.Id);
        Assert.True(first.Outcome == RunOutcome.Partial, first.Error ?? first.Message);
        var partOne = Assert.Single(await ExportFiles.CsvNamesAsync(stack, export.Id));

        // The next run starts part 2 (a run always starts one part), whose page does not come back before the limit.
        stack.Handle.Faults.StatementDelay = TimeSpan.FromMinutes(5);
        var cut = await NextQueuedRunAsync(stack, queue, export.Id);
        Assert.Equal((RunOutcome.Failed, FailureClass.Transient), (cut.Outcome, cut.FailureClass));
        Assert.Contains("time limit", cut.Error);
        // Not thrown back to the queue (each delivery would meet the same limit, then poison), and no error episode:
        // the config is due again at once to redo the part.
        Assert.False(cut.Retryable, "a run cut off by its time limit must not go back to the queue");
        var schedule = await stack.Services.GetRequiredService<DueScheduleRepository>().GetAsync(export.Id);
        Assert.False(schedule.InErrorState);
        Assert.Equal(DueReason.Continuing, schedule.Reason);
        Assert.True(schedule.NextDueAt <= DateTimeOffset.UtcNow);
        Assert.Equal([partOne], await ExportFiles.CsvNamesAsync(stack, export.Id));
        stack.Handle.Faults.Reset();
        await stack.InsertItemsAsync(table, 71, 5);

        var runs = new List<SyncRun>();
        do
        {
            Assert.True(runs.Count < 10, "the export never finished");
            var next = await NextQueuedRunAsync(stack, queue, export.Id);
            // The cut run lets go of its lease once its cancelled statement has returned: a run that meets the lease
            // still held is skipped, as in production, and the next one goes on.
            for (var wait = 0; next.Outcome == RunOutcome.Skipped && wait < 40; wait++)
            {
                await Task.Delay(500);
                next = await stack.Runner.RunAsync(new RunRequest(export.Id, RunTrigger.Timer));
            }
            runs.Add(next);
        }
        while (runs[^1].Outcome == RunOutcome.Partial);
        Assert.True(runs[^1].Outcome == RunOutcome.Succeeded, $"{runs[^1].Outcome}: {runs[^1].Error ?? runs[^1].Message}");
        Assert.All(runs, r => Assert.Equal(pinned, r.ToVersion));
        var parts = await ReadPartsAsync(stack, export.Id);
        Assert.Equal(3, parts.Count);
        AssertExactlyOnce(Enumerable.Range(1, 70).Select(i => (long)i).ToList(), parts);
        Assert.Equal(70, (await FinalManifestAsync(stack, parts[0].Name)).GetProperty("row_count").GetInt64());
    }

    [Fact]
    public async Task Rows_left_alone_go_out_again_in_bounded_parts_over_runs_stopped_by_the_limit_each_row_once()
    {
        var queue = new CollectingRunQueue();
        var stack = await LimitedStackAsync(queue, partRows: 10);
        var table = await stack.CreateItemsTableAsync(30, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        var snapshot = await stack.RunAsync(export.Id);
        Assert.True(snapshot.Outcome == RunOutcome.Succeeded, snapshot.Error);
        var snapshotParts = await ExportFiles.CsvNamesAsync(stack, export.Id);

        // An import left 25 rows alone (still unlabeled, unchanged since): they go out again. Each keyed read (only
        // they bind :k0) is slowed like a page, so a run stops after its first part.
        var leftAlone = Enumerable.Range(3, 25).Select(i => (long)i).ToList();
        var keys = new LeftAloneRows(stack.Blobs).Begin(DbxSync.Core.Sql.TableName.Parse(table), "labeled/test.csv", "etag-1", DateTimeOffset.UtcNow);
        foreach (var id in leftAlone) await keys.AddAsync(id.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        await keys.CompleteAsync(CancellationToken.None);
        stack.Handle.Faults.SlowStatementMatch = "IN (:k0";
        stack.Handle.Faults.StatementDelay = PageDelay;

        var runs = new List<SyncRun> { await stack.RunAsync(export.Id) };
        Assert.True(runs[0].Outcome == RunOutcome.Partial, runs[0].Error ?? runs[0].Message);
        Assert.Equal((1L, 10L), (runs[0].Files, runs[0].Rows));
        Assert.Contains("the next run continues", runs[0].Message);
        Assert.Equal(DueReason.Continuing, (await stack.Services.GetRequiredService<DueScheduleRepository>().GetAsync(export.Id)).Reason);
        while (runs[^1].Outcome == RunOutcome.Partial)
        {
            Assert.True(runs.Count < 10, "the re-export never finished");
            runs.Add(await NextQueuedRunAsync(stack, queue, export.Id));
        }
        Assert.True(runs[^1].Outcome == RunOutcome.Succeeded, runs[^1].Error);
        Assert.True(runs.Count >= 3, $"{runs.Count} runs");

        var names = (await ExportFiles.CsvNamesAsync(stack, export.Id)).Except(snapshotParts).Order().ToList();
        Assert.All(names, n => Assert.Contains("_left_alone_", n));
        Assert.Equal(["_part000001.csv", "_part000002.csv", "_part000003.csv"], names.Select(n => n[^15..]));
        var files = new List<ExportedFile>();
        foreach (var name in names) files.Add(await ExportFiles.ReadAsync(stack, name));
        Assert.All(files, f => Assert.True(f.Rows.Count <= 10));
        Assert.Equal(leftAlone, files.SelectMany(f => f.Ids).Order());
        Assert.Equal(25, runs.Sum(r => r.Rows));
        Assert.Empty(await stack.ListAsync(BlobContainers.Exports, LeftAloneRows.Prefix(DbxSync.Core.Sql.TableName.Parse(table))));
    }

    /// <summary>Parts of <paramref name="partRows"/> rows, a run limit of two slowed pages, and ticks that queue into <paramref name="queue"/>.</summary>
    [Fact]
    public async Task A_part_cut_off_by_the_time_limit_in_three_runs_in_a_row_puts_the_export_into_its_error_state_and_is_continued_later()
    {
        var (queue, stack, _, pinned, export) = await SlowedSnapshotAsync();
        var first = await stack.RunAsync(export.Id);
        Assert.True(first.Outcome == RunOutcome.Partial, first.Error ?? first.Message);

        // Part 2's page never comes back within the limit: three runs in a row are cut off, each due again at once.
        stack.Handle.Faults.StatementDelay = TimeSpan.FromMinutes(5);
        for (var i = 0; i < DbxSync.Core.Syncs.TableExport.ExportPartWriter.MaxPartCutOffs; i++)
        {
            var cut = await UnlessSkippedAsync(stack, await NextQueuedRunAsync(stack, queue, export.Id));
            Assert.True(cut is { Outcome: RunOutcome.Failed, StoppedAtTimeLimit: true }, $"run {i + 2}: {cut.Outcome} {cut.Error}");
        }

        // The next one does not bill another scan: the config enters its error state (backoff, one alert) and says why.
        var statements = stack.Handle.Stats.StatementsContaining(PageStatement);
        var refused = await UnlessSkippedAsync(stack, await NextQueuedRunAsync(stack, queue, export.Id));
        Assert.Equal((RunOutcome.Failed, FailureClass.Permanent), (refused.Outcome, refused.FailureClass));
        Assert.Contains("does not fit in one run", refused.Error);
        Assert.Equal(statements, stack.Handle.Stats.StatementsContaining(PageStatement));
        var schedule = await stack.Services.GetRequiredService<DueScheduleRepository>().GetAsync(export.Id);
        Assert.True(schedule is { InErrorState: true, Reason: DueReason.Backoff }, $"{schedule.Reason} {schedule.Error}");

        // Once the part fits again (here: the page is fast), the export goes on from part 2 at the same version, each row once.
        stack.Handle.Faults.Reset();
        var runs = new List<SyncRun>();
        do
        {
            Assert.True(runs.Count < 10, "the export never finished");
            runs.Add(await UnlessSkippedAsync(stack, await stack.RunAsync(export.Id)));
        }
        while (runs[^1].Outcome == RunOutcome.Partial);
        Assert.True(runs[^1].Outcome == RunOutcome.Succeeded, $"{runs[^1].Outcome}: {runs[^1].Error ?? runs[^1].Message}");
        Assert.All(runs, r => Assert.Equal(pinned, r.ToVersion));
        AssertExactlyOnce(Enumerable.Range(1, 70).Select(i => (long)i).ToList(), await ReadPartsAsync(stack, export.Id));
        Assert.False((await stack.Services.GetRequiredService<DueScheduleRepository>().GetAsync(export.Id)).InErrorState);
    }

    /// <summary>
    /// A cut run lets go of its lease once its cancelled statement has returned: a run that meets the lease still held
    /// is skipped, as in production, and is run again.
    /// </summary>
    private static async Task<SyncRun> UnlessSkippedAsync(SyncStack stack, SyncRun run)
    {
        for (var wait = 0; run.Outcome == RunOutcome.Skipped && wait < 40; wait++)
        {
            await Task.Delay(500);
            run = await stack.Runner.RunAsync(new RunRequest(run.ConfigId, run.Trigger));
        }
        return run;
    }

    private Task<SyncStack> LimitedStackAsync(CollectingRunQueue queue, int partRows) => StackAsync(s =>
    {
        s.AddSingleton(new ExportPartOptions { PartRows = partRows });
        s.AddSingleton(new SyncRunnerOptions { RetryDelay = TimeSpan.FromMilliseconds(200), MaxRunDuration = PageDelay * 2 });
        s.AddSingleton<DbxSync.Core.Ports.IRunQueue>(queue);
    });

    /// <summary>One timer tick; the run it queued for the config, run as RunSync runs it (other tests' configs are left alone).</summary>
    /// <summary>A 70-row table in 25-row parts whose page statements are slowed so that a run stops after one part.</summary>
    private async Task<(CollectingRunQueue Queue, SyncStack Stack, string Table, long Pinned, DbxSync.Core.Configs.SyncConfig Export)> SlowedSnapshotAsync()
    {
        var queue = new CollectingRunQueue();
        var stack = await LimitedStackAsync(queue, partRows: 25);
        var table = await stack.CreateItemsTableAsync(70, changeDataFeed: true);
        var pinned = await stack.VersionAsync(table);
        var export = await stack.CreateTableConfigAsync(table);
        stack.Handle.Faults.SlowStatementMatch = PageStatement;
        stack.Handle.Faults.StatementDelay = PageDelay;
        return (queue, stack, table, pinned, export);
    }

    private static async Task<SyncRun> NextQueuedRunAsync(SyncStack stack, CollectingRunQueue queue, string configId)
    {
        await stack.Scheduler.TickAsync();
        var queued = Assert.Single(queue.Runs.Where(r => r.ConfigId == configId));
        queue.Runs.Clear();
        return await stack.Runner.RunAsync(new RunRequest(queued.ConfigId, queued.Trigger, RunId: queued.RunId));
    }

    private static void AssertExactlyOnce(List<long> expected, List<ExportedFile> parts)
    {
        var all = parts.SelectMany(p => p.Ids).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(expected.Order(), all.Order());
        // Parts are in key order: each part's keys come after the previous part's.
        for (var i = 1; i < parts.Count; i++) Assert.True(parts[i].Ids.Min() > parts[i - 1].Ids.Max());
    }

    private static async Task<List<ExportedFile>> ReadPartsAsync(SyncStack stack, string configId)
    {
        var files = new List<ExportedFile>();
        foreach (var name in await ExportFiles.CsvNamesAsync(stack, configId)) files.Add(await ExportFiles.ReadAsync(stack, name));
        for (var i = 0; i < files.Count; i++)
            Assert.Equal(i + 1, files[i].Manifest.GetProperty("part").GetInt32());
        return files;
    }

    private static async Task<JsonElement> FinalManifestAsync(SyncStack stack, string partName)
    {
        var name = partName[..partName.LastIndexOf("_part", StringComparison.Ordinal)] + ".manifest.json";
        return JsonDocument.Parse(await stack.ReadBlobAsync(BlobContainers.Exports, name)).RootElement.Clone();
    }
}
