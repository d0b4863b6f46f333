using System.Text;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using DbxSync.FunctionsHost.Configuration;
using DbxSync.FunctionsHost.Rpc;
using DbxSync.FunctionsHost.Worker;

namespace DbxSync.FunctionsHost.Triggers;

/// <summary>
/// A queue trigger as the WebJobs queue extension runs it: polls with randomised exponential backoff up to
/// maxPollingInterval, takes batchSize messages and fetches more once no more than newBatchThreshold are in flight,
/// deletes a message only after a successful invocation, makes a failed one visible again after visibilityTimeout,
/// and moves it to &lt;queue&gt;-poison once it has been dequeued maxDequeueCount times.
/// </summary>
public sealed class QueueTriggerListener(FunctionDescriptor function, AppSettings settings, QueueSettings queueSettings, FunctionInvoker invoker, ILogger log)
{
    private static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);

    // While a message is being processed it stays invisible this long (the extension's default, renewed there; not here).
    private static readonly TimeSpan ProcessingVisibility = TimeSpan.FromMinutes(10);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var queueName = settings.Resolve(function.TriggerString("queueName") ?? throw new InvalidOperationException($"{function.Name}: queueTrigger without queueName.")).ToLowerInvariant();
        var connection = settings.StorageConnection(function.TriggerString("connection"));
        var clientOptions = new QueueClientOptions { MessageEncoding = queueSettings.Base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None };
        var queue = new QueueClient(connection, queueName, clientOptions);
        var poison = new QueueClient(connection, queueName + "-poison", clientOptions);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        log.LogInformation("{Function}: listening on queue {Queue} (batch {Batch}, threshold {Threshold}, maxDequeueCount {Max}, {Encoding}).",
            function.Name, queueName, queueSettings.BatchSize, queueSettings.NewBatchThreshold, queueSettings.MaxDequeueCount, queueSettings.Base64 ? "base64" : "no encoding");

        var inFlight = new List<Task>();
        var delay = MinimumPollingInterval;
        while (!cancellationToken.IsCancellationRequested)
        {
            inFlight.RemoveAll(t => t.IsCompleted);
            if (inFlight.Count > queueSettings.NewBatchThreshold)
            {
                await Task.WhenAny(inFlight);
                continue;
            }

            QueueMessage[] messages;
            try
            {
                messages = (await queue.ReceiveMessagesAsync(queueSettings.BatchSize, ProcessingVisibility, cancellationToken)).Value;
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (RequestFailedException exception)
            {
                log.LogWarning("{Function}: receiving from {Queue} failed: {Message}", function.Name, queueName, exception.Message);
                messages = [];
            }

            if (messages.Length > 0)
            {
                delay = MinimumPollingInterval;
                inFlight.AddRange(messages.Select(message => ProcessAsync(queue, poison, message, cancellationToken)));
                continue;
            }

            // Nothing there: back off exponentially with some randomness, up to maxPollingInterval.
            var jitter = 0.8 + Random.Shared.NextDouble() * 0.4;
            delay = TimeSpan.FromMilliseconds(Math.Min(queueSettings.MaxPollingInterval.TotalMilliseconds, delay.TotalMilliseconds * 2 * jitter));
            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(inFlight);
    }

    private async Task ProcessAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            var response = await invoker.InvokeAsync(function.Name, (_, request) => Fill(request, message), cancellationToken);
            if (response.Succeeded())
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
                return;
            }

            log.LogWarning("{Function}: message {Id} failed (dequeue count {Count}): {Error}", function.Name, message.MessageId, message.DequeueCount, response.Error());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: leave the message; it becomes visible again on its own.
            return;
        }
        catch (Exception exception) when (exception is WorkerUnavailableException or RequestFailedException)
        {
            log.LogWarning("{Function}: message {Id} failed (dequeue count {Count}): {Message}", function.Name, message.MessageId, message.DequeueCount, exception.Message);
        }

        try
        {
            if (message.DequeueCount >= queueSettings.MaxDequeueCount)
            {
                await poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
                await poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
                log.LogWarning("{Function}: message {Id} moved to {Poison} after {Count} attempts.", function.Name, message.MessageId, poison.Name, message.DequeueCount);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: queueSettings.VisibilityTimeout, cancellationToken: CancellationToken.None);
            }
        }
        catch (RequestFailedException exception)
        {
            log.LogWarning("{Function}: could not release message {Id}: {Message}", function.Name, message.MessageId, exception.Message);
        }
    }

    /// <summary>The payload and trigger metadata the queue extension produces (reference §3.2).</summary>
    private void Fill(InvocationRequest request, QueueMessage message)
    {
        var text = TryUtf8(message.Body);
        TypedData data;
        if (function.SupportsDeferredBinding)
        {
            data = TypedDataFactory.ModelBindingData("AzureStorageQueues", new
            {
                message.MessageId,
                message.InsertedOn,
                message.ExpiresOn,
                message.PopReceipt,
                message.NextVisibleOn,
                Body = new { },
                message.DequeueCount,
                MessageText = text,
            });
        }
        else if (string.Equals(function.TriggerString("dataType"), "Binary", StringComparison.OrdinalIgnoreCase) || text is null)
        {
            data = TypedDataFactory.Bytes(message.Body.ToMemory());
        }
        else
        {
            data = TypedDataFactory.String(text);
        }

        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = data });
        var metadata = request.TriggerMetadata;
        if (text is not null)
            metadata["QueueTrigger"] = TypedDataFactory.String(text);
        metadata["DequeueCount"] = TypedDataFactory.Json(message.DequeueCount);
        metadata["ExpirationTime"] = TypedDataFactory.Json(message.ExpiresOn ?? DateTimeOffset.MaxValue);
        metadata["Id"] = TypedDataFactory.String(message.MessageId);
        metadata["InsertionTime"] = TypedDataFactory.Json(message.InsertedOn);
        metadata["NextVisibleTime"] = TypedDataFactory.Json(message.NextVisibleOn);
        metadata["PopReceipt"] = TypedDataFactory.String(message.PopReceipt);
        if (text is not null)
            TypedDataFactory.AddJsonProperties(metadata, text);
    }

    private static string? TryUtf8(BinaryData body)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.ToMemory().Span);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
