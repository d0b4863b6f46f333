using System.Collections.Concurrent;
using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Principals;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Runs;

public sealed record SyncRunnerOptions
{
    /// <summary>Attempts of one run when it fails transiently (throttling, 5xx, lost connection).</summary>
    public int MaxAttempts { get; init; } = 3;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Record runs that found nothing to do. Off by default: a 1-minute probe of 500 configs would flood SyncRuns.</summary>
    public bool RecordNoChangeRuns { get; init; }
    /// <summary>How often a recorded run's progress is written to its run record.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// Overall limit of one run, retries included. Below the Functions timeout, so a run stalled anywhere stops, is
    /// recorded and lets go of its lease instead of being killed while holding it. The app derives it from host.json's
    /// functionTimeout or the DbxSync:Runs:TimeLimit setting (<see cref="RunTimeLimit"/>).
    /// </summary>
    public TimeSpan MaxRunDuration { get; init; } = RunTimeLimit.Default;
}

public sealed class SyncRunner(
    SyncConfigRepository configs,
    ServicePrincipalService principals,
    SyncRunRepository runs,
    ISyncLock locks,
    SyncStateRepository state,
    IEnumerable<ISync> syncs,
    TimeProvider time,
    SyncRunnerOptions options,
    WarehouseResolver warehouses,
    RunAftermath aftermath,
    ILogger<SyncRunner> logger) : ISyncRunner
{
    private readonly Dictionary<SyncConfigType, ISync> _syncs = syncs.ToDictionary(s => s.Type);
    private readonly UnchangedProbe _probe = new(principals, warehouses, state, aftermath, time, logger);

    public async Task<SyncRun> RunAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        var config = await configs.GetAsync(request.ConfigId, cancellationToken)
            ?? throw new NotFoundException($"Sync config '{request.ConfigId}' does not exist.", "sync-config-not-found");
        var run = new SyncRun
        {
            ConfigId = config.Id,
            RunId = request.RunId ?? runs.NewRunId(),
            Trigger = request.Trigger,
            StartedAt = time.GetUtcNow(),
            Subject = request.SubjectBlob,
        };
        if (!config.IsActive && request.Trigger != RunTrigger.Manual)
            return await SkippedAsync(run with { Message = "config is paused" }, request, cancellationToken);
        // An unchanged source is judged before the lease, with no run row (unless no-change runs are recorded).
        if (!options.RecordNoChangeRuns && _syncs.GetValueOrDefault(config.ConfigType) is { } probed
            && await _probe.TryAsync(config, probed, run, request, cancellationToken) is { } unchanged)
            return Logged(config, unchanged);

        await using var lease = await locks.TryAcquireAsync(LockName(config.Id), cancellationToken);
        if (lease is null)
            return await SkippedAsync(run with { Message = "another run of this config is in progress" }, request, cancellationToken);

        var stopBy = time.GetUtcNow() + options.MaxRunDuration;
        using var deadline = new CancellationTokenSource(options.MaxRunDuration, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.LeaseLost, deadline.Token);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["ConfigId"] = config.Id, ["RunId"] = run.RunId });
        var recorded = request.Trigger == RunTrigger.Manual || options.RecordNoChangeRuns;
        if (recorded)
            await runs.SaveAsync(run, cancellationToken);
        var progress = recorded ? new RunProgressRecorder(runs, run, request.Progress, time, options.ProgressInterval) : null;

        SyncRun finished;
        try
        {
            // Under the lease: a config whose path, pk or label changed since its state was written starts over.
            if (await state.ResetIfSourceChangedAsync(config, time.GetUtcNow(), linked.Token))
                logger.LogWarning("The source of config {ConfigId} changed (now {DatabricksPath}, pk {PkColumn}, label {LabelColumn}); its checkpoint and manifests were reset",
                    config.Id, config.DatabricksPath, config.PkColumn, config.LabelColumn);
            var result = await RunWithRetriesAsync(config, run, request with { Progress = progress ?? request.Progress }, stopBy, linked.Token);
            finished = run.Finished(result, time.GetUtcNow());
        }
        catch (Exception ex) when (ex is OperationCanceledException or WorkspaceException or StorageException
                                   && lease.LeaseLost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            logger.LogError("Run {RunId} of config {ConfigId} lost its lock (lease renewal failed) and stopped", run.RunId, config.Id);
            finished = run with { FinishedAt = time.GetUtcNow(), Outcome = RunOutcome.Failed, Retryable = true, FailureClass = FailureClass.Transient, Error = "The run lost its lock (lease renewal failed) and stopped; the next run redoes the work." };
        }
        catch (Exception ex) when (ex is OperationCanceledException or WorkspaceException or StorageException
                                   && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            logger.LogError("Run {RunId} of config {ConfigId} reached its time limit of {Limit} and stopped", run.RunId, config.Id, options.MaxRunDuration);
            finished = run with
            {
                FinishedAt = time.GetUtcNow(), Outcome = RunOutcome.Failed, FailureClass = FailureClass.Transient, StoppedAtTimeLimit = true,
                Error = $"The run reached its time limit ({options.MaxRunDuration.TotalSeconds:0.#} s) and stopped; the next run continues from the last checkpoint.",
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only a transient failure goes back to the queue; a permanent one puts the config into its error state.
            var failure = FailureClassifier.Classify(ex);
            logger.LogError("Run {RunId} of {ConfigType} config {ConfigId} failed ({FailureClass}): {Error}", run.RunId, config.ConfigType.ToWire(), config.Id, failure, Describe(ex));
            finished = run with { FinishedAt = time.GetUtcNow(), Outcome = RunOutcome.Failed, Retryable = failure == FailureClass.Transient, FailureClass = failure, Error = Describe(ex) };
        }
        if (progress is not null)
        {
            await progress.StopAsync();
            finished = finished with { Progress = progress.Latest };
        }

        finished = await aftermath.ScheduleNextAsync(config, finished, request.FinalDelivery, known: null, CancellationToken.None);
        if (finished.Outcome != RunOutcome.NoChange || request.Trigger == RunTrigger.Manual || options.RecordNoChangeRuns)
            await runs.SaveAsync(finished, CancellationToken.None);
        return Logged(config, finished);
    }

    private SyncRun Logged(SyncConfig config, SyncRun finished)
    {
        logger.LogInformation("Run {RunId} of {ConfigType} config {ConfigId}: {Outcome}; versions {From}-{To}, {Rows} rows, {Files} files, {Bytes} bytes in {DurationMs} ms",
            finished.RunId, config.ConfigType.ToWire(), config.Id, finished.Outcome, finished.FromVersion, finished.ToVersion, finished.Rows, finished.Files, finished.Bytes, finished.DurationMs);
        return finished;
    }

    /// <summary>The cross-instance lock one config's runs take.</summary>
    public static string LockName(string configId) => "sync-" + configId;

    /// <summary>A skip is recorded only when the run was announced beforehand (a queued manual run someone polls).</summary>
    private async Task<SyncRun> SkippedAsync(SyncRun run, RunRequest request, CancellationToken cancellationToken)
    {
        var skipped = run with { Outcome = RunOutcome.Skipped, FinishedAt = time.GetUtcNow() };
        if (request.RunId is not null) await runs.SaveAsync(skipped, cancellationToken);
        return skipped;
    }

    private async Task<SyncResult> RunWithRetriesAsync(SyncConfig config, SyncRun run, RunRequest request, DateTimeOffset stopBy, CancellationToken cancellationToken)
    {
        var sync = _syncs.TryGetValue(config.ConfigType, out var s) ? s
            : throw new InvalidOperationException($"No sync is registered for {config.ConfigType.ToWire()}.");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var principal = await principals.GetAsync(config.ServicePrincipalId, cancellationToken);
                var workspace = await principals.ConnectAsync(principal, cancellationToken);
                var warehouse = config.RunsSql ? await warehouses.ResolveAsync(config, principal, workspace, cancellationToken) : null;
                var context = new SyncContext(config, workspace, warehouse, request.Trigger, run.RunId, request.SubjectBlob, request.Progress, logger, stopBy);
                return await sync.RunAsync(context, cancellationToken);
            }
            catch (Exception ex) when (attempt < options.MaxAttempts && IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                // Every sync step is idempotent, so running the whole sync again is safe.
                logger.LogWarning("Attempt {Attempt} of run {RunId} failed transiently ({Error}); retrying", attempt, run.RunId, Describe(ex));
                await Task.Delay(options.RetryDelay * attempt, time, cancellationToken);
            }
        }
    }

    internal static bool IsTransient(Exception ex) => ex switch
    {
        // A statement that failed as a whole (INTERNAL_ERROR...) ran nothing: running the sync again is safe. A write
        // whose outcome is unknown (Kind Other) is not retried here; a new delivery checks its effect first.
        WorkspaceException w => w.IsTransient || w.Kind is WorkspaceErrorKind.Throttled or WorkspaceErrorKind.Unreachable
                                || (w.Kind == WorkspaceErrorKind.SqlError && FailureClassifier.Classify(w) == FailureClass.Transient),
        StorageException s => s.IsTransient,
        HttpRequestException or TimeoutException or IOException => true,
        _ => false,
    };

    // Messages of our own exception types are written to carry no secrets; anything else is reduced to its type.
    internal static string Describe(Exception ex) => ex switch
    {
        WorkspaceException w => w.ErrorClass is null ? w.Message : $"[{w.ErrorClass}] {w.Message}",
        ValidationException or NotFoundException or ConflictException or ConcurrencyException or StorageException => ex.Message,
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
