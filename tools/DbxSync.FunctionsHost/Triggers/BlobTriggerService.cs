using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using DbxSync.FunctionsHost.Configuration;
using DbxSync.FunctionsHost.Rpc;
using DbxSync.FunctionsHost.Worker;

namespace DbxSync.FunctionsHost.Triggers;

/// <summary>
/// Blob triggers with Source = EventGrid. Locally nothing sends Event Grid events, so the host plays that part: it lists
/// each trigger's container and treats every blob version (name + ETag) without a receipt as a BlobCreated event. It
/// also takes real Event Grid deliveries on /runtime/webhooks/blobs. Receipts live where the blob extension keeps
/// them (azure-webjobs-hosts/blobreceipts/...), so each version triggers once, across restarts too. A failing blob is
/// tried poisonBlobThreshold times, then reported on webjobs-blobtrigger-poison as the blob extension does.
/// </summary>
public sealed class BlobTriggerService(
    AppSettings settings,
    HostJson hostJson,
    LocalHostOptions options,
    FunctionInvoker invoker,
    ILogger<BlobTriggerService> log)
{
    public const string HostsContainer = "azure-webjobs-hosts";
    public const string PoisonQueue = "webjobs-blobtrigger-poison";
    private readonly ConcurrentDictionary<string, Listener> _listeners = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The host id that scopes receipts and timer status (AzureFunctionsWebHost__hostid, else from the app's name).</summary>
    public string HostId => settings["AzureFunctionsWebHost__hostid"] is { Length: > 0 } id ? id : DefaultHostId(options.AppDirectory);

    public async Task RunAsync(FunctionDescriptor function, CancellationToken cancellationToken)
    {
        if (!string.Equals(function.TriggerString("source"), "EventGrid", StringComparison.OrdinalIgnoreCase))
        {
            log.LogWarning("{Function}: only blob triggers with Source = EventGrid are supported (the only kind Flex Consumption runs); it will not run.", function.Name);
            return;
        }

        var pattern = new BlobPathPattern(settings.Resolve(function.TriggerString("path") ?? throw new InvalidOperationException($"{function.Name}: blobTrigger without path.")));
        var connectionName = function.TriggerString("connection") is { Length: > 0 } c ? c : "AzureWebJobsStorage";
        var container = new BlobContainerClient(settings.StorageConnection(connectionName), pattern.Container);
        var hosts = new BlobContainerClient(settings.StorageConnection(null), HostsContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await hosts.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

        var listener = new Listener(function, pattern, connectionName, container, hosts, $"blobreceipts/{HostId}/{function.FullName}/");
        await listener.LoadReceiptsAsync(cancellationToken);
        _listeners[function.FullName] = listener;
        log.LogInformation("{Function}: watching container {Container} (prefix '{Prefix}') for new blobs every {Interval} s.",
            function.Name, pattern.Container, pattern.Prefix, options.BlobScanInterval.TotalSeconds);

        var processing = Task.Run(() => ProcessAsync(listener, cancellationToken), cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, pattern.Prefix, cancellationToken))
                    listener.Offer(blob.Name, blob.Properties.ETag?.ToString());
            }
            catch (RequestFailedException exception)
            {
                log.LogWarning("{Function}: listing {Container} failed: {Message}", function.Name, pattern.Container, exception.Message);
            }

            await Task.Delay(options.BlobScanInterval, cancellationToken);
        }

        await processing;
    }

    /// <summary>POST /runtime/webhooks/blobs?functionName=Host.Functions.Name: Event Grid's delivery, as the blob extension takes it.</summary>
    public async Task<IResult> HandleWebhookAsync(HttpContext context)
    {
        var functionName = context.Request.Query["functionName"].ToString();
        if (!Http.FunctionKeys.Authorize(context, "function", options))
            return Results.Unauthorized();
        if (!_listeners.TryGetValue(functionName, out var listener))
            return Results.NotFound(new { error = $"No Event Grid blob trigger named '{functionName}' (expected Host.Functions.<Name>)." });

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException exception)
        {
            return Results.BadRequest(new { error = "The body is not Event Grid JSON: " + exception.Message });
        }

        using var _ = document;
        var events = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.EnumerateArray().ToList() : [document.RootElement];
        switch (context.Request.Headers["aeg-event-type"].ToString())
        {
            case "SubscriptionValidation":
                var code = events.Select(e => e.TryGetProperty("data", out var data) && data.TryGetProperty("validationCode", out var v) ? v.GetString() : null).FirstOrDefault(v => v is not null);
                return code is null ? Results.BadRequest() : Results.Json(new { validationResponse = code });
            case "Notification":
                foreach (var e in events)
                {
                    if (e.TryGetProperty("eventType", out var type) && type.GetString() == "Microsoft.Storage.BlobCreated"
                        && e.TryGetProperty("data", out var data) && data.TryGetProperty("url", out var url))
                    {
                        var blob = new BlobUriBuilder(new Uri(url.GetString()!));
                        if (string.Equals(blob.BlobContainerName, listener.Pattern.Container, StringComparison.Ordinal))
                            listener.Offer(blob.BlobName, data.TryGetProperty("eTag", out var etag) ? etag.GetString() : null);
                    }
                }

                return Results.Accepted();
            case "Unsubscribe":
                return Results.Accepted();
            default:
                return Results.BadRequest();
        }
    }

    private async Task ProcessAsync(Listener listener, CancellationToken cancellationToken)
    {
        await foreach (var (name, _) in listener.Pending.Reader.ReadAllAsync(cancellationToken))
        {
            try
            {
                await ProcessBlobAsync(listener, name, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                log.LogError("{Function}: blob {Blob} could not be handled: {Message}", listener.Function.Name, name, exception.Message);
            }
            finally
            {
                listener.Finished(name);
            }
        }
    }

    private async Task ProcessBlobAsync(Listener listener, string name, CancellationToken cancellationToken)
    {
        var function = listener.Function;
        var tokens = listener.Pattern.Match(name);
        if (tokens is null)
            return;
        var blob = listener.Container.GetBlobClient(name);
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return;
        }

        var etag = properties.ETag.ToString();
        if (await listener.HasReceiptAsync(name, etag, cancellationToken))
            return;

        var threshold = Math.Max(1, hostJson.PoisonBlobThreshold);
        for (var attempt = 1; attempt <= threshold; attempt++)
        {
            string error;
            try
            {
                var response = await invoker.InvokeAsync(function.Name, (_, request) => Fill(request, listener, blob, properties, tokens), cancellationToken);
                if (response.Succeeded())
                {
                    await listener.WriteReceiptAsync(name, etag, cancellationToken);
                    return;
                }

                error = response.Error();
            }
            catch (WorkerUnavailableException exception)
            {
                error = exception.Message;
            }

            log.LogWarning("{Function}: blob {Container}/{Blob} failed (attempt {Attempt} of {Threshold}): {Error}",
                function.Name, listener.Pattern.Container, name, attempt, threshold, error);
            if (attempt < threshold)
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), cancellationToken);
        }

        // What the blob extension puts on its poison queue, so the same tooling finds it; the receipt stops retries after restarts.
        var poison = new QueueClient(settings.StorageConnection(null), PoisonQueue, hostJson.Queues.ClientOptions());
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await poison.SendMessageAsync(JsonSerializer.Serialize(new
        {
            Type = "BlobTrigger",
            FunctionId = function.FullName,
            BlobType = properties.BlobType.ToString(),
            ContainerName = listener.Pattern.Container,
            BlobName = name,
            ETag = etag,
        }), cancellationToken);
        await listener.WriteReceiptAsync(name, etag, cancellationToken);
        log.LogError("{Function}: blob {Container}/{Blob} moved to {Queue} after {Threshold} failed attempts.", function.Name, listener.Pattern.Container, name, PoisonQueue, threshold);
    }

    /// <summary>model_binding_data the worker's BlobClient converter resolves, plus the blob extension's trigger metadata (reference §3.3).</summary>
    private static void Fill(InvocationRequest request, Listener listener, BlobClient blob, BlobProperties properties, IReadOnlyDictionary<string, string> tokens)
    {
        request.InputData.Add(new ParameterBinding
        {
            Name = listener.Function.TriggerName,
            Data = TypedDataFactory.ModelBindingData("AzureStorageBlobs", new
            {
                Connection = listener.ConnectionName,
                ContainerName = blob.BlobContainerName,
                BlobName = blob.Name,
            }),
        });
        var metadata = request.TriggerMetadata;
        metadata["BlobTrigger"] = TypedDataFactory.String($"{blob.BlobContainerName}/{blob.Name}");
        metadata["Uri"] = TypedDataFactory.Json(blob.Uri.AbsoluteUri);
        metadata["Properties"] = TypedDataFactory.Json(new
        {
            properties.LastModified,
            properties.CreatedOn,
            properties.ContentLength,
            properties.ContentType,
            properties.ContentEncoding,
            properties.ContentLanguage,
            ContentMD5 = properties.ContentHash is null ? null : Convert.ToBase64String(properties.ContentHash),
            ETag = properties.ETag.ToString(),
            BlobType = properties.BlobType.ToString(),
            properties.Metadata,
        });
        metadata["Metadata"] = TypedDataFactory.Json(properties.Metadata);
        foreach (var (token, value) in tokens)
            metadata[token] = TypedDataFactory.String(value);
    }

    private static string DefaultHostId(string appDirectory)
    {
        var name = new string(Path.GetFileName(Path.TrimEndingDirectorySeparator(appDirectory)).ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
        var app = Directory.GetFiles(appDirectory, "worker.config.json").Length > 0 && File.ReadAllText(Path.Combine(appDirectory, "worker.config.json")) is { } config
            ? JsonDocument.Parse(config).RootElement.GetProperty("description").GetProperty("defaultWorkerPath").GetString() ?? name
            : name;
        var id = new string(Path.GetFileNameWithoutExtension(app).ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return id.Length > 32 ? id[..32].TrimEnd('-') : id;
    }

    /// <summary>One blob trigger: its pattern, which versions are done (receipts), and which are queued or running.</summary>
    private sealed class Listener(FunctionDescriptor function, BlobPathPattern pattern, string connectionName, BlobContainerClient container, BlobContainerClient hosts, string receiptPrefix)
    {
        private readonly ConcurrentDictionary<string, byte> _done = new();
        private readonly ConcurrentDictionary<string, byte> _queued = new();

        public FunctionDescriptor Function { get; } = function;
        public BlobPathPattern Pattern { get; } = pattern;
        public string ConnectionName { get; } = connectionName;
        public BlobContainerClient Container { get; } = container;
        public Channel<(string Name, string? ETag)> Pending { get; } = Channel.CreateUnbounded<(string, string?)>();

        public async Task LoadReceiptsAsync(CancellationToken cancellationToken)
        {
            await foreach (var receipt in hosts.GetBlobsAsync(BlobTraits.None, BlobStates.None, receiptPrefix, cancellationToken))
            {
                // blobreceipts/<host>/<function>/<etag>/<container>/<blob>
                var rest = receipt.Name[receiptPrefix.Length..].Split('/', 3);
                if (rest.Length == 3 && rest[1] == Pattern.Container)
                    _done[Key(rest[2], rest[0])] = 0;
            }
        }

        /// <summary>A blob version seen in a listing or an event: queued once unless a receipt says it is done.</summary>
        public void Offer(string name, string? etag)
        {
            if (Pattern.Match(name) is null)
                return;
            if (etag is not null && _done.ContainsKey(Key(name, etag)))
                return;
            if (_queued.TryAdd(name, 0))
                Pending.Writer.TryWrite((name, etag));
        }

        public void Finished(string name) => _queued.TryRemove(name, out _);

        public async Task<bool> HasReceiptAsync(string name, string etag, CancellationToken cancellationToken)
        {
            if (_done.ContainsKey(Key(name, etag)))
                return true;
            if (!(await hosts.GetBlobClient(ReceiptName(name, etag)).ExistsAsync(cancellationToken)).Value)
                return false;
            _done[Key(name, etag)] = 0;
            return true;
        }

        public async Task WriteReceiptAsync(string name, string etag, CancellationToken cancellationToken)
        {
            await hosts.GetBlobClient(ReceiptName(name, etag)).UploadAsync(BinaryData.Empty, overwrite: true, cancellationToken);
            _done[Key(name, etag)] = 0;
        }

        private string ReceiptName(string name, string etag) => $"{receiptPrefix}{etag.Trim('"')}/{Pattern.Container}/{name}";

        private static string Key(string name, string etag) => etag.Trim('"') + "|" + name;
    }
}
