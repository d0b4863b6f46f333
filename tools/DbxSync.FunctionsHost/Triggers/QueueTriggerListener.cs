using System.Runtime.CompilerServices;
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
/// While a function runs, its message stays invisible for a fixed processing window (QueueListener's 10 minutes,
/// not host.json's visibilityTimeout), renewed at half-way as UpdateQueueMessageVisibilityCommand does, so a long
/// run is never delivered a second time. A message an output binding of this host wrote ends the backoff at once.
/// </summary>
public sealed class QueueTriggerListener(FunctionDescriptor function, AppSettings settings, QueueSettings queueSettings, TimeSpan processingWindow, FunctionInvoker invoker, QueueMessageWatcher watcher, ILogger log)
{
    private static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);

    // QueueListener.MinimumVisibilityRenewalInterval: how soon a renewal is tried again after a server error.
    private static readonly TimeSpan MinimumRenewalInterval = TimeSpan.FromMinutes(1);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var queueName = settings.Resolve(function.TriggerString("queueName") ?? throw new InvalidOperationException($"{function.Name}: queueTrigger without queueName.")).ToLowerInvariant();
        var connection = settings.StorageConnection(function.TriggerString("connection"));
        var clientOptions = queueSettings.ClientOptions();
        var queue = new QueueClient(connection, queueName, clientOptions);
        var poison = new QueueClient(connection, queueName + "-poison", clientOptions);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        log.LogInformation("{Function}: listening on queue {Queue} (batch {Batch}, threshold {Threshold}, maxDequeueCount {Max}, {Encoding}).",
            function.Name, queueName, queueSettings.BatchSize, queueSettings.NewBatchThreshold, queueSettings.MaxDequeueCount, queueSettings.Base64 ? "base64" : "no encoding");

        var inFlight = new List<Task>();
        var delay = MinimumPollingInterval;
        // Made before each poll, as QueueListener does, so a message written while a poll is under way is not missed.
        var woken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Register(queueName, () => Volatile.Read(ref woken).TrySetResult());
        while (!cancellationToken.IsCancellationRequested)
        {
            Volatile.Write(ref woken, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            inFlight.RemoveAll(t => t.IsCompleted);
            if (inFlight.Count > queueSettings.NewBatchThreshold)
            {
                await Task.WhenAny(inFlight);
                continue;
            }

            QueueMessage[] messages;
            try
            {
                messages = (await queue.ReceiveMessagesAsync(queueSettings.BatchSize, processingWindow, cancellationToken)).Value;
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
                await Task.WhenAny(Task.Delay(delay, cancellationToken), Volatile.Read(ref woken).Task);
                cancellationToken.ThrowIfCancellationRequested();
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
        // Each visibility update hands out a new pop receipt; the delete or release afterwards needs the latest one.
        var receipt = new StrongBox<string>(message.PopReceipt);
        bool succeeded;
        using (var running = new CancellationTokenSource())
        {
            var renewing = RenewVisibilityAsync(queue, message.MessageId, receipt, running.Token);
            try
            {
                succeeded = await InvokeAsync(message, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutting down: leave the message; it becomes visible again on its own.
                return;
            }
            finally
            {
                await running.CancelAsync();
                await renewing;
            }
        }

        try
        {
            if (succeeded)
            {
                await queue.DeleteMessageAsync(message.MessageId, receipt.Value, CancellationToken.None);
            }
            else if (message.DequeueCount >= queueSettings.MaxDequeueCount)
            {
                await poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
                await poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
                await queue.DeleteMessageAsync(message.MessageId, receipt.Value, CancellationToken.None);
                log.LogWarning("{Function}: message {Id} moved to {Poison} after {Count} attempts.", function.Name, message.MessageId, poison.Name, message.DequeueCount);
            }
            else
            {
                // host.json's visibilityTimeout is only this: the delay before a failed message is tried again.
                await queue.UpdateMessageAsync(message.MessageId, receipt.Value, visibilityTimeout: queueSettings.VisibilityTimeout, cancellationToken: CancellationToken.None);
            }
        }
        catch (RequestFailedException exception)
        {
            log.LogWarning("{Function}: could not {Action} message {Id}: {Message}", function.Name, succeeded ? "delete" : "release", message.MessageId, exception.Message);
        }
    }

    private async Task<bool> InvokeAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            var response = await invoker.InvokeAsync(function.Name, (_, request) => Fill(request, message), cancellationToken);
            if (response.Succeeded())
                return true;
            log.LogWarning("{Function}: message {Id} failed (dequeue count {Count}): {Error}", function.Name, message.MessageId, message.DequeueCount, response.Error());
        }
        catch (Exception exception) when (exception is WorkerUnavailableException or RequestFailedException)
        {
            log.LogWarning("{Function}: message {Id} failed (dequeue count {Count}): {Message}", function.Name, message.MessageId, message.DequeueCount, exception.Message);
        }

        return false;
    }

    /// <summary>
    /// Pushes the message's invisibility out by another processing window at half-way through the current one
    /// (QueueListener.CreateUpdateMessageVisibilityTimer), sooner after a server error, and gives up once the message
    /// is gone or its pop receipt no longer matches: then it is no longer ours (UpdateQueueMessageVisibilityCommand).
    /// </summary>
    private async Task RenewVisibilityAsync(QueueClient queue, string messageId, StrongBox<string> receipt, CancellationToken stop)
    {
        var normal = processingWindow / 2;
        var pacing = new LinearSpeedup(normal, MinimumRenewalInterval);
        var delay = normal;
        while (true)
        {
            try
            {
                await Task.Delay(delay, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                // Not cancellable: an update that lands after a cancel would leave us holding a stale receipt.
                var updated = await queue.UpdateMessageAsync(messageId, receipt.Value, visibilityTimeout: processingWindow, cancellationToken: CancellationToken.None);
                receipt.Value = updated.Value.PopReceipt;
                delay = pacing.Next(true);
            }
            catch (RequestFailedException exception) when (exception.Status is >= 500 and < 600 or 0)
            {
                log.LogWarning("{Function}: renewing the visibility of message {Id} failed: {Message}", function.Name, messageId, exception.Message);
                delay = pacing.Next(false);
            }
            catch (RequestFailedException exception)
            {
                log.LogWarning("{Function}: message {Id} is no longer held ({Status}); its visibility is not renewed.", function.Name, messageId, exception.Status);
                return;
            }
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
