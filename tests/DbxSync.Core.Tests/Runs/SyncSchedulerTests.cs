using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DbxSync.Core.Tests.Runs;

/// <summary>SyncScheduler alone: which configs a tick finds due.</summary>
public class SyncSchedulerTests
{
    private readonly Dictionary<(string, string, string), StateEntity> _rows = new();
    private readonly Mock<ISyncRunner> _runner = new();
    private readonly Mock<TimeProvider> _time = new() { CallBase = true };
    private DateTimeOffset _now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public SyncSchedulerTests()
    {
        _time.Setup(t => t.GetUtcNow()).Returns(() => _now);
        _runner.Setup(r => r.RunAsync(It.IsAny<RunRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((RunRequest request, CancellationToken _) => new SyncRun
            {
                ConfigId = request.ConfigId, RunId = "r", Trigger = request.Trigger, StartedAt = _now, Outcome = RunOutcome.NoChange,
            });
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
        return new SyncScheduler(repository, _runner.Object, _time.Object, new SchedulerOptions(), NullLogger<SyncScheduler>.Instance);
    }

    private void VerifyRan(string configId, int times) =>
        _runner.Verify(r => r.RunAsync(It.Is<RunRequest>(q => q.ConfigId == configId && q.Trigger == RunTrigger.Timer), It.IsAny<CancellationToken>()), Times.Exactly(times));

    [Fact]
    public async Task Active_configs_are_due_on_the_first_tick_and_paused_ones_never()
    {
        var scheduler = await CreateAsync(("a", 60, SyncConfigStatus.Active), ("b", 300, SyncConfigStatus.Active), ("paused", 60, SyncConfigStatus.Paused));

        var tick = await scheduler.TickAsync();

        Assert.Equal((3, 2, 2), (tick.Configs, tick.Due, tick.NoChange));
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
    public async Task A_run_that_throws_counts_as_failed_and_does_not_stop_the_tick()
    {
        var scheduler = await CreateAsync(("a", 60, SyncConfigStatus.Active), ("b", 60, SyncConfigStatus.Active));
        _runner.Setup(r => r.RunAsync(It.Is<RunRequest>(q => q.ConfigId == "a"), It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("boom"));

        var tick = await scheduler.TickAsync();

        Assert.Equal((2, 1, 1), (tick.Due, tick.Failed, tick.NoChange));
    }
}
