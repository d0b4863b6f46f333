using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;
using DbxSync.Core.Syncs.LabeledImport;
using DbxSync.Emulator.Faults;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DbxSync.Syncs.Tests;

/// <summary>
/// The three failure classes on the emulator and Azurite: transient faults retry, permanent ones put the config into
/// its error state (one alert on sync-runs-poison per episode, growing backoff, recovery by itself), and only data
/// errors fail a labeled file. Staging tables never turn an infrastructure fault into a failed file.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class FailureClassTests : SyncStackTest
{
    [Fact]
    public async Task A_dropped_table_is_permanent_one_poison_alert_across_ticks_growing_backoff_and_recovery_once_recreated()
    {
        var stack = await StackAsync(maxStatementBytes: 2048);
        var table = await stack.CreateItemsTableAsync(20, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        Assert.Equal(RunOutcome.Succeeded, (await stack.RunAsync(export.Id, RunTrigger.Timer)).Outcome);

        await stack.SqlAsync($"DROP TABLE {table}");
        var nextDue = new List<DateTimeOffset>();
        for (var tick = 0; tick < 4; tick++)
        {
            var run = await stack.RunAsync(export.Id, RunTrigger.Timer);
            Assert.Equal(RunOutcome.Failed, run.Outcome);
            Assert.Equal(FailureClass.Permanent, run.FailureClass);
            Assert.False(run.Retryable, "a permanent failure must not be thrown back to the queue");
            Assert.Contains("TABLE_OR_VIEW_NOT_FOUND", run.Error);
            var recorded = await stack.RunRepository.GetAsync(export.Id, run.RunId);
            Assert.Equal(FailureClass.Permanent, recorded!.FailureClass);
            var schedule = await stack.ScheduleAsync(export.Id);
            Assert.Equal((true, tick + 1, DueReason.Backoff), (schedule.InErrorState, schedule.ConsecutiveFailures, schedule.Reason));
            nextDue.Add(schedule.NextDueAt!.Value);
        }
        Assert.True(nextDue[3] - nextDue[2] > TimeSpan.FromSeconds(60), "each probe waits longer than the last");
        var alert = Assert.Single(await stack.PoisonAlertsAsync(export.Id));
        Assert.Equal("config_error_state", alert.GetProperty("kind").GetString());
        Assert.Contains("TABLE_OR_VIEW_NOT_FOUND", alert.GetProperty("error").GetString());

        // The table is back: the next probe succeeds and the error state is gone, with no further alert.
        await stack.SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, text STRING, score DOUBLE, label STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        await stack.InsertItemsAsync(table, 1, 5);
        var recovered = await stack.RunAsync(export.Id, RunTrigger.Timer);
        Assert.True(recovered.Outcome == RunOutcome.Succeeded, recovered.Error);
        var after = await stack.ScheduleAsync(export.Id);
        Assert.False(after.InErrorState);
        Assert.Equal(DueReason.Due, after.Reason);
        Assert.Single(await stack.PoisonAlertsAsync(export.Id));
    }

    [Fact]
    public async Task A_transient_outage_outlasting_every_redelivery_opens_one_error_episode_with_one_alert_not_a_poison_message_per_interval()
    {
        const int Deliveries = 3;
        var stack = await StackAsync(maxStatementBytes: 2048);
        var table = await stack.CreateItemsTableAsync(5, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        // Every statement on the table fails as a warehouse in trouble fails (INTERNAL_ERROR: transient).
        stack.Handle.Faults.FailNextStatements(10_000, DbxSync.Core.Sql.TableName.Parse(table).Table, error: InjectedError.Internal);

        // Three poll intervals of the outage, each message delivered as the queue does: one run id, Deliveries times.
        for (var interval = 1; interval <= 3; interval++)
        {
            var runId = stack.RunRepository.NewRunId();
            for (var delivery = 1; delivery <= Deliveries; delivery++)
            {
                var run = await stack.Runner.RunAsync(new RunRequest(export.Id, RunTrigger.Timer, RunId: runId, FinalDelivery: delivery == Deliveries));
                Assert.Equal((RunOutcome.Failed, FailureClass.Transient), (run.Outcome, run.FailureClass));
                // Handed back for a redelivery, except the last: thrown then, the host would poison the message.
                Assert.Equal(delivery < Deliveries, run.Retryable);
            }
            var schedule = await stack.ScheduleAsync(export.Id);
            Assert.Equal((true, interval, DueReason.Backoff), (schedule.InErrorState, schedule.ConsecutiveFailures, schedule.Reason));
            Assert.Contains("INTERNAL_ERROR", schedule.Error);
        }
        var alert = Assert.Single(await stack.PoisonAlertsAsync(export.Id));
        Assert.Equal("config_error_state", alert.GetProperty("kind").GetString());

        // The outage is over: the next probe succeeds and ends the episode, with no further alert.
        stack.Handle.Faults.Reset();
        var recovered = await stack.RunAsync(export.Id, RunTrigger.Timer);
        Assert.True(recovered.Outcome == RunOutcome.Succeeded, recovered.Error);
        Assert.False((await stack.ScheduleAsync(export.Id)).InErrorState);
        Assert.Single(await stack.PoisonAlertsAsync(export.Id));
    }

    [Fact]
    public async Task A_staged_file_the_workspace_reads_otherwise_than_validated_is_permanent_not_retried_and_stays_in_labeled()
    {
        // Every second read of a labeled blob (the copy staged in the volume after validation) loses its last line: the
        // workspace reads another file than the one validated, as a CSV reader with other rules would. Retrying reads
        // it the same way, and the file itself passed validation: neither transient nor data.
        var opens = 0;
        var stack = await StackAsync(s => DelegatingBlobStore.Wrap(s, inner => new LastLineDroppingBlobStore(inner, () => Interlocked.Increment(ref opens) % 2 == 0)));
        var table = await stack.CreateItemsTableAsync(3, changeDataFeed: false);
        var import = await stack.CreateImportConfigAsync(table, useStaging: true);
        await stack.UploadAsync(BlobContainers.Labeled, $"{import.Id}/short.csv", ExportFiles.LabelIds([1, 2, 3]));

        var run = (await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, $"{import.Id}/short.csv"))!;

        Assert.Equal((RunOutcome.Failed, FailureClass.Permanent, false), (run.Outcome, run.FailureClass, run.Retryable));
        Assert.Contains("validation counted 3", run.Error);
        Assert.False(stack.Logs.Contains("failed transiently"), "the run is not attempted again");
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Labeled, $"{import.Id}/short.csv"));
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Failed, $"{import.Id}/short.csv"));
        Assert.All(await stack.LabelsAsync(table), kv => Assert.Null(kv.Value));
        Assert.True((await stack.ScheduleAsync(import.Id)).InErrorState);
        Assert.Single(await stack.PoisonAlertsAsync(import.Id));
    }

    [Fact]
    public async Task A_labeled_file_for_a_dropped_table_stays_in_labeled_and_is_imported_once_the_table_is_back()
    {
        var stack = await StackAsync(maxStatementBytes: 2048);
        var table = await stack.CreateItemsTableAsync(10, changeDataFeed: true);
        var import = await stack.CreateImportConfigAsync(table, useStaging: false);
        await stack.SqlAsync($"DROP TABLE {table}");
        var labeled = ExportFiles.LabelIds(Enumerable.Range(1, 10).Select(i => (long)i));
        await stack.UploadAsync(BlobContainers.Labeled, $"{import.Id}/labels.csv", labeled);

        var failed = (await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, $"{import.Id}/labels.csv"))!;
        Assert.Equal((RunOutcome.Failed, FailureClass.Permanent, false), (failed.Outcome, failed.FailureClass, failed.Retryable));
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Labeled, $"{import.Id}/labels.csv"));
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Failed, $"{import.Id}/labels.csv"));
        Assert.True((await stack.ScheduleAsync(import.Id)).InErrorState);

        await stack.SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, text STRING, score DOUBLE, label STRING)");
        await stack.InsertItemsAsync(table, 1, 10);
        var scan = await stack.RunAsync(import.Id, RunTrigger.Timer);
        Assert.True(scan.Outcome == RunOutcome.Succeeded, scan.Error);
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Processed, $"{import.Id}/labels.csv"));
        Assert.All(await stack.LabelsAsync(table), kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));
        Assert.False((await stack.ScheduleAsync(import.Id)).InErrorState);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_merge_failing_with_a_data_error_rejects_the_file_as_data_and_leaves_the_config_healthy(bool useStaging)
    {
        var stack = await StackAsync(maxStatementBytes: 2048);
        var table = await stack.CreateItemsTableAsync(12, changeDataFeed: true);
        var import = await stack.CreateImportConfigAsync(table, useStaging);
        var before = await stack.SnapshotAsync(table);
        stack.Handle.Faults.FailNextStatements(1, "MERGE INTO " + Quoted(table), error: new InjectedError("CAST_INVALID_INPUT", "22018"));

        await stack.UploadAsync(BlobContainers.Labeled, $"{import.Id}/labels.csv", ExportFiles.LabelIds(Enumerable.Range(1, 12).Select(i => (long)i)));
        var run = (await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, $"{import.Id}/labels.csv"))!;

        Assert.Equal((RunOutcome.Failed, FailureClass.Data, false), (run.Outcome, run.FailureClass, run.Retryable));
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Failed, $"{import.Id}/labels.csv"));
        Assert.Equal(before, await stack.SnapshotAsync(table));
        Assert.False((await stack.ScheduleAsync(import.Id)).InErrorState);
        Assert.Empty(await stack.PoisonAlertsAsync(import.Id));
    }

    [Fact]
    public async Task The_staging_tables_CREATE_failing_once_does_not_fail_the_file_the_retry_imports_it()
    {
        var stack = await StackAsync(maxStatementBytes: 2048);
        var table = await stack.CreateItemsTableAsync(20, changeDataFeed: true);
        var import = await stack.CreateImportConfigAsync(table, useStaging: false);
        stack.Handle.Faults.FailNextStatements(1, "CREATE TABLE " + StagingPrefix(table));

        await stack.UploadAsync(BlobContainers.Labeled, $"{import.Id}/labels.csv", ExportFiles.LabelIds(Enumerable.Range(1, 20).Select(i => (long)i)));
        var run = (await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, $"{import.Id}/labels.csv"))!;

        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Failed, $"{import.Id}/labels.csv"));
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Processed, $"{import.Id}/labels.csv"));
        Assert.All(await stack.LabelsAsync(table), kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));
    }

    [Fact]
    public async Task A_failed_DROP_leaves_a_staging_table_that_a_redelivery_with_the_same_run_id_does_not_trip_over()
    {
        var stack = await StackAsync(maxStatementBytes: 2048);
        var table = await stack.CreateItemsTableAsync(20, changeDataFeed: true);
        var import = await stack.CreateImportConfigAsync(table, useStaging: false);
        var runId = stack.RunRepository.NewRunId();
        stack.Handle.Faults.FailNextStatements(1, "DROP TABLE IF EXISTS " + StagingPrefix(table));

        await stack.UploadAsync(BlobContainers.Labeled, $"{import.Id}/first.csv", ExportFiles.LabelIds(Enumerable.Range(1, 10).Select(i => (long)i)));
        var first = await stack.Runner.RunAsync(new RunRequest(import.Id, RunTrigger.BlobEvent, $"{import.Id}/first.csv", RunId: runId));
        Assert.True(first.Outcome == RunOutcome.Succeeded, first.Error);
        Assert.NotEmpty(await StagingTablesAsync(stack, table));

        // The same run id again (a queue redelivery reuses it): the leftover table must not fail this file.
        await stack.UploadAsync(BlobContainers.Labeled, $"{import.Id}/second.csv", ExportFiles.LabelIds(Enumerable.Range(11, 10).Select(i => (long)i)));
        var second = await stack.Runner.RunAsync(new RunRequest(import.Id, RunTrigger.BlobEvent, $"{import.Id}/second.csv", RunId: runId));
        Assert.True(second.Outcome == RunOutcome.Succeeded, second.Error);
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Failed, $"{import.Id}/second.csv"));
        Assert.All(await stack.LabelsAsync(table), kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));        await DropLeftoversAsync(stack, table, runId);
    }

    [Fact]
    public async Task A_worker_killed_mid_import_leaves_the_file_in_labeled_and_the_redelivery_imports_it()
    {
        var stack = await StackAsync(maxStatementBytes: 400);
        var table = await stack.CreateItemsTableAsync(30, changeDataFeed: true);
        var import = await stack.CreateImportConfigAsync(table, useStaging: false);
        var runId = stack.RunRepository.NewRunId();
        var faults = stack.Handle.Faults;
        // Killed: the staging INSERTs (several, ~7 rows each) are slow, the run is cut off in the middle, and its cleanup never reaches the workspace.
        faults.SlowStatementMatch = "INSERT INTO " + StagingPrefix(table);
        faults.StatementDelay = TimeSpan.FromMilliseconds(1000);
        faults.FailNextStatements(1, "DROP TABLE IF EXISTS " + StagingPrefix(table));
        await stack.UploadAsync(BlobContainers.Labeled, $"{import.Id}/labels.csv", ExportFiles.LabelIds(Enumerable.Range(1, 30).Select(i => (long)i)));
        using (var kill = new CancellationTokenSource(TimeSpan.FromSeconds(1.5)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                stack.Runner.RunAsync(new RunRequest(import.Id, RunTrigger.BlobEvent, $"{import.Id}/labels.csv", RunId: runId), kill.Token));
        faults.Reset();
        Assert.NotEmpty(await StagingTablesAsync(stack, table));
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Labeled, $"{import.Id}/labels.csv"));

        var redelivered = await stack.Runner.RunAsync(new RunRequest(import.Id, RunTrigger.BlobEvent, $"{import.Id}/labels.csv", RunId: runId));
        Assert.True(redelivered.Outcome == RunOutcome.Succeeded, redelivered.Error);
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Processed, $"{import.Id}/labels.csv"));
        Assert.All(await stack.LabelsAsync(table), kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));
        await DropLeftoversAsync(stack, table, runId);
    }

    [Fact]
    public async Task The_sweep_drops_our_staging_tables_older_than_a_day_and_nothing_else()
    {
        var stack = await StackAsync(maxStatementBytes: 2048);
        var table = await stack.CreateItemsTableAsync(5, changeDataFeed: false);
        var t = DbxSync.Core.Sql.TableName.Parse(table);
        var old = StagingTables.ForAttempt(t, SyncRunRepository.NewRunId(DateTimeOffset.UtcNow - TimeSpan.FromDays(2)));
        var fresh = StagingTables.ForAttempt(t, SyncRunRepository.NewRunId(DateTimeOffset.UtcNow - TimeSpan.FromHours(1)));
        var notOurs = t with { Table = StagingTables.Prefix + "someone_elses" };
        foreach (var name in new[] { old, fresh, notOurs })
            await stack.SqlAsync($"CREATE TABLE {name.Quoted} (id BIGINT)");
        var import = await stack.CreateImportConfigAsync(table, useStaging: false);

        await stack.UploadAsync(BlobContainers.Labeled, $"{import.Id}/labels.csv", ExportFiles.LabelIds(Enumerable.Range(1, 5).Select(i => (long)i)));
        var run = (await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, $"{import.Id}/labels.csv"))!;

        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        var left = await StagingTablesAsync(stack, table);
        Assert.DoesNotContain(old.Table, left);
        Assert.Contains(fresh.Table, left);
        Assert.Contains(notOurs.Table, left);
        foreach (var name in new[] { fresh, notOurs }) await stack.SqlAsync($"DROP TABLE {name.Quoted}");
    }

    [Fact]
    public async Task Vacuumed_change_files_fall_back_to_the_version_difference_logged_instead_of_failing()
    {
        var stack = await StackAsync(maxStatementBytes: 2048);
        var table = await stack.CreateItemsTableAsync(30, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        await ExportFiles.ExportOnceAsync(stack, export.Id);
        await stack.InsertItemsAsync(table, 31, 7);
        stack.Handle.Faults.FailNextStatements(1, "table_changes(", error: new InjectedError("DELTA_CHANGE_DATA_FILE_NOT_FOUND", "42K03"));

        var run = await stack.RunAsync(export.Id, RunTrigger.Timer);

        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        var file = await ExportFiles.ReadAsync(stack, run.Output![(BlobContainers.Exports.Length + 1)..]);
        Assert.Equal(Enumerable.Range(31, 7).Select(i => (long)i), file.Ids.Order());
        Assert.True(stack.Logs.Contains("DELTA_CHANGE_DATA_FILE_NOT_FOUND"), "the fallback is logged with its cause");
    }

    [Fact]
    public async Task A_vacuumed_table_whose_change_and_data_files_are_gone_exports_a_snapshot_logged_on_every_later_run_too()
    {
        var stack = await StackAsync(maxStatementBytes: 2048);
        var table = await stack.CreateItemsTableAsync(30, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        await ExportFiles.ExportOnceAsync(stack, export.Id);
        await stack.InsertItemsAsync(table, 31, 7);
        await stack.SqlAsync($"UPDATE {table} SET label = 'done' WHERE id <= 5");
        ((DbxSync.Emulator.Sql.SqliteDeltaEngine)stack.Handle.Engine).VacuumFilesBefore(table, await stack.VersionAsync(table));

        var run = await stack.RunAsync(export.Id, RunTrigger.Timer);

        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        var file = await ExportFiles.ReadAsync(stack, run.Output![(BlobContainers.Exports.Length + 1)..]);
        Assert.Equal("snapshot", file.Manifest.GetProperty("method").GetString());
        Assert.Equal(Enumerable.Range(6, 32).Select(i => (long)i), file.Ids.Order());
        Assert.True(stack.Logs.Contains("no longer retained", LogLevel.Warning), "the snapshot fallback is logged as a warning");
        // The checkpoint is now past the horizon: the next change is read from the change feed again.
        await stack.InsertItemsAsync(table, 38, 2);
        var next = await stack.RunAsync(export.Id, RunTrigger.Timer);
        Assert.True(next.Outcome == RunOutcome.Succeeded, next.Error);
        Assert.Equal([38L, 39L], (await ExportFiles.ReadAsync(stack, next.Output![(BlobContainers.Exports.Length + 1)..])).Ids.Order());
    }

    [Fact]
    public async Task Vacuumed_data_files_of_the_checkpoint_version_fall_back_to_a_snapshot_logged_instead_of_failing()
    {
        var stack = await StackAsync(maxStatementBytes: 2048);
        var table = await stack.CreateItemsTableAsync(30, changeDataFeed: false);
        var export = await stack.CreateTableConfigAsync(table);
        await ExportFiles.ExportOnceAsync(stack, export.Id);
        await stack.InsertItemsAsync(table, 31, 7);
        stack.Handle.Faults.FailNextStatements(1, ") AS prev", error: new InjectedError("FAILED_READ_FILE.FILE_NOT_EXIST", "KD001"));

        var run = await stack.RunAsync(export.Id, RunTrigger.Timer);

        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        var file = await ExportFiles.ReadAsync(stack, run.Output![(BlobContainers.Exports.Length + 1)..]);
        Assert.Equal("snapshot", file.Manifest.GetProperty("method").GetString());
        Assert.Equal(Enumerable.Range(1, 37).Select(i => (long)i), file.Ids.Order());
        Assert.True(stack.Logs.Contains("FAILED_READ_FILE.FILE_NOT_EXIST", LogLevel.Warning), "the snapshot fallback is logged as a warning");
    }

    /// <summary>Other tests expect no staging table in the shared schema: drop what this test's run left on purpose.</summary>
    private static async Task DropLeftoversAsync(SyncStack stack, string table, string runId)
    {
        var t = DbxSync.Core.Sql.TableName.Parse(table);
        foreach (var name in await StagingTablesAsync(stack, table))
            if (name.Contains(runId.Replace('-', '_'), StringComparison.Ordinal))
                await stack.SqlAsync($"DROP TABLE IF EXISTS {(t with { Table = name }).Quoted}");
    }

    private static async Task<List<string>> StagingTablesAsync(SyncStack stack, string table)
    {
        var t = DbxSync.Core.Sql.TableName.Parse(table);
        var names = new List<string>();
        await foreach (var s in stack.Workspace.ListTablesAsync(t.Catalog, t.Schema))
            if (s.Name.StartsWith(StagingTables.Prefix, StringComparison.Ordinal)) names.Add(s.Name);
        return names;
    }
}
