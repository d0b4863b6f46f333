using System.Text;
using System.Text.Json;
using DbxSync.Core.Runs;
using DbxSync.Functions.Invocations;

namespace DbxSync.Functions.Hosting;

/// <summary>
/// Standalone mode's stand-in for the BlobEvents queue trigger: reads blob-created events from the same queue and
/// hands them to the same dispatcher. A message is deleted once handled; a failure leaves it to reappear after
/// the visibility timeout, and after MaxDequeueCount tries it is dropped with an error (the timer scan still
/// imports the blob).
/// </summary>
public sealed class BlobEventQueuePoller(BlobEventsQueue queue, BlobDropDispatcher dispatcher, StateInitializationService storage, ILogger<BlobEventQueuePoller> logger) : BackgroundService
{
    private const int MaxDequeueCount = 5;
    private static readonly TimeSpan Visibility = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!storage.IsReady) { await Task.Delay(Idle, stoppingToken); continue; }
                var messages = (await queue.Client.ReceiveMessagesAsync(16, Visibility, stoppingToken)).Value;
                if (messages.Length == 0) { await Task.Delay(Idle, stoppingToken); continue; }
                foreach (var message in messages)
                    await HandleAsync(message, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                logger.LogError("Polling {Queue} failed: {Error}", BlobEventsQueue.Name, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }

    private async Task HandleAsync(global::Azure.Storage.Queues.Models.QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var blob in Parse(message.MessageText))
            {
                var run = await dispatcher.HandleAsync(blob.Container, blob.BlobName, cancellationToken);
                logger.LogInformation("Blob event {Container}/{Blob}: {Outcome}", blob.Container, blob.BlobName, run?.Outcome.ToString() ?? "ignored");
            }
            await queue.Client.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (message.DequeueCount >= MaxDequeueCount)
            {
                logger.LogError("Dropping blob event {MessageId} after {Count} failed attempts: {Error}", message.MessageId, message.DequeueCount, ex.Message);
                await queue.Client.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
            else
                logger.LogWarning("Blob event {MessageId} failed (attempt {Count}), will retry: {Error}", message.MessageId, message.DequeueCount, ex.Message);
        }
    }

    /// <summary>Event Grid writes the event JSON, base64-encoded or not depending on configuration; accept both.</summary>
    internal static IEnumerable<BlobCreatedEvent> Parse(string text)
    {
        var json = text.TrimStart();
        if (!json.StartsWith('{') && !json.StartsWith('['))
        {
            try { json = Encoding.UTF8.GetString(Convert.FromBase64String(text)); }
            catch (FormatException) { throw new InvalidDataException("The queue message is neither JSON nor base64-encoded JSON."); }
        }
        using var document = JsonDocument.Parse(json);
        var root = InvocationEnvelope.Unwrap(document.RootElement);
        var events = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().Select(InvocationEnvelope.Unwrap).ToList() : [root];
        var parsed = new List<BlobCreatedEvent>();
        foreach (var evt in events)
            if (BlobCreatedEvent.TryParse(evt, out _) is { } blob) parsed.Add(blob);
        return parsed;
    }
}
