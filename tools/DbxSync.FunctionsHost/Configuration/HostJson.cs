using System.Text.Json.Nodes;
using Azure.Storage.Queues;

namespace DbxSync.FunctionsHost.Configuration;

/// <summary>The parts of the app's host.json that configure the host and its trigger extensions (defaults as in Azure).</summary>
public sealed class HostJson
{
    public string RoutePrefix { get; private init; } = "api";
    public QueueSettings Queues { get; private init; } = new();
    public int PoisonBlobThreshold { get; private init; } = 5;

    public static HostJson Load(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path))
            return new HostJson();
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new System.Text.Json.JsonDocumentOptions
        {
            CommentHandling = System.Text.Json.JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        }) as JsonObject ?? new JsonObject();
        var extensions = root["extensions"] as JsonObject;
        var queues = extensions?["queues"] as JsonObject;
        var blobs = extensions?["blobs"] as JsonObject;
        var defaults = new QueueSettings();
        var batchSize = Int(queues, "batchSize") ?? defaults.BatchSize;
        return new HostJson
        {
            RoutePrefix = (extensions?["http"]?["routePrefix"]?.GetValue<string>() ?? "api").Trim('/'),
            PoisonBlobThreshold = Int(blobs, "poisonBlobThreshold") ?? 5,
            Queues = new QueueSettings
            {
                BatchSize = batchSize,
                NewBatchThreshold = Int(queues, "newBatchThreshold") ?? batchSize / 2,
                VisibilityTimeout = Span(queues, "visibilityTimeout") ?? defaults.VisibilityTimeout,
                MaxPollingInterval = Span(queues, "maxPollingInterval") ?? defaults.MaxPollingInterval,
                MaxDequeueCount = Int(queues, "maxDequeueCount") ?? defaults.MaxDequeueCount,
                Base64 = !string.Equals(queues?["messageEncoding"]?.GetValue<string>(), "none", StringComparison.OrdinalIgnoreCase),
            },
        };
    }

    private static int? Int(JsonObject? section, string name) => section?[name] is { } node ? (int)node.GetValue<double>() : null;

    private static TimeSpan? Span(JsonObject? section, string name) =>
        section?[name]?.GetValue<string>() is { } text ? TimeSpan.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : null;
}

/// <summary>extensions.queues with the queue extension's defaults.</summary>
public sealed class QueueSettings
{
    public int BatchSize { get; init; } = 16;
    public int NewBatchThreshold { get; init; } = 8;
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);
    public int MaxDequeueCount { get; init; } = 5;
    public bool Base64 { get; init; } = true;

    /// <summary>A queue client that encodes and decodes messages as messageEncoding says (what triggers read, outputs write).</summary>
    public QueueClientOptions ClientOptions() => new() { MessageEncoding = Base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None };
}
