using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Queues;
using DbxSync.FunctionsHost.Configuration;
using DbxSync.FunctionsHost.Rpc;
using DbxSync.FunctionsHost.Triggers;
using DbxSync.FunctionsHost.Worker;

namespace DbxSync.FunctionsHost.Bindings;

/// <summary>
/// Writes what a function returned through its queue output bindings (`type: queue`, `direction: out`), as the
/// queue extension's collector does: one message per string, JSON or byte value, one per item of a collection,
/// none for an unset value; the queue is created when missing (AddMessageAndCreateIfNotExistsAsync), the message
/// is encoded as host.json's messageEncoding says, and the queue's listeners in this host are told at once.
/// </summary>
public sealed class QueueOutputBinding(AppSettings settings, HostJson hostJson, QueueMessageWatcher watcher, ILogger<QueueOutputBinding> log)
{
    private readonly ConcurrentDictionary<(string Connection, string Queue), QueueClient> _queues = new();

    /// <summary>Sends the invocation's queue outputs; throws when one cannot be written, which fails the invocation.</summary>
    public async Task WriteAsync(FunctionDescriptor function, InvocationResponse response, CancellationToken cancellationToken)
    {
        foreach (var output in response.OutputData)
        {
            var binding = function.OutputBinding(output.Name);
            if (binding is null || !string.Equals((string?)binding["type"], "queue", StringComparison.OrdinalIgnoreCase))
                continue;

            var queueName = settings.Resolve((string?)binding["queueName"] ?? throw new InvalidOperationException($"{function.Name}: queue output {output.Name} has no queueName.")).ToLowerInvariant();
            var queue = _queues.GetOrAdd((settings.StorageConnection((string?)binding["connection"]), queueName), key => new QueueClient(key.Connection, key.Queue, hostJson.Queues.ClientOptions()));
            var sent = 0;
            foreach (var message in Messages(output.Data))
            {
                await SendAsync(queue, message, cancellationToken);
                sent++;
            }

            if (sent > 0 && watcher.Notify(queueName))
                log.LogInformation("{Function}: {Count} message(s) written to queue {Queue}; its listener polls now.", function.Name, sent, queueName);
        }
    }

    private static IEnumerable<BinaryData> Messages(TypedData? data) => data?.DataCase switch
    {
        TypedData.DataOneofCase.String => [BinaryData.FromString(data.String)],
        TypedData.DataOneofCase.Json => [BinaryData.FromString(data.Json)],
        TypedData.DataOneofCase.Bytes => [BinaryData.FromBytes(data.Bytes.Memory)],
        TypedData.DataOneofCase.CollectionString => data.CollectionString.String.Select(BinaryData.FromString),
        TypedData.DataOneofCase.CollectionBytes => data.CollectionBytes.Bytes.Select(b => BinaryData.FromBytes(b.Memory)),
        TypedData.DataOneofCase.None or null => [],
        _ => throw new NotSupportedException($"A queue output of {data.DataCase} is not supported by the local host."),
    };

    private static async Task SendAsync(QueueClient queue, BinaryData message, CancellationToken cancellationToken)
    {
        try
        {
            await queue.SendMessageAsync(message, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await queue.SendMessageAsync(message, cancellationToken: cancellationToken);
        }
    }
}
