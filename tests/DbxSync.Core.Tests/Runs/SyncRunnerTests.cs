using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Principals;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DbxSync.Core.Tests.Runs;

/// <summary>SyncRunner alone: its retry policy and what it does when the lock's lease is lost.</summary>
public class SyncRunnerTests
{
    private const string PrincipalId = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
    private readonly Dictionary<(string, string, string), StateEntity> _rows = new();
    private readonly Mock<IStateStore> _state;
    private readonly Mock<ISyncLock> _locks = new();
    private readonly Mock<ISyncLease> _lease = new();
    private readonly CancellationTokenSource _leaseLost = new();
    private readonly Mock<ISync> _sync = new();

    public SyncRunnerTests()
    {
        _state = StateStoreMock.Create(_rows);
        _lease.SetupGet(l => l.LeaseLost).Returns(_leaseLost.Token);
        _locks.Setup(l => l.TryAcquireAsync("sync-cfg1", It.IsAny<CancellationToken>())).ReturnsAsync(_lease.Object);
        _sync.SetupGet(s => s.Type).Returns(SyncConfigType.VolumeForward);
    }

    private async Task<SyncRunner> CreateAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var configs = new SyncConfigRepository(_state.Object);
        var principals = new ServicePrincipalRepository(_state.Object);
        await principals.InsertAsync(new ServicePrincipal
        {
            Id = PrincipalId, WorkspaceUrl = "https://adb-1.azuredatabricks.net", AuthType = WorkspaceAuthType.PersonalAccessToken,
            SecretName = "dbxsync-sp-" + PrincipalId, CreatedAt = now, UpdatedAt = now,
        });
        await configs.InsertAsync(new SyncConfig
        {
            Id = "cfg1", Name = "files", ConfigType = SyncConfigType.VolumeForward, DatabricksPath = "/Volumes/c/s/v",
            ServicePrincipalId = PrincipalId, CreatedAt = now, UpdatedAt = now,
        });
        var secrets = new Mock<ISecretStore>();
        secrets.Setup(s => s.GetSecretAsync("dbxsync-sp-" + PrincipalId, It.IsAny<CancellationToken>())).ReturnsAsync("dapi-token");
        var connector = new Mock<IDatabricksConnector>();
        connector.Setup(c => c.Connect(It.IsAny<WorkspaceCredentials>())).Returns(Mock.Of<IDatabricksWorkspace>());
        var principalService = new ServicePrincipalService(principals, configs, secrets.Object, connector.Object, TimeProvider.System, NullLogger<ServicePrincipalService>.Instance);
        return new SyncRunner(configs, principalService, new SyncRunRepository(_state.Object, TimeProvider.System), _locks.Object, new SyncStateRepository(_state.Object), [_sync.Object], TimeProvider.System,
            new SyncRunnerOptions { MaxAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(1) }, new WarehouseResolver(),
            new RunAftermath(new DueScheduleRepository(_state.Object, TimeProvider.System), NullLogger<RunAftermath>.Instance), NullLogger<SyncRunner>.Instance);
    }

    private List<string?> RecordedOutcomes() =>
        _rows.Where(r => r.Key.Item1 == StateTables.SyncRuns).Select(r => r.Value.GetString("Outcome")).ToList();

    [Fact]
    public async Task A_transient_failure_is_retried_and_the_run_succeeds()
    {
        _sync.SetupSequence(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new StorageException("storage busy", 503, "ServerBusy"))
            .ThrowsAsync(new HttpRequestException("connection reset"))
            .ReturnsAsync(new SyncResult { Files = 2, Bytes = 10 });
        var runner = await CreateAsync();

        var run = await runner.RunAsync(new RunRequest("cfg1", RunTrigger.Manual));

        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(2, run.Files);
        _sync.Verify(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>()), Times.Exactly(3));
        _lease.Verify(l => l.DisposeAsync(), Times.Once);
    }

    [Fact]
    public async Task Retries_stop_at_the_attempt_limit_and_permanent_errors_are_not_retried()
    {
        _sync.Setup(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>())).ThrowsAsync(new StorageException("storage busy", 503, "ServerBusy"));
        var runner = await CreateAsync();
        var run = await runner.RunAsync(new RunRequest("cfg1", RunTrigger.Manual));
        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Contains("storage busy", run.Error);
        _sync.Verify(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>()), Times.Exactly(3));

        _sync.Reset();
        _sync.SetupGet(s => s.Type).Returns(SyncConfigType.VolumeForward);
        _sync.Setup(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>())).ThrowsAsync(new ConcurrencyException("checkpoint moved"));
        run = await runner.RunAsync(new RunRequest("cfg1", RunTrigger.Manual));
        Assert.Equal(RunOutcome.Failed, run.Outcome);
        _sync.Verify(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_lost_lease_cancels_the_sync_and_fails_the_run_without_retrying()
    {
        _sync.Setup(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>()))
            .Returns(async (SyncContext _, CancellationToken ct) =>
            {
                await _leaseLost.CancelAsync();
                await Task.Delay(Timeout.Infinite, ct);
                return new SyncResult();
            });
        var runner = await CreateAsync();

        var run = await runner.RunAsync(new RunRequest("cfg1", RunTrigger.Timer));

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Contains("lost its lock", run.Error);
        Assert.Equal([RunOutcome.Failed.ToString()], RecordedOutcomes(), StringComparer.OrdinalIgnoreCase);
        _sync.Verify(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_config_locked_elsewhere_is_skipped_without_running()
    {
        _locks.Setup(l => l.TryAcquireAsync("sync-cfg1", It.IsAny<CancellationToken>())).ReturnsAsync((ISyncLease?)null);
        var runner = await CreateAsync();

        var run = await runner.RunAsync(new RunRequest("cfg1", RunTrigger.Timer));

        Assert.Equal(RunOutcome.Skipped, run.Outcome);
        _sync.Verify(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>()), Times.Never);
    }
}
