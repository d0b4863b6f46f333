using DbxSync.Emulator.Entra;
using DbxSync.Emulator.Http;

namespace DbxSync.Emulator.Auth;

/// <summary>The workspace gateway: every /api/ call needs a valid bearer token, answered with the gateway's numeric error codes.</summary>
public sealed class BearerAuthenticationMiddleware(RequestDelegate next, TokenService tokens)
{
    public const string PrincipalKey = "dbxsync.emulator.principal";

    public static AuthenticatedPrincipal GetPrincipal(HttpContext context) =>
        context.Items[PrincipalKey] as AuthenticatedPrincipal
        ?? throw new InvalidOperationException("Route is not behind bearer authentication");

    public async Task InvokeAsync(HttpContext context, EntraTokenValidator entra)
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            await next(context);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"DatabricksRealm\"";
            await ErrorEnvelope.WriteGatewayAsync(context, 401, "Credential was not sent or was of an unsupported type for this API.");
            return;
        }

        var token = header["Bearer ".Length..].Trim();
        AuthenticatedPrincipal? principal;
        if (EntraTokenValidator.LooksLikeJwt(token))
        {
            // An Entra ID access token (Azure Databricks only); refusals carry the workspace's own status and words.
            var outcome = await entra.ValidateAsync(token, context.Request, context.RequestAborted);
            if (outcome.Principal is null)
            {
                await ErrorEnvelope.WriteGatewayAsync(context, outcome.Status, outcome.Message!);
                return;
            }
            principal = outcome.Principal;
        }
        else
        {
            principal = tokens.Validate(token);
        }
        if (principal is null)
        {
            await ErrorEnvelope.WriteGatewayAsync(context, 403, "Invalid access token.");
            return;
        }

        context.Items[PrincipalKey] = principal;
        await next(context);
    }
}
