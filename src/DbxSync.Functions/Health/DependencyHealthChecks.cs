using System.Text.Json.Serialization;
using DbxSync.Core.Ports;
using DbxSync.Core.Principals;

namespace DbxSync.Functions.Health;

/// <summary>One dependency as /api/health reports it. Required ones decide between 200 and 503.</summary>
public interface IDependencyHealthCheck
{
    string Name { get; }
    bool Required { get; }
    Task<DependencyStatus> CheckAsync(CancellationToken cancellationToken);
}

public sealed record DependencyStatus(string Status, string? Reason)
{
    public static DependencyStatus Up(string? reason = null) => new("up", reason);
    public static DependencyStatus Down(string reason) => new("down", reason);
    public static DependencyStatus NotConfigured(string reason) => new("not_configured", reason);
    [JsonIgnore]
    public bool IsUp => Status == "up";
}

public sealed class StorageHealthCheck(IServiceProvider services) : IDependencyHealthCheck
{
    public string Name => "storage";
    public bool Required => true;

    public async Task<DependencyStatus> CheckAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IStateStore>() is not { } store) return DependencyStatus.Down("no state store is configured");
        var result = FromResult(await store.CheckHealthAsync(cancellationToken));
        if (result.IsUp && services.GetService<Hosting.StateInitializationService>() is { IsReady: false } init)
            return DependencyStatus.Down($"initializing: tables and containers not created yet ({init.LastError})");
        return result;
    }

    internal static DependencyStatus FromResult(HealthResult r) => r.IsHealthy ? DependencyStatus.Up(r.Reason) : DependencyStatus.Down(r.Reason ?? "unhealthy");
}

public sealed class SecretStoreHealthCheck(IServiceProvider services) : IDependencyHealthCheck
{
    public string Name => "secret_store";
    public bool Required => true;

    public async Task<DependencyStatus> CheckAsync(CancellationToken cancellationToken)
        => services.GetService<ISecretStore>() is { } secrets
            ? StorageHealthCheck.FromResult(await secrets.CheckHealthAsync(cancellationToken))
            : DependencyStatus.Down("no secret store is configured");
}

/// <summary>
/// Workspaces are per principal and calling them on every probe would cost tokens and rate limit; so this
/// reports what is registered, not whether each workspace answers.
/// </summary>
public sealed class DatabricksHealthCheck(IServiceProvider services) : IDependencyHealthCheck
{
    public string Name => "databricks";
    public bool Required => false;

    public async Task<DependencyStatus> CheckAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IDatabricksConnector>() is null) return DependencyStatus.NotConfigured("no Databricks connector is configured");
        var count = 0;
        await foreach (var _ in services.GetRequiredService<ServicePrincipalRepository>().ListAsync(cancellationToken)) count++;
        return count == 0
            ? DependencyStatus.NotConfigured("no service principals registered")
            : DependencyStatus.Up($"{count} service principal(s) registered");
    }
}

public static class DependencyHealthCheckRegistration
{
    public static IServiceCollection AddDependencyHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<IDependencyHealthCheck, StorageHealthCheck>();
        services.AddSingleton<IDependencyHealthCheck, SecretStoreHealthCheck>();
        services.AddSingleton<IDependencyHealthCheck, DatabricksHealthCheck>();
        return services;
    }
}
