using System.Diagnostics;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests;

/// <summary>Issue 13, "lease and run limits": a run stops at its overall time limit and when its lease is lost.</summary>
[Collection(SerialCollection.Name)]
public sealed class RunLimitTests : SyncStackTest
{
    [Fact]
    public async Task A_run_held_up_by_a_stalled_statement_stops_at_its_time_limit_and_the_next_run_does_the_work()
    {
        var stack = await StackAsync(s => s.AddSingleton(new SyncRunnerOptions
        {
            RetryDelay = TimeSpan.FromMilliseconds(200), MaxRunDuration = TimeSpan.FromSeconds(3),
        }));
        var table = await stack.CreateItemsTableAsync(20, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        stack.Handle.Faults.SlowStatementMatch = "WHERE `label` IS NULL";
        stack.Handle.Faults.StatementDelay = TimeSpan.FromMinutes(5);

        var clock = Stopwatch.StartNew();
        var stalled = await stack.RunAsync(export.Id);
        Assert.Equal(RunOutcome.Failed, stalled.Outcome);
        Assert.Contains("time limit", stalled.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"stopped after {clock.Elapsed}");
        Assert.Empty(await ExportFiles.CsvNamesAsync(stack, export.Id));
        Assert.Null((await stack.Services.GetRequiredService<SyncStateRepository>().GetCheckpointAsync(export.Id)).Version);
        Assert.Equal(RunOutcome.Failed, (await stack.RunRepository.GetAsync(export.Id, stalled.RunId))!.Outcome);

        // The lease was let go: the next run is not skipped and exports.
        stack.Handle.Faults.Reset();
        var next = await stack.RunAsync(export.Id);
        Assert.True(next.Outcome == RunOutcome.Succeeded, next.Error);
        Assert.Equal(20, next.Rows);
    }

    [Fact]
    public async Task A_run_whose_lease_is_lost_stops_without_advancing_the_checkpoint()
    {
        var stack = await StackAsync(s =>
        {
            var descriptor = s.Last(d => d.ServiceType == typeof(ISyncLock));
            s.Remove(descriptor);
            s.AddSingleton<ISyncLock>(sp => new LosingLock((ISyncLock)descriptor.ImplementationFactory!(sp), TimeSpan.FromSeconds(2)));
        });
        var table = await stack.CreateItemsTableAsync(20, changeDataFeed: true);
        var export = await stack.CreateTableConfigAsync(table);
        stack.Handle.Faults.SlowStatementMatch = "WHERE `label` IS NULL";
        stack.Handle.Faults.StatementDelay = TimeSpan.FromMinutes(5);

        var clock = Stopwatch.StartNew();
        var run = await stack.RunAsync(export.Id);
        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Contains("lost its lock", run.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"stopped after {clock.Elapsed}");
        Assert.Empty(await ExportFiles.CsvNamesAsync(stack, export.Id));
        Assert.Null((await stack.Services.GetRequiredService<SyncStateRepository>().GetCheckpointAsync(export.Id)).Version);
    }

    /// <summary>The real lock, whose leases report a failed renewal after a while (as the adapter does when renewing fails).</summary>
    private sealed class LosingLock(ISyncLock inner, TimeSpan lostAfter) : ISyncLock
    {
        public async Task<ISyncLease?> TryAcquireAsync(string lockName, CancellationToken cancellationToken = default)
            => await inner.TryAcquireAsync(lockName, cancellationToken) is { } lease ? new Lease(lease, lostAfter) : null;

        private sealed class Lease(ISyncLease inner, TimeSpan lostAfter) : ISyncLease
        {
            private readonly CancellationTokenSource _lost = new(lostAfter);
            public CancellationToken LeaseLost => _lost.Token;

            public async ValueTask DisposeAsync()
            {
                _lost.Dispose();
                await inner.DisposeAsync();
            }
        }
    }
}
