using DbxSync.Core.Errors;

namespace DbxSync.Databricks.Http;

/// <summary>
/// The one place where Databricks calls are retried. Throttling (429, 503) and errors (502/504, network,
/// attempt timeouts) draw from separate attempt budgets; both share one total-time budget. Retry-After
/// (seconds or HTTP date) is honoured, otherwise exponential backoff with jitter, capped.
///
/// What is re-sent depends on whether running the request twice is harmless:
/// * idempotent requests (GET/HEAD/DELETE/PUT, reads, token and cancel POSTs) are retried on any transient failure;
/// * other POSTs, notably write statements, are re-sent only when the server provably did not take them:
///   a 429/503 answer, or a connection that never opened. A failure after the request may have reached the
///   server (reset mid-flight, attempt timeout) becomes an "outcome unknown" error, because re-running a MERGE
///   or INSERT could apply it twice. A query_tags/SQL-comment marker would let us look the statement up, but the
///   local emulator cannot search history by marker, so the caller (which knows whether its write is idempotent) decides.
/// * bodies that cannot be rewound (non-seekable upload streams) are never re-sent.
/// </summary>
internal sealed class DatabricksRetryHandler : DelegatingHandler
{
    private readonly DatabricksClientOptions _options;
    private readonly TimeProvider _time;

    public DatabricksRetryHandler(DatabricksClientOptions options, HttpMessageHandler inner) : base(inner)
    {
        _options = options;
        _time = options.TimeProvider;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var idempotent = RequestPolicy.IsIdempotent(request);
        var replayable = RequestPolicy.CanReplayBody(request);
        var useAttemptTimeout = !request.Options.TryGetValue(RequestPolicy.UseAttemptTimeout, out var t) || t;
        var operation = RequestPolicy.OperationName(request);
        int errorAttempts = 0, throttleAttempts = 0;

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            HttpResponseMessage response;
            using (var timeout = useAttemptTimeout ? new CancellationTokenSource(_options.PerAttemptTimeout, _time) : null)
            using (var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    response = await base.SendAsync(request, linked?.Token ?? cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
                {
                    var neverSent = e is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError };
                    var description = e is OperationCanceledException
                        ? $"no response within {_options.PerAttemptTimeout.TotalSeconds:0.#} s"
                        : e is HttpRequestException hre ? hre.HttpRequestError.ToString() : "connection lost";

                    if (!neverSent && !idempotent)
                        throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other,
                            $"Databricks {operation}: outcome unknown ({description} after the request was sent). It was not re-sent because it may already have run; check its effect before repeating it.",
                            isTransient: false);

                    errorAttempts++;
                    var delay = Backoff(errorAttempts);
                    if (errorAttempts >= _options.MaxErrorAttempts || !replayable || !WithinBudget(started, delay))
                        throw Unreachable(request, operation, description, e);
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            var status = (int)response.StatusCode;
            var throttled = status is 429 or 503;
            var retryableError = !throttled && idempotent && status is 502 or 504;
            if (!throttled && !retryableError) return response;

            TimeSpan wait;
            if (throttled)
            {
                throttleAttempts++;
                if (throttleAttempts >= _options.MaxThrottleAttempts) return response;
                wait = RetryAfter(response) ?? Backoff(throttleAttempts);
            }
            else
            {
                errorAttempts++;
                if (errorAttempts >= _options.MaxErrorAttempts) return response;
                wait = RetryAfter(response) ?? Backoff(errorAttempts);
            }
            if (!replayable || !WithinBudget(started, wait)) return response;

            response.Dispose();
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool WithinBudget(long started, TimeSpan nextWait) =>
        _time.GetElapsedTime(started) + nextWait <= _options.MaxRetryDuration;

    /// <summary>Exponential with "equal jitter": half fixed, half random, so bursts of callers spread out.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var exponent = Math.Min(attempt - 1, 16);
        var ceiling = Math.Min(_options.MaxBackoff.TotalMilliseconds, _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header is null) return null;
        if (header.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    private static DatabricksRequestFailedException Unreachable(HttpRequestMessage request, string operation, string description, Exception inner)
    {
        // Only the authority: the path and query of a presigned link are credentials.
        var host = request.RequestUri?.Authority ?? "the workspace";
        // The inner exception is kept out on purpose: socket messages can echo the request URI.
        return new DatabricksRequestFailedException(WorkspaceErrorKind.Unreachable,
            $"Databricks {operation}: could not reach {host} ({description}: {inner.GetType().Name}).", isTransient: true);
    }
}
