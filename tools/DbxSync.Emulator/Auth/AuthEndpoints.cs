using System.Text;
using System.Text.Json.Serialization;
using DbxSync.Emulator.Http;

namespace DbxSync.Emulator.Auth;

/// <summary>OIDC discovery and the client-credentials token endpoint (OAuth M2M for service principals).</summary>
public static class AuthEndpoints
{
    public sealed record DiscoveryDocument(
        string Issuer, string AuthorizationEndpoint, string TokenEndpoint, string JwksUri,
        IReadOnlyList<string> GrantTypesSupported, IReadOnlyList<string> ScopesSupported,
        IReadOnlyList<string> TokenEndpointAuthMethodsSupported);

    public sealed record TokenResponse(string AccessToken, string TokenType, long ExpiresIn, string Scope);

    /// <summary>RFC 6749 error shape, deliberately not the Databricks envelope.</summary>
    public sealed record OAuthError(
        [property: JsonPropertyName("error")] string Error,
        [property: JsonPropertyName("error_description")] string ErrorDescription);

    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/oidc/.well-known/oauth-authorization-server", (HttpContext context) =>
        {
            var origin = $"{context.Request.Scheme}://{context.Request.Host}";
            return Results.Json(new DiscoveryDocument(
                $"{origin}/oidc", $"{origin}/oidc/v1/authorize", $"{origin}/oidc/v1/token", $"{origin}/oidc/jwks.json",
                ["client_credentials"], ["all-apis", "sql", "files"], ["client_secret_basic", "client_secret_post"]),
                EmulatorJson.Options);
        });

        app.MapPost("/oidc/v1/token", IssueTokenAsync);
    }

    private static async Task<IResult> IssueTokenAsync(HttpContext context, TokenService tokens)
    {
        if (!context.Request.HasFormContentType)
            return OAuthFailure(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var grantType = form["grant_type"].ToString();
        if (string.IsNullOrEmpty(grantType))
            return OAuthFailure(400, "invalid_request", "Missing grant_type");
        if (grantType != "client_credentials")
            return OAuthFailure(400, "unsupported_grant_type", $"Grant type '{grantType}' is not supported");

        var (clientId, clientSecret) = ReadClientCredentials(context.Request, form);
        if (clientId is null || clientSecret is null)
            return OAuthFailure(401, "invalid_client", "Client authentication failed");

        var principal = tokens.FindServicePrincipal(clientId, clientSecret);
        if (principal is null)
            return OAuthFailure(401, "invalid_client", "Client authentication failed");

        var scope = form["scope"].ToString();
        var (token, lifetime) = tokens.IssueFor(principal);
        return Results.Json(new TokenResponse(token, "Bearer", (long)lifetime.TotalSeconds,
            string.IsNullOrEmpty(scope) ? "all-apis" : scope), EmulatorJson.Options);
    }

    private static (string? ClientId, string? ClientSecret) ReadClientCredentials(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                var colon = decoded.IndexOf(':');
                if (colon > 0)
                    return (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
            }
            catch (FormatException)
            {
            }
            return (null, null);
        }

        var formId = form["client_id"].ToString();
        var formSecret = form["client_secret"].ToString();
        return (formId.Length == 0 ? null : formId, formSecret.Length == 0 ? null : formSecret);
    }

    private static IResult OAuthFailure(int status, string error, string description) =>
        Results.Json(new OAuthError(error, description), statusCode: status);
}
