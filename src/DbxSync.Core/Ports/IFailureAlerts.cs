namespace DbxSync.Core.Ports;

/// <summary>
/// The one message per error episode that an operator alerts on: a config entered its error state (a permanent
/// failure). Sent on the sync-runs-poison queue, the queue the deployment guide tells operators to alert on.
/// </summary>
public sealed record FailureAlert(string ConfigId, string RunId, Runs.RunTrigger Trigger, string Error, DateTimeOffset EpisodeStartedAt, DateTimeOffset NextProbeAt);

public interface IFailureAlerts
{
    Task SendAsync(FailureAlert alert, CancellationToken cancellationToken = default);
}
