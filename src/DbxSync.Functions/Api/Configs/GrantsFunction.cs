using DbxSync.Core.Configs;
using DbxSync.Functions.Api.OpenApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Api.Configs;

public sealed record WarehousePermissionResponse(string WarehouseId, string PermissionLevel, string Method, string Path, string Body);

public sealed record GrantsResponse(string Principal, IReadOnlyList<string> Statements, WarehousePermissionResponse? WarehousePermission);

/// <summary>/api/databricks/sync-configs/{id}/grants: the exact GRANT statements (and warehouse permission) the config's principal needs.</summary>
public sealed class GrantsFunction(GrantService grants)
{
    [Function("GetSyncConfigGrants")]
    [ApiOperation("Sync configs", "The GRANT statements and the warehouse permission the config's principal needs, for an admin to run", Response = typeof(GrantsResponse))]
    public async Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.SyncConfigGrants)] HttpRequest req, string id, CancellationToken ct)
    {
        var plan = await grants.PlanAsync(id, ct);
        var warehouse = plan.Warehouse is { } w ? new WarehousePermissionResponse(w.WarehouseId, w.PermissionLevel, w.Method, w.Path, w.Body) : null;
        return ApiResult.Ok(new GrantsResponse(plan.Principal, plan.Statements, warehouse));
    }
}
