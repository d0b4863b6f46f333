namespace DbxSync.Functions.Health;

public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, DependencyStatus> Dependencies);

public static class HealthEndpoints
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddDependencyHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<IDependencyHealthCheck, StorageHealthCheck>();
        services.AddSingleton<IDependencyHealthCheck, SecretStoreHealthCheck>();
        services.AddSingleton<IDependencyHealthCheck, DatabricksHealthCheck>();
        return services;
    }

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/health", CheckAsync).WithTags("Health").WithSummary("Dependency status; 503 when a required one is down (no auth)")
            .Produces<HealthResponse>().Produces<HealthResponse>(503);
        return routes;
    }

    private static async Task<IResult> CheckAsync(IEnumerable<IDependencyHealthCheck> checks, ILoggerFactory loggers, CancellationToken ct)
    {
        var list = checks.ToList();
        var results = await Task.WhenAll(list.Select(c => RunOneAsync(c, loggers, ct)));
        var dependencies = list.Zip(results).ToDictionary(x => x.First.Name, x => x.Second);
        var healthy = list.Zip(results).All(x => !x.First.Required || x.Second.IsUp);
        return Results.Json(new HealthResponse(healthy ? "healthy" : "unhealthy", dependencies), Api.Json.ApiJson.Options,
            statusCode: healthy ? 200 : 503);
    }

    private static async Task<DependencyStatus> RunOneAsync(IDependencyHealthCheck check, ILoggerFactory loggers, CancellationToken ct)
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
            loggers.CreateLogger(typeof(HealthEndpoints)).LogWarning(ex, "Health check {Dependency} failed", check.Name);
            // The type name says enough; exception messages may hold endpoints or worse.
            return DependencyStatus.Down($"check failed ({ex.GetType().Name})");
        }
    }
}
