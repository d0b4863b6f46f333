using System.Globalization;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;
using DbxSync.Core.Syncs.TableExport;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests;

/// <summary>Issue 23: rows left alone by imports go out again in bounded parts, and a run stopped by its limit continues with the next part.</summary>
[Collection(SerialCollection.Name)]
public sealed class LeftAlonePartsTests : IAsyncLifetime
{
    // Each keyed read (only they bind :k0) takes this long, and a run may take twice as long: after its first part a
    // run cannot expect a second one to end in time, so it stops there, whatever the machine's speed.
    private static readonly TimeSpan KeyedReadDelay = TimeSpan.FromSeconds(3);
    private const string KeyedRead = "IN (:k0";

    private SyncStack? _stack;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            _stack.Handle.Faults.Reset();
            await _stack.DisposeAsync();
        }
    }

    [Fact]
    public async Task Rows_left_alone_go_out_in_bounded_parts_over_runs_stopped_by_the_limit_each_row_once()
    {
        var queue = new CollectingRunQueue();
        var stack = _stack = await SyncStack.CreateAsync(s =>
        {
            s.AddSingleton(new ExportPartOptions { PartRows = 10 });
            s.AddSingleton(new SyncRunnerOptions { RetryDelay = TimeSpan.FromMilliseconds(200), MaxRunDuration = KeyedReadDelay * 2 });
            s.AddSingleton<IRunQueue>(queue);
        });
        var table = await stack.CreateItemsTableAsync(30, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        var snapshot = await stack.RunAsync(export.Id);
        Assert.True(snapshot.Outcome == RunOutcome.Succeeded, snapshot.Error);
        var snapshotParts = await ExportFiles.CsvNamesAsync(stack, export.Id);

        // An import left 25 rows alone (still unlabeled, unchanged since): they must go out again.
        var leftAlone = Enumerable.Range(3, 25).Select(i => (long)i).ToList();
        await new LeftAloneRows(stack.Blobs).AddAsync(TableName.Parse(table), leftAlone.Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList(),
            "labeled/test.csv", DateTimeOffset.UtcNow, CancellationToken.None);
        stack.Handle.Faults.SlowStatementMatch = KeyedRead;
        stack.Handle.Faults.StatementDelay = KeyedReadDelay;

        var runs = new List<SyncRun> { await stack.RunAsync(export.Id) };
        Assert.True(runs[0].Outcome == RunOutcome.Partial, runs[0].Error ?? runs[0].Message);
        Assert.Equal((1L, 10L), (runs[0].Files, runs[0].Rows));
        Assert.Contains("the next run continues", runs[0].Message);
        var schedules = stack.Services.GetRequiredService<DueScheduleRepository>();
        Assert.Equal(DueReason.Continuing, (await schedules.GetAsync(export.Id)).Reason);
        while (runs[^1].Outcome == RunOutcome.Partial)
        {
            Assert.True(runs.Count < 10, "the re-export never finished");
            await stack.Scheduler.TickAsync();
            var queued = Assert.Single(queue.Runs.Where(r => r.ConfigId == export.Id));
            queue.Runs.Clear();
            runs.Add(await stack.Runner.RunAsync(new RunRequest(queued.ConfigId, queued.Trigger, RunId: queued.RunId)));
        }
        Assert.True(runs[^1].Outcome == RunOutcome.Succeeded, runs[^1].Error);
        Assert.True(runs.Count >= 3, $"{runs.Count} runs");

        var names = (await ExportFiles.CsvNamesAsync(stack, export.Id)).Except(snapshotParts).ToList();
        Assert.Equal(3, names.Count);
        Assert.All(names, n => Assert.Contains("_left_alone_", n));
        Assert.Equal(["_part000001.csv", "_part000002.csv", "_part000003.csv"], names.Order().Select(n => n[^15..]));
        var files = new List<ExportedFile>();
        foreach (var name in names.Order()) files.Add(await ExportFiles.ReadAsync(stack, name));
        Assert.All(files, f => Assert.True(f.Rows.Count <= 10));
        var sent = files.SelectMany(f => f.Ids).ToList();
        Assert.Equal(leftAlone, sent.Order());
        Assert.Equal(25, runs.Sum(r => r.Rows));
        Assert.Empty(await stack.ListAsync(BlobContainers.Exports, LeftAloneRows.Prefix(TableName.Parse(table))));
    }
}
