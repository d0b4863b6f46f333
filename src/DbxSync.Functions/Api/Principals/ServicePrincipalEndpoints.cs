using DbxSync.Core.Errors;
using DbxSync.Core.Principals;
using DbxSync.Core.Sql;
using DbxSync.Functions.Api.Json;
using DbxSync.Functions.Api.Problems;

namespace DbxSync.Functions.Api.Principals;

public static class ServicePrincipalEndpoints
{
    public const string Route = "/api/databricks/service-principals";

    public static IEndpointRouteBuilder MapServicePrincipalEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Route).WithTags("Service principals");

        group.MapPost("/", RegisterAsync).WithSummary("Register a principal (credentials are proven first)")
            .Accepts<RegisterPrincipalBody>("application/json").Produces<PrincipalResponse>(201);
        group.MapGet("/", ListAsync).WithSummary("List principals").Produces<ItemsResponse<PrincipalResponse>>();
        group.MapGet("/{id}", GetAsync).WithSummary("Get a principal").Produces<PrincipalResponse>();
        group.MapDelete("/{id}", DeleteAsync).WithSummary("Delete a principal (409 while a config uses it)").Produces(204);
        group.MapPut("/{id}/secret", RotateSecretAsync).WithSummary("Rotate the secret (proven before stored)")
            .Accepts<RotateSecretBody>("application/json").Produces<PrincipalResponse>();
        // A principal is bound to its workspace: only its secret rotates. Answer edits explicitly rather than with a bare 405.
        group.MapPut("/{id}", RefuseEditAsync).WithSummary("Refused: principals are immutable except for their secret");
        group.MapPatch("/{id}", RefuseEditAsync).WithSummary("Refused: principals are immutable except for their secret");

        group.MapGet("/{id}/catalogs", ListCatalogsAsync).WithSummary("List catalogs the principal can see").Produces<ItemsResponse<CatalogItem>>();
        group.MapGet("/{id}/catalogs/{catalog}/schemas", ListSchemasAsync).WithSummary("List schemas of a catalog").Produces<ItemsResponse<SchemaItem>>();
        group.MapGet("/{id}/catalogs/{catalog}/schemas/{schema}/tables", ListTablesAsync).WithSummary("List tables of a schema").Produces<ItemsResponse<TableItem>>();
        group.MapGet("/{id}/catalogs/{catalog}/schemas/{schema}/tables/{table}", GetTableAsync).WithSummary("One table with its columns and their types").Produces<TableItem>();
        group.MapGet("/{id}/catalogs/{catalog}/schemas/{schema}/volumes", ListVolumesAsync).WithSummary("List volumes of a schema").Produces<ItemsResponse<VolumeItem>>();
        return routes;
    }

    private static async Task<IResult> RegisterAsync(HttpRequest request, ServicePrincipalService service, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<RegisterPrincipalBody>(request, ct);
        var principal = await service.RegisterAsync(new RegisterPrincipalRequest(body.WorkspaceUrl, body.ClientId, body.ClientSecret, body.Token, body.Name, body.WarehouseId), ct);
        ETags.Set(request.HttpContext.Response, principal.ETag);
        return Results.Created($"{Route}/{principal.Id}", PrincipalResponse.From(principal));
    }

    private static async Task<IResult> ListAsync(ServicePrincipalService service, CancellationToken ct)
        => Results.Ok(new ItemsResponse<PrincipalResponse>((await service.ListAsync(ct)).Select(PrincipalResponse.From).ToList()));

    private static async Task<IResult> GetAsync(string id, HttpResponse response, ServicePrincipalService service, CancellationToken ct)
    {
        var principal = await service.GetAsync(id, ct);
        ETags.Set(response, principal.ETag);
        return Results.Ok(PrincipalResponse.From(principal));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpRequest request, ServicePrincipalService service, CancellationToken ct)
    {
        var ifMatch = await ETags.ResolveIfMatchAsync(request, async () => (await service.GetAsync(id, ct)).ETag);
        await service.DeleteAsync(id, ifMatch, ct);
        return Results.NoContent();
    }

    private static async Task<IResult> RotateSecretAsync(string id, HttpRequest request, ServicePrincipalService service, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<RotateSecretBody>(request, ct);
        var ifMatch = await ETags.ResolveIfMatchAsync(request, async () => (await service.GetAsync(id, ct)).ETag);
        var principal = await service.RotateSecretAsync(id, body.ClientSecret, body.Token, ifMatch, ct);
        ETags.Set(request.HttpContext.Response, principal.ETag);
        return Results.Ok(PrincipalResponse.From(principal));
    }

    private static async Task<IResult> RefuseEditAsync(string id, HttpRequest request, ServicePrincipalService service, CancellationToken ct)
    {
        await service.GetAsync(id, ct);
        string? field = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var doc = await JsonBody.ReadDocumentAsync(request, ct);
            if (doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object)
                field = doc.RootElement.TryGetProperty("workspace_url", out _) ? "workspace_url" : doc.RootElement.EnumerateObject().Select(p => p.Name).FirstOrDefault();
        }
        return ProblemWriter.Result(request.HttpContext, ProblemTypes.ImmutableField,
            $"A service principal cannot be edited: its workspace_url and client_id are fixed. Rotate the secret with PUT {Route}/{id}/secret, or register a new principal for another workspace.",
            field ?? "workspace_url");
    }

    private static async Task<IResult> ListCatalogsAsync(string id, ServicePrincipalService service, CancellationToken ct)
    {
        var workspace = await service.ConnectAsync(id, ct);
        var items = new List<CatalogItem>();
        await foreach (var c in workspace.ListCatalogsAsync(ct)) items.Add(new CatalogItem(c.Name, c.Comment));
        return Results.Ok(new ItemsResponse<CatalogItem>(items));
    }

    private static async Task<IResult> ListSchemasAsync(string id, string catalog, ServicePrincipalService service, CancellationToken ct)
    {
        SqlIdentifier.Validate(catalog, "catalog");
        var workspace = await service.ConnectAsync(id, ct);
        var items = new List<SchemaItem>();
        await foreach (var s in workspace.ListSchemasAsync(catalog, ct)) items.Add(new SchemaItem(s.CatalogName, s.Name, s.FullName, s.Comment));
        return Results.Ok(new ItemsResponse<SchemaItem>(items));
    }

    private static async Task<IResult> ListTablesAsync(string id, string catalog, string schema, ServicePrincipalService service, CancellationToken ct)
    {
        SqlIdentifier.Validate(catalog, "catalog");
        SqlIdentifier.Validate(schema, "schema");
        var workspace = await service.ConnectAsync(id, ct);
        var items = new List<TableItem>();
        await foreach (var t in workspace.ListTablesAsync(catalog, schema, ct))
            items.Add(TableItem.From(t));
        return Results.Ok(new ItemsResponse<TableItem>(items));
    }

    private static async Task<IResult> GetTableAsync(string id, string catalog, string schema, string table, ServicePrincipalService service, CancellationToken ct)
    {
        var name = new TableName(SqlIdentifier.Validate(catalog, "catalog"), SqlIdentifier.Validate(schema, "schema"), SqlIdentifier.Validate(table, "table"));
        var workspace = await service.ConnectAsync(id, ct);
        var t = await workspace.GetTableAsync(name.FullName, ct)
            ?? throw new NotFoundException($"Table {name.FullName} does not exist or the principal cannot see it.", "table-not-found");
        return Results.Ok(TableItem.From(t));
    }

    private static async Task<IResult> ListVolumesAsync(string id, string catalog, string schema, ServicePrincipalService service, CancellationToken ct)
    {
        SqlIdentifier.Validate(catalog, "catalog");
        SqlIdentifier.Validate(schema, "schema");
        var workspace = await service.ConnectAsync(id, ct);
        var items = new List<VolumeItem>();
        await foreach (var v in workspace.ListVolumesAsync(catalog, schema, ct)) items.Add(new VolumeItem(v.CatalogName, v.SchemaName, v.Name, v.FullName, v.VolumeType));
        return Results.Ok(new ItemsResponse<VolumeItem>(items));
    }
}
