using System.Text.Json;
using DbxSync.Core.Runs;

namespace DbxSync.Functions.Invocations;

/// <summary>
/// Non-HTTP functions: the host POSTs /{FunctionName} with an envelope. No /api prefix, no API auth (only the
/// host can reach the loopback port). Failures answer 500 so the host's retry and poison rules apply.
/// </summary>
public static class InvocationEndpoints
{
    public const string SyncTimer = "SyncTimer";
    public const string BlobEvents = "BlobEvents";
    /// <summary>The queue trigger's binding name in functions/BlobEvents/function.json.</summary>
    public const string BlobEventsBinding = "message";
    public const string TimerBinding = "timer";

    public static IEndpointRouteBuilder MapInvocationEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/" + SyncTimer, SyncTimerAsync).ExcludeFromDescription();
        routes.MapPost("/" + BlobEvents, BlobEventsAsync).ExcludeFromDescription();
        return routes;
    }

    private static async Task<IResult> SyncTimerAsync(HttpRequest request, SyncScheduler scheduler, ILoggerFactory loggers, CancellationToken ct)
    {
        var log = LogFor(request, SyncTimer, loggers);
        InvocationEnvelope envelope;
        try { envelope = await InvocationEnvelope.ReadAsync(request, ct); }
        catch (MalformedEnvelopeException ex) { log.Warn(ex.Message); return InvocationResponse.Malformed(log.Lines); }

        log.Retry(envelope);
        if (envelope.Data(TimerBinding) is { } timer)
        {
            var pastDue = InvocationEnvelope.Property(timer, "IsPastDue") is { ValueKind: JsonValueKind.True };
            var last = InvocationEnvelope.Property(timer, "ScheduleStatus") is { ValueKind: JsonValueKind.Object } status
                       && InvocationEnvelope.Property(status, "Last") is { ValueKind: JsonValueKind.String } l ? l.GetString() : null;
            log.Info($"timer fired{(pastDue ? " (past due)" : "")}{(last is null ? "" : $", last run {last}")}");
        }

        try
        {
            var tick = await scheduler.TickAsync(ct);
            log.Info($"tick: {tick.Configs} configs, {tick.Due} due: {tick.Succeeded} synced, {tick.NoChange} unchanged, {tick.Failed} failed, {tick.Skipped} skipped in {(long)tick.Duration.TotalMilliseconds} ms");
            return InvocationResponse.Ok(log.Lines);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            log.Error(ex, $"tick failed: {ex.GetType().Name}: {ex.Message}");
            return InvocationResponse.Failed(log.Lines);
        }
    }

    private static async Task<IResult> BlobEventsAsync(HttpRequest request, BlobDropDispatcher dispatcher, ILoggerFactory loggers, CancellationToken ct)
    {
        var log = LogFor(request, BlobEvents, loggers);
        InvocationEnvelope envelope;
        try { envelope = await InvocationEnvelope.ReadAsync(request, ct); }
        catch (MalformedEnvelopeException ex) { log.Warn(ex.Message); return InvocationResponse.Malformed(log.Lines); }

        log.Retry(envelope);
        if (envelope.Metadata("DequeueCount") is { } dequeue) log.Info($"dequeue count {dequeue}");
        if (envelope.Data(BlobEventsBinding) is not { } message)
        {
            log.Warn($"Data.{BlobEventsBinding} is missing: not a BlobEvents envelope");
            return InvocationResponse.Malformed(log.Lines);
        }

        // Event Grid delivers one event per queue message, but an array (batched schema) costs nothing to accept.
        var events = message.ValueKind == JsonValueKind.Array ? message.EnumerateArray().Select(InvocationEnvelope.Unwrap).ToList() : [message];
        int runs = 0, ignored = 0;
        try
        {
            foreach (var evt in events)
            {
                if (BlobCreatedEvent.TryParse(evt, out var reason) is not { } blob)
                {
                    ignored++;
                    log.Info($"ignored event: {reason}");
                    continue;
                }
                var run = await dispatcher.HandleAsync(blob.Container, blob.BlobName, ct);
                if (run is null)
                {
                    ignored++;
                    log.Info($"ignored {blob.Container}/{blob.BlobName}: no config imports it");
                    continue;
                }
                runs++;
                log.Info(run.Outcome == RunOutcome.Skipped
                    ? $"{blob.Container}/{blob.BlobName}: skipped, another run of config {run.ConfigId} holds the lock (the timer scan picks it up)"
                    : $"{blob.Container}/{blob.BlobName}: run {run.RunId} of config {run.ConfigId} {run.Outcome.ToString().ToLowerInvariant()}: {run.Rows} rows, {run.Files} files, {run.Bytes} bytes");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            log.Error(ex, $"blob event failed: {ex.GetType().Name}: {ex.Message}");
            return InvocationResponse.Failed(log.Lines);
        }
        log.Info($"{events.Count} event(s): {runs} run(s), {ignored} ignored");
        return InvocationResponse.Ok(log.Lines);
    }

    private static InvocationLog LogFor(HttpRequest request, string function, ILoggerFactory loggers)
        => new(loggers.CreateLogger("DbxSync.Functions.Invocations." + function), function, request.Headers["X-Azure-Functions-InvocationId"].FirstOrDefault());
}
