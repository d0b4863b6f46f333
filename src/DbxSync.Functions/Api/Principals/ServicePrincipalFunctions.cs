using DbxSync.Core.Principals;
using DbxSync.Functions.Api.Json;
using DbxSync.Functions.Api.OpenApi;
using DbxSync.Functions.Api.Problems;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Api.Principals;

/// <summary>/api/databricks/service-principals: registration, listing, deletion, secret rotation.</summary>
public sealed class ServicePrincipalFunctions(ServicePrincipalService service)
{
    private const string Tag = "Service principals";

    [Function("RegisterServicePrincipal")]
    [ApiOperation(Tag, "Register a principal (credentials are proven first)", RequestBody = typeof(RegisterPrincipalBody), Response = typeof(PrincipalResponse), Status = 201)]
    public async Task<IActionResult> Register([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AppRoutes.Principals)] HttpRequest req, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<RegisterPrincipalBody>(req, ct);
        var principal = await service.RegisterAsync(new RegisterPrincipalRequest(body.WorkspaceUrl, body.ClientId, body.ClientSecret, body.Token, body.Name, body.WarehouseId,
            body.AuthType, body.TenantId, body.ManagedIdentityClientId, body.AzureWorkspaceResourceId), ct);
        return ApiResult.Created(AppRoutes.Url(AppRoutes.Principal, ("id", principal.Id)), PrincipalResponse.From(principal), principal.ETag);
    }

    [Function("ListServicePrincipals")]
    [ApiOperation(Tag, "List principals", Response = typeof(ItemsResponse<PrincipalResponse>))]
    public async Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.Principals)] HttpRequest req, CancellationToken ct)
        => ApiResult.Ok(new ItemsResponse<PrincipalResponse>((await service.ListAsync(ct)).Select(PrincipalResponse.From).ToList()));

    [Function("GetServicePrincipal")]
    [ApiOperation(Tag, "Get a principal", Response = typeof(PrincipalResponse))]
    public async Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.Principal)] HttpRequest req, string id, CancellationToken ct)
    {
        var principal = await service.GetAsync(id, ct);
        return ApiResult.Ok(PrincipalResponse.From(principal), principal.ETag);
    }

    [Function("DeleteServicePrincipal")]
    [ApiOperation(Tag, "Delete a principal (409 while a config uses it)", Status = 204)]
    public async Task<IActionResult> Delete([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = AppRoutes.Principal)] HttpRequest req, string id, CancellationToken ct)
    {
        var ifMatch = await ETags.ResolveIfMatchAsync(req, async () => (await service.GetAsync(id, ct)).ETag);
        await service.DeleteAsync(id, ifMatch, ct);
        return ApiResult.NoContent();
    }

    [Function("RotateServicePrincipalSecret")]
    [ApiOperation(Tag, "Rotate the secret (proven before stored)", RequestBody = typeof(RotateSecretBody), Response = typeof(PrincipalResponse))]
    public async Task<IActionResult> RotateSecret([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = AppRoutes.PrincipalSecret)] HttpRequest req, string id, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<RotateSecretBody>(req, ct);
        var ifMatch = await ETags.ResolveIfMatchAsync(req, async () => (await service.GetAsync(id, ct)).ETag);
        var principal = await service.RotateSecretAsync(id, body.ClientSecret, body.Token, ifMatch, ct);
        return ApiResult.Ok(PrincipalResponse.From(principal), principal.ETag);
    }

    /// <summary>A principal is bound to its workspace: only its secret rotates. Edits get an explicit answer, not a bare 405.</summary>
    [Function("EditServicePrincipal")]
    [ApiOperation(Tag, "Refused: principals are immutable except for their secret", Status = 400)]
    public async Task<IActionResult> RefuseEdit([HttpTrigger(AuthorizationLevel.Anonymous, "put", "patch", Route = AppRoutes.Principal)] HttpRequest req, string id, CancellationToken ct)
    {
        await service.GetAsync(id, ct);
        string? field = null;
        if (req.ContentLength is > 0 || req.Headers.TransferEncoding.Count > 0)
        {
            using var doc = await JsonBody.ReadDocumentAsync(req, ct);
            if (doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object)
                field = doc.RootElement.TryGetProperty("workspace_url", out _) ? "workspace_url" : doc.RootElement.EnumerateObject().Select(p => p.Name).FirstOrDefault();
        }
        return new ProblemResult(ProblemTypes.ImmutableField,
            $"A service principal cannot be edited: its workspace_url and client_id are fixed. Rotate the secret with PUT {AppRoutes.Url(AppRoutes.PrincipalSecret, ("id", id))}, or register a new principal for another workspace.",
            field ?? "workspace_url");
    }
}
