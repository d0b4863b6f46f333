namespace DbxSync.Functions.Health;

public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, DependencyStatus> Dependencies);

/// <summary>
/// Runs the dependency checks. Anonymous callers get a report at most CacheFor old, so that the open health
/// route cannot be used to hammer Key Vault or the state store; authenticated callers get a fresh one.
/// </summary>
public sealed class HealthReporter(IEnumerable<IDependencyHealthCheck> checks, TimeProvider time, ILogger<HealthReporter> logger)
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    /// <summary>Logged each time the checks really run (they call Key Vault and the state store).</summary>
    public const string ChecksRanMessage = "Dependency checks ran";

    private readonly IReadOnlyList<IDependencyHealthCheck> _checks = checks.ToList();
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (HealthResponse Report, bool Healthy, DateTimeOffset At)? _cached;

    public async Task<(HealthResponse Report, bool Healthy)> ReportAsync(bool fresh, CancellationToken ct)
    {
        if (!fresh && Cached() is { } hit) return hit;
        await _refresh.WaitAsync(ct);
        try
        {
            // Concurrent anonymous callers wait for one check instead of each running their own.
            if (!fresh && Cached() is { } again) return again;
            var results = await Task.WhenAll(_checks.Select(c => RunOneAsync(c, ct)));
            var dependencies = _checks.Zip(results).ToDictionary(x => x.First.Name, x => x.Second);
            var healthy = _checks.Zip(results).All(x => !x.First.Required || x.Second.IsUp);
            var report = new HealthResponse(healthy ? "healthy" : "unhealthy", dependencies);
            logger.LogInformation(ChecksRanMessage + ": {Status}", report.Status);
            _cached = (report, healthy, time.GetUtcNow());
            return (report, healthy);
        }
        finally
        {
            _refresh.Release();
        }
    }

    private (HealthResponse, bool)? Cached()
        => _cached is { } c && time.GetUtcNow() - c.At < CacheFor ? (c.Report, c.Healthy) : null;

    private async Task<DependencyStatus> RunOneAsync(IDependencyHealthCheck check, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            return await check.CheckAsync(timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return DependencyStatus.Down($"no answer within {CheckTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Health check {Dependency} failed", check.Name);
            // The type name says enough; exception messages may hold endpoints or worse.
            return DependencyStatus.Down($"check failed ({ex.GetType().Name})");
        }
    }
}
