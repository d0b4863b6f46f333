using DbxSync.Core.Syncs.TableExport;
using DbxSync.Functions.Api.OpenApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Api.Configs;

public sealed record ExportLagResponse(long? ExportedVersion, long TableVersion, long? VersionsBehind);

/// <summary>/api/databricks/sync-configs/{id}/export-lag: how many table versions a table export trails (one history probe).</summary>
public sealed class ExportLagFunction(ExportLagService lags)
{
    [Function("GetExportLag")]
    [ApiOperation("Sync configs", "For a table export: the version last exported, the table's current version and how many versions it trails", Response = typeof(ExportLagResponse))]
    public async Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.ExportLag)] HttpRequest req, string id, CancellationToken ct)
    {
        var lag = await lags.GetAsync(id, ct);
        return ApiResult.Ok(new ExportLagResponse(lag.ExportedVersion, lag.TableVersion, lag.VersionsBehind));
    }
}
