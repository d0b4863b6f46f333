using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
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
        var runs = new SyncRunRepository(StateStoreMock.Create(_rows).Object, _time.Object);
        return new SyncScheduler(repository, runs, _queue.Object, _time.Object, NullLogger<SyncScheduler>.Instance);
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
}
