using DbxSync.Core.Ports;

namespace DbxSync.Core.Principals;

/// <summary>A registered Databricks identity. The secret itself lives only in the secret store, under SecretName.</summary>
public sealed record ServicePrincipal
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public required string WorkspaceUrl { get; init; }
    public required WorkspaceAuthType AuthType { get; init; }
    /// <summary>OAuth/Entra application id, or a user-assigned managed identity's client id; null for a PAT or a system-assigned identity.</summary>
    public string? ClientId { get; init; }
    /// <summary>Entra tenant (entra_client_secret); null means discovered from the workspace at sign-in.</summary>
    public string? TenantId { get; init; }
    /// <summary>When set, Entra sign-ins also send the ARM management token and this resource id.</summary>
    public string? AzureWorkspaceResourceId { get; init; }
    /// <summary>Where the secret is kept; empty for a managed identity, which has none.</summary>
    public required string SecretName { get; init; }
    public string? WarehouseId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? ValidatedAt { get; init; }
    public string? ETag { get; init; }
}

public sealed record RegisterPrincipalRequest(
    string? WorkspaceUrl, string? ClientId, string? ClientSecret, string? Token, string? Name, string? WarehouseId,
    string? AuthType = null, string? TenantId = null, string? ManagedIdentityClientId = null, string? AzureWorkspaceResourceId = null);
