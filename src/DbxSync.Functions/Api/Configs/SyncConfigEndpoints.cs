using DbxSync.Core.Configs;
using DbxSync.Functions.Api.Json;
using DbxSync.Functions.Api.Principals;

namespace DbxSync.Functions.Api.Configs;

public static class SyncConfigEndpoints
{
    public const string Route = "/api/databricks/sync-configs";

    public static IEndpointRouteBuilder MapSyncConfigEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Route).WithTags("Sync configs");

        group.MapPost("/", CreateAsync).WithSummary("Create a sync config (checked against the workspace)")
            .Accepts<SyncConfigInput>("application/json").Produces<SyncConfigResponse>(201);
        group.MapGet("/", ListAsync).WithSummary("List sync configs (?config_type=, ?service_principal_id=)").Produces<ItemsResponse<SyncConfigResponse>>();
        group.MapGet("/{id}", GetAsync).WithSummary("Get a sync config").Produces<SyncConfigResponse>();
        group.MapPut("/{id}", ReplaceAsync).WithSummary("Replace a sync config (unsent optional fields reset)")
            .Accepts<SyncConfigInput>("application/json").Produces<SyncConfigResponse>();
        group.MapPatch("/{id}", PatchAsync).WithSummary("Change the sent fields of a sync config")
            .Accepts<SyncConfigInput>("application/json").Produces<SyncConfigResponse>();
        group.MapDelete("/{id}", DeleteAsync).WithSummary("Delete a sync config, its state and its runs").Produces(204);
        group.MapPost("/{id}/pause", (string id, HttpRequest request, SyncConfigService service, CancellationToken ct)
            => SetStatusAsync(id, SyncConfigStatus.Paused, request, service, ct)).WithName("PauseSyncConfig").WithSummary("Pause: timers and blob events skip it").Produces<SyncConfigResponse>();
        group.MapPost("/{id}/resume", (string id, HttpRequest request, SyncConfigService service, CancellationToken ct)
            => SetStatusAsync(id, SyncConfigStatus.Active, request, service, ct)).WithName("ResumeSyncConfig").WithSummary("Resume a paused config").Produces<SyncConfigResponse>();
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, SyncConfigService service, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<SyncConfigInput>(request, ct);
        var config = await service.CreateAsync(body, ct);
        ETags.Set(request.HttpContext.Response, config.ETag);
        return Results.Created($"{Route}/{config.Id}", SyncConfigResponse.From(config));
    }

    private static async Task<IResult> ListAsync(HttpRequest request, SyncConfigService service, CancellationToken ct)
    {
        var configType = request.Query["config_type"].FirstOrDefault();
        var principalId = request.Query["service_principal_id"].FirstOrDefault();
        var configs = await service.ListAsync(configType, principalId, ct);
        return Results.Ok(new ItemsResponse<SyncConfigResponse>(configs.Select(SyncConfigResponse.From).ToList()));
    }

    private static async Task<IResult> GetAsync(string id, HttpResponse response, SyncConfigService service, CancellationToken ct)
    {
        var config = await service.GetAsync(id, ct);
        ETags.Set(response, config.ETag);
        return Results.Ok(SyncConfigResponse.From(config));
    }

    private static async Task<IResult> ReplaceAsync(string id, HttpRequest request, SyncConfigService service, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<SyncConfigInput>(request, ct);
        var ifMatch = await ETags.ResolveIfMatchAsync(request, async () => (await service.GetAsync(id, ct)).ETag);
        return Saved(request.HttpContext.Response, await service.ReplaceAsync(id, body, ifMatch, ct));
    }

    private static async Task<IResult> PatchAsync(string id, HttpRequest request, SyncConfigService service, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<SyncConfigInput>(request, ct);
        var ifMatch = await ETags.ResolveIfMatchAsync(request, async () => (await service.GetAsync(id, ct)).ETag);
        return Saved(request.HttpContext.Response, await service.PatchAsync(id, body, ifMatch, ct));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpRequest request, SyncConfigService service, CancellationToken ct)
    {
        var ifMatch = await ETags.ResolveIfMatchAsync(request, async () => (await service.GetAsync(id, ct)).ETag);
        await service.DeleteAsync(id, ifMatch, ct);
        return Results.NoContent();
    }

    private static async Task<IResult> SetStatusAsync(string id, SyncConfigStatus status, HttpRequest request, SyncConfigService service, CancellationToken ct)
    {
        var ifMatch = await ETags.ResolveIfMatchAsync(request, async () => (await service.GetAsync(id, ct)).ETag);
        return Saved(request.HttpContext.Response, await service.SetStatusAsync(id, status, ifMatch, ct));
    }

    private static IResult Saved(HttpResponse response, SyncConfig config)
    {
        ETags.Set(response, config.ETag);
        return Results.Ok(SyncConfigResponse.From(config));
    }
}
