using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DbxSync.Core.Tests.Runs;

/// <summary>SyncScheduler alone: which configs a tick finds due, and that it enqueues one run for each.</summary>
public class SyncSchedulerTests
{
    private readonly Dictionary<(string, string, string), StateEntity> _rows = new();
    private readonly Mock<IRunQueue> _queue = new();
    private readonly Mock<TimeProvider> _time = new() { CallBase = true };
    private DateTimeOffset _now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public SyncSchedulerTests()
    {
        _time.Setup(t => t.GetUtcNow()).Returns(() => _now);
        _queue.Setup(q => q.EnqueueAsync(It.IsAny<QueuedRun>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
    }

    private async Task<SyncScheduler> CreateAsync(params (string Id, int PollSeconds, SyncConfigStatus Status)[] configs)
    {
        var repository = new SyncConfigRepository(StateStoreMock.Create(_rows).Object);
        foreach (var (id, poll, status) in configs)
            await repository.InsertAsync(new SyncConfig
            {
                Id = id, Name = id, ConfigType = SyncConfigType.Table, DatabricksPath = "main.default.items", ServicePrincipalId = "sp1",
                PkColumn = "id", LabelColumn = "label", PollIntervalSeconds = poll, Status = status, CreatedAt = _now, UpdatedAt = _now,
            });
        return NewInstance();
    }

    /// <summary>A scheduler as a fresh (recycled or scaled-out) instance creates it, over the same state.</summary>
    private SyncScheduler NewInstance()
    {
        var store = StateStoreMock.Create(_rows).Object;
        return new SyncScheduler(new SyncConfigRepository(store), new SyncRunRepository(store, _time.Object), new DueScheduleRepository(store, _time.Object),
            _queue.Object, _time.Object, NullLogger<SyncScheduler>.Instance);
    }

    private void VerifyRan(string configId, int times) =>
        _queue.Verify(q => q.EnqueueAsync(It.Is<QueuedRun>(r => r.ConfigId == configId && r.Trigger == RunTrigger.Timer && r.RunId.Length > 0), It.IsAny<CancellationToken>()), Times.Exactly(times));

    [Fact]
    public async Task Active_configs_are_due_on_the_first_tick_and_paused_ones_never()
    {
        var scheduler = await CreateAsync(("a", 60, SyncConfigStatus.Active), ("b", 300, SyncConfigStatus.Active), ("paused", 60, SyncConfigStatus.Paused));

        var tick = await scheduler.TickAsync();

        Assert.Equal((3, 2, 2), (tick.Configs, tick.Due, tick.Enqueued));
        VerifyRan("a", 1);
        VerifyRan("b", 1);
        VerifyRan("paused", 0);
    }

    [Fact]
    public async Task A_config_is_due_again_once_its_poll_interval_has_passed_with_two_seconds_of_slack()
    {
        var scheduler = await CreateAsync(("a", 60, SyncConfigStatus.Active), ("b", 300, SyncConfigStatus.Active));
        await scheduler.TickAsync();

        _now += TimeSpan.FromSeconds(30);
        Assert.Equal(0, (await scheduler.TickAsync()).Due);

        _now += TimeSpan.FromSeconds(28); // 58 s after the first tick: a 60 s timer that fires a little early still counts
        Assert.Equal(1, (await scheduler.TickAsync()).Due);
        VerifyRan("a", 2);
        VerifyRan("b", 1);

        _now += TimeSpan.FromSeconds(300);
        Assert.Equal(2, (await scheduler.TickAsync()).Due);
        VerifyRan("b", 2);
    }

    [Fact]
    public async Task A_config_whose_enqueue_failed_is_due_again_on_the_next_tick()
    {
        var scheduler = await CreateAsync(("a", 60, SyncConfigStatus.Active));
        _queue.SetupSequence(q => q.EnqueueAsync(It.IsAny<QueuedRun>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("queue down"))
            .Returns(Task.CompletedTask);

        await Assert.ThrowsAsync<InvalidOperationException>(() => scheduler.TickAsync());
        _now += TimeSpan.FromSeconds(5);
        Assert.Equal(1, (await scheduler.TickAsync()).Due);
        VerifyRan("a", 2);
    }

    [Fact]
    public async Task The_next_due_time_lives_in_state_so_a_recycled_instance_keeps_the_poll_interval()
    {
        await (await CreateAsync(("a", 300, SyncConfigStatus.Active))).TickAsync();
        VerifyRan("a", 1);
        var schedule = await new DueScheduleRepository(StateStoreMock.Create(_rows).Object, _time.Object).GetAsync("a");
        Assert.Equal(_now + TimeSpan.FromSeconds(300), schedule.NextDueAt);
        Assert.Equal(DueReason.Due, schedule.Reason);

        // The instance is recycled: the new one reads the schedule instead of treating every config as due.
        _now += TimeSpan.FromSeconds(60);
        Assert.Equal(0, (await NewInstance().TickAsync()).Due);
        VerifyRan("a", 1);
        _now += TimeSpan.FromSeconds(240);
        Assert.Equal(1, (await NewInstance().TickAsync()).Due);
        VerifyRan("a", 2);
    }

    [Fact]
    public async Task A_next_due_time_set_through_the_schedule_api_is_what_the_tick_follows()
    {
        var scheduler = await CreateAsync(("a", 60, SyncConfigStatus.Active));
        var schedules = new DueScheduleRepository(StateStoreMock.Create(_rows).Object, _time.Object);
        await schedules.SetNextDueAsync("a", _now + TimeSpan.FromMinutes(10), DueReason.Backoff);

        _now += TimeSpan.FromMinutes(5);
        Assert.Equal(0, (await scheduler.TickAsync()).Due);
        _now += TimeSpan.FromMinutes(5);
        Assert.Equal(1, (await scheduler.TickAsync()).Due);
        VerifyRan("a", 1);
        // The tick keeps the reason until the run writes its own.
        Assert.Equal(DueReason.Backoff, (await schedules.GetAsync("a")).Reason);
    }
}
