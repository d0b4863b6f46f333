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
    private readonly Mock<IFailureAlerts> _alerts = new();

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
            new RunAftermath(new DueScheduleRepository(_state.Object, TimeProvider.System), _alerts.Object, new ErrorBackoffOptions { Cap = TimeSpan.FromMinutes(10) }, TimeProvider.System,
                NullLogger<RunAftermath>.Instance), NullLogger<SyncRunner>.Instance);
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

    private DueSchedule Schedule() => new DueScheduleRepository(_state.Object, TimeProvider.System).GetAsync("cfg1").GetAwaiter().GetResult();

    [Fact]
    public async Task A_permanent_failure_is_not_retried_enters_the_error_state_with_growing_backoff_and_alerts_once_per_episode()
    {
        var gone = new WorkspaceException(WorkspaceErrorKind.SqlError, "[TABLE_OR_VIEW_NOT_FOUND] The table or view `c`.`s`.`t` cannot be found.",
            errorCode: "BAD_REQUEST", errorClass: "TABLE_OR_VIEW_NOT_FOUND", sqlState: "42P01");
        _sync.Setup(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>())).ThrowsAsync(gone);
        var runner = await CreateAsync();

        var waits = new List<TimeSpan>();
        for (var probe = 1; probe <= 4; probe++)
        {
            var run = await runner.RunAsync(new RunRequest("cfg1", RunTrigger.Timer));
            Assert.Equal(RunOutcome.Failed, run.Outcome);
            Assert.Equal(FailureClass.Permanent, run.FailureClass);
            Assert.False(run.Retryable, "a permanent failure must not go back to the queue");
            var schedule = Schedule();
            Assert.True(schedule.InErrorState);
            Assert.Equal(probe, schedule.ConsecutiveFailures);
            Assert.Equal(DueReason.Backoff, schedule.Reason);
            Assert.Contains("TABLE_OR_VIEW_NOT_FOUND", schedule.Error);
            waits.Add(schedule.NextDueAt!.Value - run.FinishedAt!.Value);
        }
        // Not retried within the run either, and the next probe comes later and later up to the cap.
        _sync.Verify(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>()), Times.Exactly(4));
        Assert.True(waits[1] > waits[0] && waits[2] > waits[1], string.Join(", ", waits));
        Assert.True(waits[3] <= TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1), string.Join(", ", waits));
        _alerts.Verify(a => a.SendAsync(It.Is<FailureAlert>(f => f.ConfigId == "cfg1" && f.Error.Contains("TABLE_OR_VIEW_NOT_FOUND")), It.IsAny<CancellationToken>()), Times.Once);

        // The cause goes away: the next run recovers the config by itself; a new episode alerts again.
        _sync.Reset();
        _sync.SetupGet(s => s.Type).Returns(SyncConfigType.VolumeForward);
        _sync.Setup(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>())).ReturnsAsync(new SyncResult { Files = 1 });
        Assert.Equal(RunOutcome.Succeeded, (await runner.RunAsync(new RunRequest("cfg1", RunTrigger.Timer))).Outcome);
        Assert.False(Schedule().InErrorState);
        Assert.Equal(DueReason.Due, Schedule().Reason);
        _sync.Setup(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>())).ThrowsAsync(gone);
        await runner.RunAsync(new RunRequest("cfg1", RunTrigger.Timer));
        _alerts.Verify(a => a.SendAsync(It.IsAny<FailureAlert>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task A_transient_failure_that_outlasts_the_attempts_goes_back_to_the_queue_without_an_error_state()
    {
        _sync.Setup(s => s.RunAsync(It.IsAny<SyncContext>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new WorkspaceException(WorkspaceErrorKind.Throttled, "429 REQUEST_LIMIT_EXCEEDED", 429, "REQUEST_LIMIT_EXCEEDED", isTransient: true));
        var runner = await CreateAsync();

        var run = await runner.RunAsync(new RunRequest("cfg1", RunTrigger.Timer));

        Assert.Equal((RunOutcome.Failed, FailureClass.Transient, true), (run.Outcome, run.FailureClass, run.Retryable));
        Assert.False(Schedule().InErrorState);
        _alerts.Verify(a => a.SendAsync(It.IsAny<FailureAlert>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Theory]
    [InlineData(WorkspaceErrorKind.PermissionDenied, 403, "PERMISSION_DENIED", null, null, FailureClass.Permanent)]
    [InlineData(WorkspaceErrorKind.InvalidCredentials, 401, "401", null, null, FailureClass.Permanent)]
    [InlineData(WorkspaceErrorKind.NotFound, 404, "RESOURCE_DOES_NOT_EXIST", null, null, FailureClass.Permanent)]
    [InlineData(WorkspaceErrorKind.SqlError, null, "BAD_REQUEST", "INSUFFICIENT_PERMISSIONS", "42501", FailureClass.Permanent)]
    [InlineData(WorkspaceErrorKind.SqlError, null, "BAD_REQUEST", "VOLUME_NOT_FOUND", "42704", FailureClass.Permanent)]
    [InlineData(WorkspaceErrorKind.SqlError, null, "INTERNAL_ERROR", "INTERNAL_ERROR", "XX000", FailureClass.Transient)]
    [InlineData(WorkspaceErrorKind.Unreachable, 503, "TEMPORARILY_UNAVAILABLE", null, null, FailureClass.Transient)]
    [InlineData(WorkspaceErrorKind.Other, null, null, null, null, FailureClass.Transient)]
    public void Databricks_failures_are_classified_by_code_class_and_sqlstate(WorkspaceErrorKind kind, int? status, string? code, string? errorClass, string? sqlState, FailureClass expected)
        => Assert.Equal(expected, FailureClassifier.Classify(new WorkspaceException(kind, "failed", status, code, errorClass, sqlState)));

    [Theory]
    [InlineData("CAST_INVALID_INPUT", "22018", true)]
    [InlineData("DELTA_NOT_NULL_CONSTRAINT_VIOLATED", "23502", true)]
    [InlineData("DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE", "21506", true)]
    [InlineData("TABLE_OR_VIEW_ALREADY_EXISTS", "42P07", false)]
    [InlineData("TABLE_OR_VIEW_NOT_FOUND", "42P01", false)]
    [InlineData("INTERNAL_ERROR", "XX000", false)]
    public void Only_errors_in_the_files_values_are_data_errors(string errorClass, string sqlState, bool isData)
        => Assert.Equal(isData, FailureClassifier.IsDataError(new WorkspaceException(WorkspaceErrorKind.SqlError, "failed", errorCode: "BAD_REQUEST", errorClass: errorClass, sqlState: sqlState)));
}
