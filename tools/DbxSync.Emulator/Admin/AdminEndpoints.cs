using System.Net;
using System.Security.Cryptography;
using System.Text;
using DbxSync.Emulator.Faults;
using DbxSync.Emulator.Http;

namespace DbxSync.Emulator.Admin;

/// <summary>Test control surface, kept outside /api/ so Databricks auth and faults never apply to it.</summary>
public static class AdminEndpoints
{
    public const string AdminTokenHeader = "X-Emulator-Admin-Token";

    public sealed record StatsResponse(
        IReadOnlyDictionary<string, long> RequestsByRoute, IReadOnlyDictionary<string, long> FailedRequests,
        IReadOnlyDictionary<string, long> StatementsByPrefix, long StatementsExecuted);

    public static void MapAdminEndpoints(this IEndpointRouteBuilder app, string? adminToken)
    {
        var admin = app.MapGroup("/emulator").AddEndpointFilter(async (invocation, next) =>
            IsAllowed(invocation.HttpContext, adminToken)
                ? await next(invocation)
                : ErrorEnvelope.Result(403, "PERMISSION_DENIED", "Emulator admin routes need the admin token or a loopback caller."));

        admin.MapGet("/faults", (FaultInjector faults) => Results.Json(faults.Snapshot(), EmulatorJson.Options));
        admin.MapPost("/faults", async (HttpContext context, FaultInjector faults) =>
        {
            FaultSettings? update;
            try
            {
                update = await context.Request.ReadFromJsonAsync<FaultSettings>(EmulatorJson.Options, context.RequestAborted);
            }
            catch (System.Text.Json.JsonException ex)
            {
                return ErrorEnvelope.Result(400, "MALFORMED_REQUEST", "Invalid fault settings: " + ex.Message);
            }
            if (update is null)
                return ErrorEnvelope.Result(400, "MALFORMED_REQUEST", "Body must be a JSON object");
            try
            {
                faults.Apply(update);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                return ErrorEnvelope.BadRequest(ex.Message);
            }
            return Results.Json(faults.Snapshot(), EmulatorJson.Options);
        });

        admin.MapGet("/stats", (EmulatorStats stats) =>
            Results.Json(new StatsResponse(stats.RequestsByRoute, stats.FailedRequests, stats.StatementsByPrefix, stats.StatementsExecuted), EmulatorJson.Options));
        admin.MapPost("/stats/reset", (EmulatorStats stats) =>
        {
            stats.Reset();
            return Results.Ok();
        });
    }

    private static bool IsAllowed(HttpContext context, string? adminToken)
    {
        if (adminToken is null)
            return context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote);
        var presented = context.Request.Headers[AdminTokenHeader].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(adminToken));
    }
}
