namespace DbxSync.Core.Ports;

/// <summary>Where principal secrets live (Key Vault). Values never leave through logs or errors.</summary>
public interface ISecretStore
{
    Task SetSecretAsync(string name, string value, CancellationToken cancellationToken = default);
    /// <summary>Returns null when there is no such secret.</summary>
    Task<string?> GetSecretAsync(string name, CancellationToken cancellationToken = default);
    /// <summary>Deletes (and purges where soft-delete allows) the secret. No error when absent.</summary>
    Task DeleteSecretAsync(string name, CancellationToken cancellationToken = default);
    /// <summary>Cheap reachability check for /api/health.</summary>
    Task<HealthResult> CheckHealthAsync(CancellationToken cancellationToken = default);
}

public sealed record HealthResult(bool IsHealthy, string? Reason = null)
{
    public static HealthResult Up() => new(true);
    public static HealthResult Down(string reason) => new(false, reason);
}
