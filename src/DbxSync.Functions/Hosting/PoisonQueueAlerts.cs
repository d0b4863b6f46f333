using System.Text.Json;
using Azure.Storage.Queues;
using DbxSync.Core.Ports;
using DbxSync.Functions.Api.Json;

namespace DbxSync.Functions.Hosting;

/// <summary>
/// Sends a config's error-state alert to sync-runs-poison, the queue operators alert on (docs/deployment.md), as
/// {"kind":"config_error_state", "config_id", "run_id", "trigger", "error", "episode_started_at", "next_probe_at"}:
/// one message per error episode, where a retried message would have put one there per poll interval.
/// </summary>
public sealed class PoisonQueueAlerts(QueueClient poison) : IFailureAlerts
{
    public const string Kind = "config_error_state";
    private volatile bool _created;

    public async Task SendAsync(FailureAlert alert, CancellationToken cancellationToken = default)
    {
        if (!_created)
        {
            await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _created = true;
        }
        var body = JsonSerializer.Serialize(new Wire(Kind, alert.ConfigId, alert.RunId, alert.Trigger, alert.Error, alert.EpisodeStartedAt, alert.NextProbeAt), ApiJson.Options);
        await poison.SendMessageAsync(body, cancellationToken);
    }

    private sealed record Wire(string Kind, string ConfigId, string RunId, Core.Runs.RunTrigger Trigger, string Error, DateTimeOffset EpisodeStartedAt, DateTimeOffset NextProbeAt);
}
