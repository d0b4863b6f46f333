using DbxSync.Core.Configs;
using DbxSync.Core.State;
using DbxSync.Functions.Api.Json;
using DbxSync.Functions.Api.OpenApi;
using DbxSync.Functions.Api.Principals;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Api.Configs;

/// <summary>/api/databricks/sync-configs: create, read, change, pause/resume and delete sync configs.</summary>
public sealed class SyncConfigFunctions(SyncConfigService service, DueScheduleRepository schedules, SyncConfigListing listing)
{
    private const string Tag = "Sync configs";

    [Function("CreateSyncConfig")]
    [ApiOperation(Tag, "Create a sync config (checked against the workspace)", RequestBody = typeof(SyncConfigInput), Response = typeof(SyncConfigResponse), Status = 201)]
    public async Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AppRoutes.SyncConfigs)] HttpRequest req, CancellationToken ct)
    {
        var config = await service.CreateAsync(await JsonBody.ReadAsync<SyncConfigInput>(req, ct), ct);
        return ApiResult.Created(AppRoutes.Url(AppRoutes.SyncConfig, ("id", config.Id)), SyncConfigResponse.From(config), config.ETag);
    }

    [Function("ListSyncConfigs")]
    [ApiOperation(Tag, "List sync configs with status, error state, next due, last run and export lag from state, in natural name order " +
        "(?name=, ?config_type=, ?status=active|paused|failing, ?service_principal_id=, ?order=failures_first, ?page_size= 1..5000, ?page_token=)",
        Response = typeof(SyncConfigPageResponse))]
    public async Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.SyncConfigs)] HttpRequest req, CancellationToken ct)
    {
        var pageSize = SyncConfigListing.MaxPageSize;
        if (req.Query["page_size"].FirstOrDefault() is { } rawSize && !int.TryParse(rawSize, out pageSize))
            throw new Core.Errors.ValidationException($"page_size must be an integer from 1 to {SyncConfigListing.MaxPageSize}.", "page_size");
        var order = req.Query["order"].FirstOrDefault();
        if (order is not (null or "name" or "failures_first"))
            throw new Core.Errors.ValidationException("order must be name or failures_first.", "order");
        var (items, next, total, failing, paused) = await listing.ListAsync(new ConfigListQuery
        {
            Name = req.Query["name"].FirstOrDefault(),
            ConfigType = req.Query["config_type"].FirstOrDefault(),
            Status = req.Query["status"].FirstOrDefault(),
            ServicePrincipalId = req.Query["service_principal_id"].FirstOrDefault(),
            FailuresFirst = order == "failures_first",
            PageSize = pageSize,
            PageToken = req.Query["page_token"].FirstOrDefault(),
        }, ct);
        return ApiResult.Ok(new SyncConfigPageResponse(items.Select(SyncConfigResponse.From).ToList(), next, total, new SyncConfigCounts(failing, paused)));
    }

    [Function("GetSyncConfig")]
    [ApiOperation(Tag, "Get a sync config", Response = typeof(SyncConfigResponse))]
    public async Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.SyncConfig)] HttpRequest req, string id, CancellationToken ct)
        => await SavedAsync(await service.GetAsync(id, ct), ct);

    [Function("ReplaceSyncConfig")]
    [ApiOperation(Tag, "Replace a sync config (unsent optional fields reset)", RequestBody = typeof(SyncConfigInput), Response = typeof(SyncConfigResponse))]
    public async Task<IActionResult> Replace([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = AppRoutes.SyncConfig)] HttpRequest req, string id, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<SyncConfigInput>(req, ct);
        return await SavedAsync(await service.ReplaceAsync(id, body, await IfMatchAsync(req, id, ct), ct), ct);
    }

    [Function("PatchSyncConfig")]
    [ApiOperation(Tag, "Change the sent fields of a sync config", RequestBody = typeof(SyncConfigInput), Response = typeof(SyncConfigResponse))]
    public async Task<IActionResult> Patch([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = AppRoutes.SyncConfig)] HttpRequest req, string id, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<SyncConfigInput>(req, ct);
        return await SavedAsync(await service.PatchAsync(id, body, await IfMatchAsync(req, id, ct), ct), ct);
    }

    [Function("DeleteSyncConfig")]
    [ApiOperation(Tag, "Delete a sync config, its state and its runs", Status = 204)]
    public async Task<IActionResult> Delete([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = AppRoutes.SyncConfig)] HttpRequest req, string id, CancellationToken ct)
    {
        await service.DeleteAsync(id, await IfMatchAsync(req, id, ct), ct);
        return ApiResult.NoContent();
    }

    [Function("PauseSyncConfig")]
    [ApiOperation(Tag, "Pause: timers and blob events skip it", Response = typeof(SyncConfigResponse))]
    public async Task<IActionResult> Pause([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AppRoutes.PauseSyncConfig)] HttpRequest req, string id, CancellationToken ct)
        => await SavedAsync(await service.SetStatusAsync(id, SyncConfigStatus.Paused, await IfMatchAsync(req, id, ct), ct), ct);

    [Function("ResumeSyncConfig")]
    [ApiOperation(Tag, "Resume a paused config", Response = typeof(SyncConfigResponse))]
    public async Task<IActionResult> Resume([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AppRoutes.ResumeSyncConfig)] HttpRequest req, string id, CancellationToken ct)
        => await SavedAsync(await service.SetStatusAsync(id, SyncConfigStatus.Active, await IfMatchAsync(req, id, ct), ct), ct);

    private Task<string?> IfMatchAsync(HttpRequest req, string id, CancellationToken ct)
        => ETags.ResolveIfMatchAsync(req, async () => (await service.GetAsync(id, ct)).ETag);

    private async Task<ApiResult> SavedAsync(SyncConfig config, CancellationToken ct)
        => ApiResult.Ok(SyncConfigResponse.From(config, await schedules.GetAsync(config.Id, ct)), config.ETag);
}
