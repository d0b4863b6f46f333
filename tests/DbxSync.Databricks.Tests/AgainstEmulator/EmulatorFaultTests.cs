using System.Diagnostics;
using DbxSync.Core.Errors;

namespace DbxSync.Databricks.Tests.AgainstEmulator;

/// <summary>Faults are emulator-wide, so these run alone (see EmulatorCollection).</summary>
[Collection(EmulatorCollection.Name)]
public sealed class EmulatorFaultTests(EmulatorWorkspace fx) : IClassFixture<EmulatorWorkspace>
{
    [Fact]
    public async Task Throttling_and_unavailability_bursts_are_retried_and_nothing_is_written_twice()
    {
        var ws = fx.Pat();
        var table = $"{fx.Catalog}.{fx.Schema}.bursts";
        await fx.RunAsync(ws, $"CREATE TABLE {table} (id BIGINT)");
        var faults = fx.Emulator.Handle!.Faults;
        var beforeRetries = fx.Emulator.Handle.Stats.RequestsByRoute.Values.Sum();
        faults.RetryAfterSeconds = 0;
        faults.Reseed(42);
        faults.ThrottleRate = 0.25;
        faults.UnavailableRate = 0.15;
        try
        {
            for (var i = 0; i < 30; i++)
                await fx.RunAsync(ws, $"INSERT INTO {table} VALUES ({i})", write: true);
        }
        finally { faults.Reset(); }
        var rows = await fx.RunAsync(ws, $"SELECT id FROM {table} ORDER BY id");
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i.ToString()), rows.Select(r => r[0]));
        Assert.True(fx.Emulator.Handle.Stats.RequestsByRoute.Values.Sum() - beforeRetries > 60, "faults were not injected: every insert went through first time");
    }

    [Fact]
    public async Task Cancelling_the_caller_cancels_the_running_statement()
    {
        var ws = fx.Pat();
        var faults = fx.Emulator.Handle!.Faults;
        faults.SlowStatementMatch = "cancel-me";
        faults.StatementDelay = TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ws.ExecuteAsync("SELECT 'cancel-me'", null, fx.Options(), cts.Token));
        }
        catch { faults.Reset(); throw; }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the caller waited {clock.Elapsed} after cancelling");
        try
        {
            // The statement's id arrives with the POST's answer (after the 5 s wait); the cancel follows it.
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(15) && !CancelSeen()) await Task.Delay(100);
            Assert.True(CancelSeen(), "no cancel request reached the workspace");
        }
        finally { faults.Reset(); }

        bool CancelSeen() => fx.Emulator.Handle!.Stats.RequestsByRoute.Any(r => r.Key.Contains("/cancel", StringComparison.Ordinal) && r.Value > 0);
    }

    [Fact]
    public async Task A_token_expiring_between_calls_is_renewed()
    {
        var faults = fx.Emulator.Handle!.Faults;
        faults.TokenLifetimeOverride = TimeSpan.FromSeconds(2);
        try
        {
            var ws = fx.OAuth();
            var before = fx.TokenRequests;
            await fx.RunAsync(ws, "SELECT 1");
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            await fx.RunAsync(ws, "SELECT 2");
            Assert.True(fx.TokenRequests - before >= 2, "the expired token was not replaced");
        }
        finally { faults.Reset(); }
    }

    [Fact]
    public async Task A_write_whose_connection_dropped_after_commit_is_not_resubmitted()
    {
        var ws = fx.Pat();
        var table = $"{fx.Catalog}.{fx.Schema}.dropped";
        await fx.RunAsync(ws, $"CREATE TABLE {table} (id BIGINT)");
        fx.Emulator.Handle!.Faults.DropConnectionAfterNextStatements(1, "INSERT INTO");
        try
        {
            var ex = await Assert.ThrowsAsync<WorkspaceException>(() => fx.RunAsync(ws, $"INSERT INTO {table} VALUES (1)", write: true));
            Assert.False(ex.IsTransient);
        }
        finally { fx.Emulator.Handle.Faults.Reset(); }
        var rows = await fx.RunAsync(ws, $"SELECT COUNT(*) FROM {table}");
        Assert.Equal("1", rows[0][0]);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EmulatorCollection
{
    public const string Name = "emulator (faults are emulator-wide)";
}
