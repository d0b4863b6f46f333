using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.State;

namespace DbxSync.Core.Principals;

public sealed class ServicePrincipalRepository(IStateStore store)
{
    private const string Partition = "principal";

    public async Task<ServicePrincipal?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var e = await store.GetAsync(StateTables.ServicePrincipals, Partition, id, cancellationToken);
        return e is null ? null : FromEntity(e);
    }

    public async IAsyncEnumerable<ServicePrincipal> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in store.QueryAsync(StateTables.ServicePrincipals, Partition, cancellationToken))
            yield return FromEntity(e);
    }

    public async Task<ServicePrincipal> InsertAsync(ServicePrincipal p, CancellationToken cancellationToken = default)
        => FromEntity(await store.InsertAsync(StateTables.ServicePrincipals, ToEntity(p), cancellationToken));

    /// <summary>Conditional on p.ETag; ConcurrencyException when it moved.</summary>
    public async Task<ServicePrincipal> ReplaceAsync(ServicePrincipal p, CancellationToken cancellationToken = default)
        => FromEntity(await store.UpsertAsync(StateTables.ServicePrincipals, ToEntity(p), cancellationToken));

    public Task DeleteAsync(string id, string? etag, CancellationToken cancellationToken = default)
        => store.DeleteAsync(StateTables.ServicePrincipals, Partition, id, etag, cancellationToken);

    private static StateEntity ToEntity(ServicePrincipal p) => new()
    {
        PartitionKey = Partition,
        RowKey = p.Id,
        ETag = p.ETag,
        Properties =
        {
            ["Name"] = p.Name,
            ["WorkspaceUrl"] = p.WorkspaceUrl,
            ["AuthType"] = p.AuthType.ToString(),
            ["ClientId"] = p.ClientId,
            ["TenantId"] = p.TenantId,
            ["AzureWorkspaceResourceId"] = p.AzureWorkspaceResourceId,
            ["SecretName"] = p.SecretName,
            ["WarehouseId"] = p.WarehouseId,
            ["CreatedAt"] = p.CreatedAt,
            ["UpdatedAt"] = p.UpdatedAt,
            ["ValidatedAt"] = p.ValidatedAt,
        },
    };

    private static ServicePrincipal FromEntity(StateEntity e) => new()
    {
        Id = e.RowKey,
        Name = e.GetString("Name"),
        WorkspaceUrl = e.GetString("WorkspaceUrl") ?? "",
        AuthType = Enum.TryParse<WorkspaceAuthType>(e.GetString("AuthType"), out var t) ? t : WorkspaceAuthType.OAuthM2M,
        ClientId = e.GetString("ClientId"),
        TenantId = e.GetString("TenantId"),
        AzureWorkspaceResourceId = e.GetString("AzureWorkspaceResourceId"),
        SecretName = e.GetString("SecretName") ?? "",
        WarehouseId = e.GetString("WarehouseId"),
        CreatedAt = EntityValues.Time(e, "CreatedAt") ?? DateTimeOffset.MinValue,
        UpdatedAt = EntityValues.Time(e, "UpdatedAt") ?? DateTimeOffset.MinValue,
        ValidatedAt = EntityValues.Time(e, "ValidatedAt"),
        ETag = e.ETag,
    };
}
