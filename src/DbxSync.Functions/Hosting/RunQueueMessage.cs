using System.Text.Json;
using DbxSync.Core.Runs;
using DbxSync.Functions.Api.Json;

namespace DbxSync.Functions.Hosting;

/// <summary>The sync-runs message: {"config_id", "trigger", "run_id"} in the API's snake_case JSON.</summary>
public static class RunQueueMessage
{
    public static string Format(QueuedRun run) => JsonSerializer.Serialize(new Wire(run.ConfigId, run.Trigger, run.RunId), ApiJson.Options);

    public static QueuedRun Parse(string message)
    {
        var wire = JsonSerializer.Deserialize<Wire>(message, ApiJson.Options);
        return wire is { ConfigId.Length: > 0, RunId.Length: > 0 }
            ? new QueuedRun(wire.ConfigId, wire.Trigger, wire.RunId)
            : throw new FormatException("A sync-runs message needs config_id, trigger and run_id.");
    }

    private sealed record Wire(string ConfigId, RunTrigger Trigger, string RunId);
}
