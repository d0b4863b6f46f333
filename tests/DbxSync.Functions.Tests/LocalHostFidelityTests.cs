using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DbxSync.Functions.Hosting;
using DbxSync.Functions.Tests.Infrastructure;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>
/// The real app under the local Functions host behaves as under Azure's when instances share a storage account or a
/// host dies: SyncTimer fires once per tick across instances (the singleton listener lock), and a worker whose host
/// was killed exits instead of serving on as an orphan.
/// </summary>
public sealed partial class LocalHostFidelityTests
{
    // Storage's shortest lease, and a quick poll for the lock instead of Azure's minute, so failover fits a test.
    private static readonly string[] FastLockArguments = ["--listener-lock-seconds", "15", "--listener-lock-recovery-seconds", "1"];

    [Fact]
    public async Task Two_instances_fire_each_SyncTimer_tick_once_and_the_lock_passes_when_the_holder_is_killed()
    {
        // An account of their own: their ticks must not schedule the configs other tests keep in the shared one.
        using var storage = AzuriteInstance.StartPrivate();
        var settings = new Dictionary<string, string>
        {
            [SettingNames.WebJobsStorage] = storage.ConnectionString,
            [SettingNames.ToAppSetting(SettingNames.StorageConnectionString)] = storage.ConnectionString,
            ["AzureFunctionsWebHost__hostid"] = "dbxsync-timer-test",
            [SettingNames.SyncTimerSchedule] = "*/2 * * * * *",
        };
        await using var first = await ApiFixture.StartWithSettingsAsync(settings, hostArguments: FastLockArguments);
        await using var second = await ApiFixture.StartWithSettingsAsync(settings, hostArguments: FastLockArguments);
        var instances = new[] { first.Host, second.Host };

        await WaitForAsync(() => instances.Sum(h => Ticks(h).Count) >= 4, TimeSpan.FromSeconds(60), "four SyncTimer ticks");
        var holder = Assert.Single(instances, h => Ticks(h).Count > 0);
        var other = instances.Single(h => h != holder);
        Assert.Empty(Ticks(other));

        // Killed outright, the holder cannot release its lease: the other instance gets the lock once it lapses.
        var killedAt = DateTimeOffset.Now;
        holder.Kill();
        await WaitForAsync(() => Ticks(other).Count >= 3, TimeSpan.FromSeconds(60), "three ticks on the surviving instance");
        var takeover = Ticks(other).Min();
        Assert.True(takeover - killedAt < TimeSpan.FromSeconds(15 + 10), $"the lock passed only {takeover - killedAt} after the kill");

        // Each occurrence fired on exactly one instance, before and after the failover.
        var all = instances.SelectMany(Ticks).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Contains(other.Output, line => line.Contains("Singleton lock acquired (dbxsync-timer-test/Host.Functions.SyncTimer.Listener)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_worker_whose_host_is_killed_with_SIGKILL_exits_within_seconds()
    {
        await using var app = await ApiFixture.StartWithSettingsAsync(new Dictionary<string, string>());
        var worker = (await app.Host.GetStatusAsync()).WorkerProcessId!.Value;

        app.Host.Kill();
        var killed = Stopwatch.StartNew();
        await WaitForAsync(() => !Processes.IsAlive(worker), TimeSpan.FromSeconds(20), $"worker {worker} to exit");
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(10), $"the worker outlived its host by {killed.Elapsed}");
    }

    /// <summary>The occurrences SyncTimer fired on a host, from the invocation lines it logs as the real host does.</summary>
    private static List<DateTimeOffset> Ticks(FunctionsHostInstance host) =>
        host.Output.Select(line => TimerFired().Match(line)).Where(m => m.Success)
            .Select(m => DateTimeOffset.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    [GeneratedRegex(@"Executing 'Functions\.SyncTimer' \(Reason='Timer fired at ([^']+)'")]
    private static partial Regex TimerFired();

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(200);
        }
    }
}
