using System.Text.Json;

namespace DbxSync.Functions.Invocations;

/// <summary>Lines for the response's Logs (the host ties them to the invocation), mirrored to our own log.</summary>
public sealed class InvocationLog(ILogger logger, string functionName, string? invocationId)
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines => _lines;

    public void Info(string line)
    {
        _lines.Add(line);
        logger.LogInformation("{Function} {InvocationId}: {Line}", functionName, invocationId, line);
    }

    public void Warn(string line)
    {
        _lines.Add(line);
        logger.LogWarning("{Function} {InvocationId}: {Line}", functionName, invocationId, line);
    }

    public void Error(Exception exception, string line)
    {
        _lines.Add(line);
        logger.LogError(exception, "{Function} {InvocationId}: {Line}", functionName, invocationId, line);
    }

    /// <summary>A retried invocation says so, with the attempt count, so retries show up next to their failures.</summary>
    public void Retry(InvocationEnvelope envelope)
    {
        if (envelope.Metadata("RetryContext") is not { ValueKind: JsonValueKind.Object } retry) return;
        var count = InvocationEnvelope.Property(retry, "RetryCount")?.ToString() ?? "?";
        var max = InvocationEnvelope.Property(retry, "MaxRetryCount")?.ToString() ?? "?";
        Info($"retry {count} of {max}");
    }
}
