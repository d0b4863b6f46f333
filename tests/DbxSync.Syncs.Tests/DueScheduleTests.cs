using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests;

/// <summary>next_due_at in SyncState on Azurite: instances share it, so they neither double-enqueue nor forget it.</summary>
[Collection(SerialCollection.Name)]
public sealed class DueScheduleTests
{
    [Fact]
    public async Task Two_instances_ticking_at_once_enqueue_a_due_config_once_and_a_recycled_instance_keeps_its_interval()
    {
        var first = new CollectingRunQueue();
        await using var stack = await SyncStack.CreateAsync(s => s.AddSingleton<IRunQueue>(first));
        var table = await stack.CreateItemsTableAsync(5, changeDataFeed: true);
        var config = await stack.CreateTableConfigAsync(table);
        var second = new CollectingRunQueue();
        var other = ActivatorUtilities.CreateInstance<SyncScheduler>(stack.Services, (IRunQueue)second);

        await Task.WhenAll(stack.Scheduler.TickAsync(), other.TickAsync());

        var enqueued = first.Runs.Concat(second.Runs).Count(r => r.ConfigId == config.Id);
        Assert.Equal(1, enqueued);
        var schedule = await stack.Services.GetRequiredService<DueScheduleRepository>().GetAsync(config.Id);
        Assert.True(schedule.NextDueAt > DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30), $"next due {schedule.NextDueAt}");

        // A fresh instance (recycled, scaled out) reads the same schedule: not due again before its interval.
        var third = new CollectingRunQueue();
        await ActivatorUtilities.CreateInstance<SyncScheduler>(stack.Services, (IRunQueue)third).TickAsync();
        Assert.DoesNotContain(third.Runs, r => r.ConfigId == config.Id);
        await stack.ConfigService.SetStatusAsync(config.Id, DbxSync.Core.Configs.SyncConfigStatus.Paused, null);
    }

    [Fact]
    public async Task A_resumed_config_is_due_at_the_next_tick_not_a_poll_interval_after_its_last_claim()
    {
        var queue = new CollectingRunQueue();
        await using var stack = await SyncStack.CreateAsync(s => s.AddSingleton<IRunQueue>(queue));
        var table = await stack.CreateItemsTableAsync(3, changeDataFeed: true);
        var config = await stack.CreateTableConfigAsync(table);
        await stack.Scheduler.TickAsync();
        Assert.Single(queue.Runs, r => r.ConfigId == config.Id);

        // Paused and resumed a moment later: the claim's next due time (a poll interval away) no longer holds it back.
        await stack.ConfigService.SetStatusAsync(config.Id, DbxSync.Core.Configs.SyncConfigStatus.Paused, null);
        await stack.Scheduler.TickAsync();
        Assert.Single(queue.Runs, r => r.ConfigId == config.Id);
        await stack.ConfigService.SetStatusAsync(config.Id, DbxSync.Core.Configs.SyncConfigStatus.Active, null);
        await stack.Scheduler.TickAsync();

        Assert.Equal(2, queue.Runs.Count(r => r.ConfigId == config.Id));
        await stack.ConfigService.SetStatusAsync(config.Id, DbxSync.Core.Configs.SyncConfigStatus.Paused, null);
    }
}
