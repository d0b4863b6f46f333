using DbxSync.Emulator.Http;
using DbxSync.Emulator.Provisioning;

namespace DbxSync.Emulator.Warehouses;

/// <summary>The single always-running SQL warehouse that statements target.</summary>
public static class WarehouseEndpoints
{
    public sealed record OdbcParams(string Hostname, string Path, int Port, string Protocol);

    public sealed record WarehouseInfo(string Id, string Name, string State, string ClusterSize, string WarehouseType,
        bool EnableServerlessCompute, int MinNumClusters, int MaxNumClusters, int NumClusters, int AutoStopMins,
        string CreatorName, string JdbcUrl, OdbcParams OdbcParams);

    public sealed record WarehouseList(IReadOnlyList<WarehouseInfo> Warehouses);

    public static void MapWarehouseEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/2.0/sql/warehouses", (HttpContext context, EmulatorCredentials credentials) =>
            Results.Json(new WarehouseList([Describe(context, credentials.Warehouse)]), EmulatorJson.Options));

        app.MapGet("/api/2.0/sql/warehouses/{id}", (string id, HttpContext context, EmulatorCredentials credentials) =>
            string.Equals(id, credentials.Warehouse.Id, StringComparison.OrdinalIgnoreCase)
                ? Results.Json(Describe(context, credentials.Warehouse), EmulatorJson.Options)
                : ErrorEnvelope.NotFound("RESOURCE_DOES_NOT_EXIST", $"Warehouse {id} does not exist."));
    }

    private static WarehouseInfo Describe(HttpContext context, Warehouse warehouse)
    {
        var host = context.Request.Host;
        var path = $"/sql/1.0/warehouses/{warehouse.Id}";
        return new WarehouseInfo(warehouse.Id, warehouse.Name, "RUNNING", "2X-Small", "PRO", true, 1, 1, 1, 10,
            "emulator", $"jdbc:databricks://{host.Host}:{host.Port};httpPath={path}",
            new OdbcParams(host.Host, path, host.Port ?? 80, context.Request.Scheme));
    }
}
