using DbxSync.Core.Errors;
using DbxSync.Core.Principals;
using DbxSync.Core.Sql;
using DbxSync.Functions.Api.OpenApi;
using DbxSync.Functions.Api.Principals;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Api.Catalog;

/// <summary>Unity Catalog browsing through a registered principal: catalogs, schemas, tables, volumes.</summary>
public sealed class CatalogFunctions(ServicePrincipalService service)
{
    private const string Tag = "Catalog browsing";

    [Function("ListCatalogs")]
    [ApiOperation(Tag, "List catalogs the principal can see", Response = typeof(ItemsResponse<CatalogItem>))]
    public async Task<IActionResult> Catalogs([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.Catalogs)] HttpRequest req, string id, CancellationToken ct)
    {
        var workspace = await service.ConnectAsync(id, ct);
        var items = new List<CatalogItem>();
        await foreach (var c in workspace.ListCatalogsAsync(ct)) items.Add(new CatalogItem(c.Name, c.Comment));
        return ApiResult.Ok(new ItemsResponse<CatalogItem>(items));
    }

    [Function("ListSchemas")]
    [ApiOperation(Tag, "List schemas of a catalog", Response = typeof(ItemsResponse<SchemaItem>))]
    public async Task<IActionResult> Schemas([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.Schemas)] HttpRequest req,
        string id, string catalog, CancellationToken ct)
    {
        SqlIdentifier.Validate(catalog, "catalog");
        var workspace = await service.ConnectAsync(id, ct);
        var items = new List<SchemaItem>();
        await foreach (var s in workspace.ListSchemasAsync(catalog, ct)) items.Add(new SchemaItem(s.CatalogName, s.Name, s.FullName, s.Comment));
        return ApiResult.Ok(new ItemsResponse<SchemaItem>(items));
    }

    [Function("ListTables")]
    [ApiOperation(Tag, "List tables of a schema", Response = typeof(ItemsResponse<TableItem>))]
    public async Task<IActionResult> Tables([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.Tables)] HttpRequest req,
        string id, string catalog, string schema, CancellationToken ct)
    {
        SqlIdentifier.Validate(catalog, "catalog");
        SqlIdentifier.Validate(schema, "schema");
        var workspace = await service.ConnectAsync(id, ct);
        var items = new List<TableItem>();
        await foreach (var t in workspace.ListTablesAsync(catalog, schema, ct)) items.Add(TableItem.From(t));
        return ApiResult.Ok(new ItemsResponse<TableItem>(items));
    }

    [Function("GetTable")]
    [ApiOperation(Tag, "One table with its columns and their types (Unity Catalog get table)", Response = typeof(TableItem))]
    public async Task<IActionResult> Table([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.Table)] HttpRequest req,
        string id, string catalog, string schema, string table, CancellationToken ct)
    {
        var name = new TableName(SqlIdentifier.Validate(catalog, "catalog"), SqlIdentifier.Validate(schema, "schema"), SqlIdentifier.Validate(table, "table"));
        var workspace = await service.ConnectAsync(id, ct);
        var found = await workspace.GetTableAsync(name.FullName, ct)
            ?? throw new NotFoundException($"Table {name.FullName} does not exist or the principal cannot see it.", "table-not-found");
        return ApiResult.Ok(TableItem.From(found));
    }

    [Function("ListVolumes")]
    [ApiOperation(Tag, "List volumes of a schema", Response = typeof(ItemsResponse<VolumeItem>))]
    public async Task<IActionResult> Volumes([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.Volumes)] HttpRequest req,
        string id, string catalog, string schema, CancellationToken ct)
    {
        SqlIdentifier.Validate(catalog, "catalog");
        SqlIdentifier.Validate(schema, "schema");
        var workspace = await service.ConnectAsync(id, ct);
        var items = new List<VolumeItem>();
        await foreach (var v in workspace.ListVolumesAsync(catalog, schema, ct)) items.Add(new VolumeItem(v.CatalogName, v.SchemaName, v.Name, v.FullName, v.VolumeType));
        return ApiResult.Ok(new ItemsResponse<VolumeItem>(items));
    }
}
