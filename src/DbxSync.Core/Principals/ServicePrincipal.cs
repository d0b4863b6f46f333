using DbxSync.Core.Ports;

namespace DbxSync.Core.Principals;

/// <summary>A registered Databricks identity. The secret itself lives only in the secret store, under SecretName.</summary>
public sealed record ServicePrincipal
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public required string WorkspaceUrl { get; init; }
    public required WorkspaceAuthType AuthType { get; init; }
    /// <summary>OAuth application id; null for a personal access token.</summary>
    public string? ClientId { get; init; }
    public required string SecretName { get; init; }
    public string? WarehouseId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? ValidatedAt { get; init; }
    public string? ETag { get; init; }
}

public sealed record RegisterPrincipalRequest(
    string? WorkspaceUrl, string? ClientId, string? ClientSecret, string? Token, string? Name, string? WarehouseId);
