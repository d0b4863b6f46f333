using DbxSync.Emulator.Http;

namespace DbxSync.Emulator.Auth;

/// <summary>The workspace gateway: every /api/ call needs a valid bearer token, answered with the gateway's numeric error codes.</summary>
public sealed class BearerAuthenticationMiddleware(RequestDelegate next, TokenService tokens)
{
    private const string PrincipalKey = "dbxsync.emulator.principal";

    public static AuthenticatedPrincipal GetPrincipal(HttpContext context) =>
        context.Items[PrincipalKey] as AuthenticatedPrincipal
        ?? throw new InvalidOperationException("Route is not behind bearer authentication");

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
            return next(context);

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"DatabricksRealm\"";
            return ErrorEnvelope.WriteGatewayAsync(context, 401, "Credential was not sent or was of an unsupported type for this API.");
        }

        var principal = tokens.Validate(header["Bearer ".Length..].Trim());
        if (principal is null)
            return ErrorEnvelope.WriteGatewayAsync(context, 403, "Invalid access token.");

        context.Items[PrincipalKey] = principal;
        return next(context);
    }
}
