using System.Security.Cryptography;
using System.Text;

namespace DbxSync.EntraStandIn;

/// <summary>
/// The Entra ID endpoints Azure.Identity and the Databricks SDKs call, with Entra's shapes:
/// - GET /{tenant}/v2.0/.well-known/openid-configuration and /{tenant}/discovery/v2.0/keys (OpenID Connect discovery);
/// - POST /{tenant}/oauth2/v2.0/token, client_credentials with client_secret and scope={resource}/.default
///   ("Microsoft identity platform and the OAuth 2.0 client credentials flow");
/// - POST /{tenant}/oauth2/token, the v1 form with resource= that the Databricks SDKs use;
/// - GET /msi/token, the App Service managed-identity protocol ("How to use managed identities for App Service and
///   Azure Functions", REST endpoint reference: api-version 2019-08-01, X-IDENTITY-HEADER, resource, client_id).
/// Errors carry Entra's AADSTS codes and the RFC 6749 error shape MSAL parses.
/// </summary>
public static class EntraEndpoints
{
    private const string DefaultSuffix = "/.default";

    public static void MapEntraEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (string tenant, HttpContext context) => Results.Json(Metadata(Origin(context), tenant)));
        app.MapGet("/{tenant}/.well-known/openid-configuration", (string tenant, HttpContext context) => Results.Json(Metadata(Origin(context), tenant)));
        app.MapGet("/{tenant}/discovery/v2.0/keys", (EntraStandInState state) => Results.Json(state.Issuer.Jwks()));
        app.MapGet("/{tenant}/discovery/keys", (EntraStandInState state) => Results.Json(state.Issuer.Jwks()));
        app.MapPost("/{tenant}/oauth2/v2.0/token", (string tenant, HttpContext context, EntraStandInState state) => ClientCredentialsAsync(tenant, context, state, v2: true));
        app.MapPost("/{tenant}/oauth2/token", (string tenant, HttpContext context, EntraStandInState state) => ClientCredentialsAsync(tenant, context, state, v2: false));
        app.MapGet(EntraStandInServer.IdentityEndpointPath, ManagedIdentityToken);
    }

    private static string Origin(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";

    private static Dictionary<string, object> Metadata(string origin, string tenant) => new()
    {
        ["issuer"] = $"{origin}/{tenant}/v2.0",
        ["authorization_endpoint"] = $"{origin}/{tenant}/oauth2/v2.0/authorize",
        ["token_endpoint"] = $"{origin}/{tenant}/oauth2/v2.0/token",
        ["jwks_uri"] = $"{origin}/{tenant}/discovery/v2.0/keys",
        ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "private_key_jwt", "client_secret_basic" },
        ["response_types_supported"] = new[] { "code", "id_token", "code id_token", "id_token token" },
        ["subject_types_supported"] = new[] { "pairwise" },
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        ["tenant_region_scope"] = "NA",
    };

    private static async Task<IResult> ClientCredentialsAsync(string tenant, HttpContext context, EntraStandInState state, bool v2)
    {
        if (!context.Request.HasFormContentType)
            return Error(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form["grant_type"].ToString() != "client_credentials")
            return Error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");

        var resource = v2 ? ResourceOfScope(form["scope"].ToString()) : form["resource"].ToString();
        if (string.IsNullOrEmpty(resource))
            return v2
                ? Error(400, "invalid_scope", 1002012, "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
                : Error(400, "invalid_request", 900144, "The request body must contain the following parameter: 'resource'.");

        var clientId = form["client_id"].ToString();
        if (!state.Applications.TryGetValue(clientId, out var app) || !string.Equals(app.TenantId, tenant, StringComparison.OrdinalIgnoreCase))
            return Error(400, "unauthorized_client", 700016,
                $"Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(form["client_secret"].ToString()), Encoding.UTF8.GetBytes(app.ClientSecret)))
            return Error(401, "invalid_client", 7000215,
                $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{app.ClientId}'.");

        var (token, expiresOn) = state.Issuer.Issue(app.TenantId, resource, app.ClientId, app.ClientId, state.TokenLifetime);
        var seconds = (long)(expiresOn - state.Time.GetUtcNow()).TotalSeconds;
        return Results.Json(new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = seconds,
            ["ext_expires_in"] = seconds,
            ["access_token"] = token,
        });
    }

    /// <summary>App Service's identity endpoint: a GET with the secret header, answering expires_on in Unix seconds.</summary>
    private static IResult ManagedIdentityToken(HttpContext context, EntraStandInState state)
    {
        var header = context.Request.Headers["X-IDENTITY-HEADER"].ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(state.IdentityHeader)))
            // Assumed wording: the platform's answer to a missing or wrong header is not documented.
            return Results.Json(new { statusCode = 401, message = "Unauthorized: X-IDENTITY-HEADER is missing or wrong." }, statusCode: 401);
        var query = context.Request.Query;
        if (query["api-version"].ToString() != "2019-08-01")
            return Results.Json(new { statusCode = 400, message = "api-version 2019-08-01 is required." }, statusCode: 400);
        var resource = query["resource"].ToString();
        if (string.IsNullOrEmpty(resource))
            return Results.Json(new { statusCode = 400, message = "resource is required." }, statusCode: 400);

        var clientId = query["client_id"].ToString();
        ManagedIdentity? identity;
        if (clientId.Length > 0)
            identity = state.UserAssigned.FirstOrDefault(i => string.Equals(i.ClientId, clientId, StringComparison.OrdinalIgnoreCase))
                       ?? (string.Equals(state.SystemAssigned?.ClientId, clientId, StringComparison.OrdinalIgnoreCase) ? state.SystemAssigned : null);
        else if (state.SystemAssigned is null && state.UserAssigned.Count > 1)
            // The documented failure with several user-assigned identities and none named.
            return Results.Json(new { statusCode = 400, message = "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request" }, statusCode: 400);
        else
            identity = state.SystemAssigned ?? state.UserAssigned.FirstOrDefault();
        if (identity is null)
            return Results.Json(new { statusCode = 400, message = clientId.Length > 0 ? $"No managed identity with client id '{clientId}' is assigned to this app." : "No managed identity is assigned to this app." }, statusCode: 400);

        var (token, expiresOn) = state.Issuer.Issue(identity.TenantId, resource, identity.ClientId, identity.PrincipalId, state.TokenLifetime);
        state.CountManagedIdentityToken();
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = token,
            ["expires_on"] = expiresOn.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = identity.ClientId,
        });
    }

    /// <summary>"{resource}/.default" -> resource; the ARM scope "https://management.core.windows.net//.default" keeps its slash.</summary>
    private static string ResourceOfScope(string scope)
    {
        var first = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(s => s.EndsWith(DefaultSuffix, StringComparison.Ordinal));
        return first is null ? "" : first[..^DefaultSuffix.Length];
    }

    private static IResult Error(int status, string error, int code, string description) => Results.Json(new Dictionary<string, object>
    {
        ["error"] = error,
        ["error_description"] = $"AADSTS{code}: {description} Trace ID: {Guid.NewGuid()} Correlation ID: {Guid.NewGuid()} Timestamp: {DateTime.UtcNow:yyyy-MM-dd HH:mm:ssZ}",
        ["error_codes"] = new[] { code },
        ["timestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ssZ"),
        ["trace_id"] = Guid.NewGuid().ToString(),
        ["correlation_id"] = Guid.NewGuid().ToString(),
        ["error_uri"] = $"https://login.microsoftonline.com/error?code={code}",
    }, statusCode: status);
}
