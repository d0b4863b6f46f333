using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.State;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Runs;

public sealed record ErrorBackoffOptions
{
    /// <summary>The longest wait between two probes of a config in its error state.</summary>
    public TimeSpan Cap { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>
/// What follows a finished run: the config's next due time and its reason in SyncState (<see cref="DueSchedule"/>),
/// which the timer reads, so the schedule survives instance recycling. A permanent failure opens (or continues) the
/// config's error episode: the next probe waits twice as long after each failure, up to a cap, and the episode's
/// first failure sends the one alert. So does a transient failure on the last delivery of its message (the outage
/// outlasted every retry). The next run that does not fail permanently or transiently ends the episode.
/// </summary>
public sealed class RunAftermath(DueScheduleRepository schedules, IFailureAlerts alerts, ErrorBackoffOptions backoff, TimeProvider time, ILogger<RunAftermath> logger)
{
    /// <summary>
    /// Writes the config's next due time after <paramref name="run"/>; returns the run as it is to be recorded.
    /// <paramref name="finalDelivery"/>: the run's message will not be delivered again (<see cref="RunRequest.FinalDelivery"/>).
    /// <paramref name="known"/>: the schedule as read a moment ago (with its ETag): no read unless it moved since.
    /// </summary>
    public async Task<SyncRun> ScheduleNextAsync(SyncConfig config, SyncRun run, bool finalDelivery, DueSchedule? known, CancellationToken cancellationToken)
    {
        try
        {
            return await ScheduleAsync(config, run, finalDelivery, known, cancellationToken);
        }
        catch (Exception ex) when (ex is StorageException or ConcurrencyException or ConflictException)
        {
            // The run itself is over and is still recorded; the scheduler's claim stands until the next run writes.
            logger.LogWarning("Could not write the schedule of config {ConfigId} after run {RunId}: {Error}", config.Id, run.RunId, ex.Message);
            return run;
        }
    }

    private async Task<SyncRun> ScheduleAsync(SyncConfig config, SyncRun run, bool finalDelivery, DueSchedule? known, CancellationToken cancellationToken)
    {
        var poll = TimeSpan.FromSeconds(config.PollIntervalSeconds);
        switch (run)
        {
            case { Outcome: RunOutcome.Skipped }:
                return run;
            case { Outcome: RunOutcome.Failed, FailureClass: FailureClass.Permanent }:
                return await EnterErrorStateAsync(config, run, poll, cancellationToken);
            case { Outcome: RunOutcome.Failed, FailureClass: FailureClass.Transient, Retryable: true } when finalDelivery:
                // Every delivery failed: the outage outlasted the queue's retries. Thrown now, the host would poison the
                // message, and the next interval's message too: one alert per interval. It is an episode instead, like a
                // permanent failure (backoff, one alert), and the message is done with.
                return await EnterErrorStateAsync(config, run, poll, cancellationToken) with { Retryable = false };
            case { Outcome: RunOutcome.Partial }:
                // Stopped at its time limit with parts left: due again at once to continue. It worked, so an episode is over.
                await schedules.UpdateAsync(config.Id, s => s.Recovered(time.GetUtcNow()) with { Reason = DueReason.Continuing, IntervalSeconds = null }, cancellationToken);
                return run;
            case { Outcome: RunOutcome.Failed, StoppedAtTimeLimit: true }:
                // Cut off mid-step: what it finished is checkpointed, the rest is redone by the next run, due at once.
                await schedules.UpdateAsync(config.Id, s => s with { NextDueAt = time.GetUtcNow(), Reason = DueReason.Continuing }, cancellationToken);
                return run;
            case { Outcome: RunOutcome.Failed, FailureClass: FailureClass.Transient or null }:
                // Retried by the queue; an error episode in progress keeps its backoff (a blip says nothing of its cause).
                await schedules.UpdateAsync(config.Id, s => s.InErrorState ? s : s with { NextDueAt = run.StartedAt + poll, Reason = DueReason.Due }, cancellationToken);
                return run;
            default:
                // Succeeded, no change, or a rejected file (the config works): the episode, if any, is over. No change
                // doubles the interval up to the config's cap, anything else goes back to the poll interval.
                DueSchedule? before = null;
                await schedules.UpdateAsync(config.Id, known,
                    s => AdaptiveInterval.After(before = s, config, run.Outcome == RunOutcome.NoChange, run.StartedAt), cancellationToken);
                if (before is { InErrorState: true })
                    logger.LogWarning("Config {ConfigId} recovered after {Failures} failed probe(s) since {Since}", config.Id, before.ConsecutiveFailures, before.ErrorSince);
                return run;
        }
    }

    private async Task<SyncRun> EnterErrorStateAsync(SyncConfig config, SyncRun run, TimeSpan poll, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var alertNow = false;
        var schedule = await schedules.UpdateAsync(config.Id, s =>
        {
            var failures = s.InErrorState ? s.ConsecutiveFailures + 1 : 1;
            alertNow = s.AlertedAt is null || !s.InErrorState;
            return s with
            {
                NextDueAt = now + Backoff(poll, failures),
                Reason = DueReason.Backoff,
                Error = run.Error,
                ErrorSince = s.InErrorState ? s.ErrorSince : now,
                ConsecutiveFailures = failures,
                AlertedAt = alertNow ? now : s.AlertedAt,
            };
        }, cancellationToken);
        logger.LogWarning("Config {ConfigId} is in its error state ({Failures} failed probe(s) since {Since}); next probe at {NextDueAt}: {Error}",
            config.Id, schedule.ConsecutiveFailures, schedule.ErrorSince, schedule.NextDueAt, run.Error);
        if (alertNow)
        {
            try
            {
                await alerts.SendAsync(new FailureAlert(config.Id, run.RunId, run.Trigger, run.Error ?? "failed", schedule.ErrorSince ?? now, schedule.NextDueAt ?? now), cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Not sent: the episode's next failure tries again.
                logger.LogError("Could not send the error-state alert of config {ConfigId}: {Error}", config.Id, ex.Message);
                await schedules.UpdateAsync(config.Id, s => s with { AlertedAt = null }, cancellationToken);
            }
        }
        var message = $"The config is in its error state (failure {schedule.ConsecutiveFailures} since {schedule.ErrorSince:u}); next probe at {schedule.NextDueAt:u}.";
        return run with { Message = run.Message is null ? message : run.Message + " " + message };
    }

    /// <summary>Twice the poll interval after the first failure, doubling with each, up to the cap.</summary>
    public TimeSpan Backoff(TimeSpan poll, int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures, 20));
        var wait = TimeSpan.FromSeconds(Math.Min(poll.TotalSeconds * factor, backoff.Cap.TotalSeconds));
        return wait < poll ? poll : wait;
    }
}
