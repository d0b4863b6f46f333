using DbxSync.Core.Ports;
using DbxSync.Core.Principals;

namespace DbxSync.Functions.Api.Principals;

/// <summary>
/// POST body. auth_type: databricks_oauth (client_id + client_secret; the default), entra_client_secret (client_id +
/// client_secret, optional tenant_id), managed_identity (optional managed_identity_client_id, no secret) or pat (token).
/// The Entra types take an optional azure_workspace_resource_id.
/// </summary>
public sealed record RegisterPrincipalBody(
    string? WorkspaceUrl, string? ClientId, string? ClientSecret, string? Token, string? Name, string? WarehouseId,
    string? AuthType = null, string? TenantId = null, string? ManagedIdentityClientId = null, string? AzureWorkspaceResourceId = null);

public sealed record RotateSecretBody(string? ClientSecret, string? Token);

/// <summary>What the API shows of a principal: never the secret nor where it is kept.</summary>
public sealed record PrincipalResponse(
    string Id, string? Name, string WorkspaceUrl, string AuthType, string? ClientId, string? TenantId, string? ManagedIdentityClientId,
    string? AzureWorkspaceResourceId, string? WarehouseId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ValidatedAt)
{
    public static PrincipalResponse From(ServicePrincipal p)
    {
        var managed = p.AuthType == WorkspaceAuthType.ManagedIdentity;
        return new(p.Id, p.Name, p.WorkspaceUrl, p.AuthType.ToWire(), managed ? null : p.ClientId, p.TenantId, managed ? p.ClientId : null,
            p.AzureWorkspaceResourceId, p.WarehouseId, p.CreatedAt, p.UpdatedAt, p.ValidatedAt);
    }
}

public sealed record ItemsResponse<T>(IReadOnlyList<T> Items);

public sealed record CatalogItem(string Name, string? Comment);
public sealed record SchemaItem(string CatalogName, string Name, string FullName, string? Comment);
public sealed record VolumeItem(string CatalogName, string SchemaName, string Name, string FullName, string? VolumeType);
public sealed record ColumnItem(string Name, string TypeText, string TypeName, int Position, bool Nullable);
public sealed record TableItem(string CatalogName, string SchemaName, string Name, string FullName, string? TableType, string? DataSourceFormat, IReadOnlyList<ColumnItem> Columns)
{
    public static TableItem From(TableSummary t) => new(t.CatalogName, t.SchemaName, t.Name, t.FullName, t.TableType, t.DataSourceFormat,
        t.Columns.Select(c => new ColumnItem(c.Name, c.TypeText, c.TypeName, c.Position, c.Nullable)).ToList());
}
