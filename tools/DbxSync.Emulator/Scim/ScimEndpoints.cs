using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DbxSync.Emulator.Auth;

namespace DbxSync.Emulator.Scim;

/// <summary>
/// Workspace SCIM 2.0 (Databricks REST API reference, "Identity and Access Management": Current user "Get current
/// user info" GET /api/2.0/preview/scim/v2/Me; Service principals list/get/create/delete under
/// /api/2.0/preview/scim/v2/ServicePrincipals). Bodies are SCIM's camelCase; errors are SCIM error messages
/// (RFC 7644 3.12: schemas, detail, status as a string, scimType where it applies). Where the exact detail text is not
/// documented it is assumed (README's emulator table says so).
/// </summary>
public static class ScimEndpoints
{
    public const string Prefix = "/api/2.0/preview/scim/v2";
    private const string UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
    private const string WorkspaceUserSchema = "urn:ietf:params:scim:schemas:extension:workspace:2.0:User";
    private const string ServicePrincipalSchema = "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal";
    private const string ListSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    private const string ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public sealed record ComplexValue(string? Value, string? Display = null);

    public sealed record CreateServicePrincipal(
        string? ApplicationId, string? DisplayName, bool? Active, List<ComplexValue>? Entitlements, List<string>? Schemas,
        string? ExternalId, List<ComplexValue>? Groups, List<ComplexValue>? Roles, string? Id);

    public static void MapScimEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(Prefix + "/Me", Me);
        app.MapGet(Prefix + "/ServicePrincipals", List);
        app.MapGet(Prefix + "/ServicePrincipals/{id}", (string id, ScimDirectory directory) =>
            directory.Get(id) is { IsServicePrincipal: true } sp ? Results.Json(Compact(ServicePrincipalResource(sp)), Json) : NotFound(id));
        app.MapPost(Prefix + "/ServicePrincipals", CreateAsync);
        app.MapDelete(Prefix + "/ServicePrincipals/{id}", (string id, HttpContext context, ScimDirectory directory) =>
        {
            if (RequireAdmin(context, directory) is { } refused) return refused;
            return directory.Get(id) is { IsServicePrincipal: true } && directory.Remove(id) ? Results.NoContent() : NotFound(id);
        });
    }

    /// <summary>For a service principal userName is its application id (as the real service answers; databricks-sdk-go's
    /// CurrentUser and the CLI's "auth describe" rely on it).</summary>
    private static IResult Me(HttpContext context, ScimDirectory directory)
    {
        var principal = BearerAuthenticationMiddleware.GetPrincipal(context);
        var identity = principal.IsServicePrincipal ? directory.FindServicePrincipal(principal.UserName) : directory.FindUser(principal.UserName);
        if (identity is null)
            return Error(404, $"User {principal.UserName} not found.");
        var body = new Dictionary<string, object?>
        {
            ["id"] = identity.Id,
            ["userName"] = identity.Name,
            ["displayName"] = identity.DisplayName,
            ["active"] = identity.Active,
            ["emails"] = identity.IsServicePrincipal ? Array.Empty<object>() : new object[] { new { value = identity.UserName, type = "work", primary = true } },
            ["entitlements"] = identity.Entitlements.Select(e => new ComplexValue(e)).ToList(),
            ["groups"] = identity.IsAdmin ? new object[] { new { display = "admins", type = "direct", value = "admins" } } : Array.Empty<object>(),
            ["schemas"] = new[] { UserSchema, WorkspaceUserSchema },
        };
        return Results.Json(body, Json);
    }

    private static IResult List(HttpContext context, ScimDirectory directory)
    {
        var query = context.Request.Query;
        IEnumerable<ScimIdentity> all = directory.ServicePrincipals();
        if (query["filter"].ToString() is { Length: > 0 } filterText)
        {
            var filter = ScimFilter.TryParse(filterText, out var error);
            if (filter is null)
                return Error(400, error!, "invalidFilter");
            all = all.Where(filter.Matches);
        }
        var matching = all.ToList();
        // startIndex is 1-based (RFC 7644 3.4.2.4); values below 1 are read as 1.
        var start = int.TryParse(query["startIndex"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) && s > 1 ? s : 1;
        var count = int.TryParse(query["count"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) && c >= 0 ? c : int.MaxValue;
        var page = matching.Skip(start - 1).Take(count).Select(sp => Compact(ServicePrincipalResource(sp))).ToList();
        var body = new Dictionary<string, object?>
        {
            ["totalResults"] = matching.Count,
            ["itemsPerPage"] = page.Count,
            ["startIndex"] = start,
            ["schemas"] = new[] { ListSchema },
            // Assumed from the SDKs, which read a missing Resources as an empty page: absent when there is nothing.
            ["Resources"] = page.Count == 0 ? null : page,
        };
        return Results.Json(Compact(body), Json);
    }

    /// <summary>Absent rather than null, as the service omits what a resource does not have (dictionaries ignore JsonIgnoreCondition).</summary>
    private static Dictionary<string, object?> Compact(Dictionary<string, object?> body) =>
        body.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value);

    private static async Task<IResult> CreateAsync(HttpContext context, ScimDirectory directory)
    {
        if (RequireAdmin(context, directory) is { } refused)
            return refused;
        CreateServicePrincipal? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<CreateServicePrincipal>(context.Request.Body, Json, context.RequestAborted);
        }
        catch (JsonException)
        {
            return Error(400, "Request body is not valid JSON.", "invalidSyntax");
        }
        if (body is null)
            return Error(400, "Request body is missing.", "invalidSyntax");
        // On Azure the application id is the Entra application's (client) id; a missing one makes a Databricks-managed
        // principal with a new id (SCIM reference, "applicationId": UUID relating to the service principal).
        var applicationId = body.ApplicationId ?? Guid.NewGuid().ToString();
        if (!Guid.TryParse(applicationId, out _))
            return Error(400, $"Invalid applicationId '{applicationId}': it must be a UUID.", "invalidValue");
        var entitlements = (body.Entitlements ?? []).Select(e => e.Value ?? "").ToList();
        if (entitlements.FirstOrDefault(e => !ScimDirectory.KnownEntitlements.Contains(e)) is { } unknown)
            return Error(400, $"Invalid entitlement value '{unknown}'.", "invalidValue");
        var created = directory.TryAddServicePrincipal(applicationId, body.DisplayName ?? applicationId, body.Active ?? true, entitlements.Distinct().ToList());
        if (created is null)
            return Error(409, $"Service principal with applicationId {applicationId} already exists.", "uniqueness");
        return Results.Json(Compact(ServicePrincipalResource(created)), Json, statusCode: 201);
    }

    private static Dictionary<string, object?> ServicePrincipalResource(ScimIdentity sp) => new()
    {
        ["id"] = sp.Id,
        ["applicationId"] = sp.ApplicationId,
        ["displayName"] = sp.DisplayName,
        ["active"] = sp.Active,
        ["entitlements"] = sp.Entitlements.Count == 0 ? null : sp.Entitlements.Select(e => new ComplexValue(e)).ToList(),
        ["groups"] = sp.IsAdmin ? new[] { new ComplexValue("admins", "admins") } : null,
        ["schemas"] = new[] { ServicePrincipalSchema },
    };

    /// <summary>Only workspace admins manage identities (SCIM reference: "Workspace admins only"). Detail assumed.</summary>
    private static IResult? RequireAdmin(HttpContext context, ScimDirectory directory)
    {
        var principal = BearerAuthenticationMiddleware.GetPrincipal(context);
        var identity = principal.IsServicePrincipal ? directory.FindServicePrincipal(principal.UserName) : directory.FindUser(principal.UserName);
        return identity is { IsAdmin: true } ? null : Error(403, "Only workspace admins can manage service principals.");
    }

    private static IResult NotFound(string id) => Error(404, $"Service principal {id} not found.");

    private static IResult Error(int status, string detail, string? scimType = null) => Results.Json(Compact(new Dictionary<string, object?>
    {
        ["schemas"] = new[] { ErrorSchema },
        ["detail"] = detail,
        ["status"] = status.ToString(CultureInfo.InvariantCulture),
        ["scimType"] = scimType,
    }), Json, statusCode: status);
}
