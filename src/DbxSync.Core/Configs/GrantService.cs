using DbxSync.Core.Ports;
using DbxSync.Core.Principals;
using DbxSync.Core.Runs;

namespace DbxSync.Core.Configs;

/// <summary>
/// The grants a config's principal needs, named as the workspace names it: a service principal by its application id,
/// a PAT's user (and a system-assigned identity, whose id is the platform's) by asking the workspace who it is.
/// </summary>
public sealed class GrantService(SyncConfigService configs, ServicePrincipalService principals, WarehouseResolver warehouses)
{
    public async Task<GrantPlan> PlanAsync(string configId, CancellationToken cancellationToken = default)
    {
        var config = await configs.GetAsync(configId, cancellationToken);
        var principal = await principals.GetAsync(config.ServicePrincipalId, cancellationToken);
        var workspace = await principals.ConnectAsync(principal, cancellationToken);
        var name = principal.AuthType is WorkspaceAuthType.OAuthM2M or WorkspaceAuthType.EntraClientSecret || principal.ClientId is not null && principal.AuthType == WorkspaceAuthType.ManagedIdentity
            ? principal.ClientId!
            : (await workspace.GetCurrentUserAsync(cancellationToken)).UserName;
        // Volume syncs use the Files API only; table syncs run their statements on a warehouse.
        var warehouseId = config.IsTableType ? await warehouses.ResolveAsync(config, principal, workspace, cancellationToken) : null;
        return GrantPlanner.Plan(config, name, principal.AuthType != WorkspaceAuthType.PersonalAccessToken, warehouseId);
    }
}
