using System.Text.Json.Serialization;
using DbxSync.Emulator.Http;

namespace DbxSync.Emulator.Warehouses;

/// <summary>
/// The workspace-level configuration shared by all SQL warehouses: here its SQL configuration parameters, of which
/// the engine applies TIMEZONE (the session time zone a statement's timestamp casts use). Set and read through
/// PUT/GET /api/2.0/sql/config/warehouses, as on Databricks
/// (https://docs.databricks.com/api/workspace/warehouses/setworkspacewarehouseconfig; the parameter:
/// https://docs.databricks.com/aws/en/sql/language-manual/parameters/timezone, system default UTC).
/// </summary>
public sealed class WorkspaceWarehouseConfig
{
    private readonly Lock _gate = new();
    private IReadOnlyList<ConfigurationPair> _pairs = [];

    public sealed record ConfigurationPair(string? Key, string? Value);
    public sealed record ConfigurationPairs([property: JsonPropertyName("configuration_pairs")] IReadOnlyList<ConfigurationPair>? Pairs);
    public sealed record Body([property: JsonPropertyName("sql_configuration_parameters")] ConfigurationPairs? SqlConfigurationParameters);

    /// <summary>The TIMEZONE parameter, or null for the system default (UTC).</summary>
    public string? TimeZone
    {
        get
        {
            lock (_gate)
                return _pairs.LastOrDefault(p => string.Equals(p.Key, "TIMEZONE", StringComparison.OrdinalIgnoreCase))?.Value;
        }
    }

    /// <summary>
    /// Replaces the parameters (the PUT sets the whole configuration). A TIMEZONE the engine cannot resolve is refused
    /// up front; Databricks' wording for that case is assumed.
    /// </summary>
    public IResult Set(Body body)
    {
        var pairs = body.SqlConfigurationParameters?.Pairs ?? [];
        foreach (var pair in pairs.Where(p => string.Equals(p.Key, "TIMEZONE", StringComparison.OrdinalIgnoreCase)))
            if (pair.Value is null || !Sql.SessionTimeZone.TryResolve(pair.Value, out _))
                return ErrorEnvelope.BadRequest($"Invalid value '{pair.Value}' for the SQL configuration parameter TIMEZONE.");
        lock (_gate) _pairs = pairs.ToList();
        return Results.Json(new { });
    }

    public Body Get()
    {
        lock (_gate) return new Body(new ConfigurationPairs(_pairs));
    }
}

public static class WorkspaceWarehouseConfigEndpoints
{
    public static void MapWorkspaceWarehouseConfigEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/2.0/sql/config/warehouses", (WorkspaceWarehouseConfig config) => Results.Json(config.Get(), EmulatorJson.Options));
        app.MapPut("/api/2.0/sql/config/warehouses", (WorkspaceWarehouseConfig.Body body, WorkspaceWarehouseConfig config) => config.Set(body));
    }
}
