using DbxSync.Functions.Api.Problems;

namespace DbxSync.Functions.Api.Auth;

/// <summary>Guards everything under /api except health. Runs before routing so unknown routes do not reveal themselves to strangers.</summary>
public sealed class ApiAuthMiddleware(RequestDelegate next, ApiAuthenticator authenticator, ILogger<ApiAuthMiddleware> logger)
{
    public static readonly PathString[] AnonymousPaths = ["/api/health", AccessEndpoints.Route];

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/api") || AnonymousPaths.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            await next(context);
            return;
        }

        var access = authenticator.Authenticate(context.Request);
        if (access == ApiAccess.None)
        {
            logger.LogInformation("Refused {Method} {Path}: missing or invalid credentials ({AuthMode})", context.Request.Method, path.Value, authenticator.Mode);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ProblemWriter.WriteAsync(context, ProblemTypes.Unauthorized, "Send Authorization: Bearer <token> with a valid API token.");
            return;
        }
        if (access == ApiAccess.ReadOnly && !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            logger.LogInformation("Refused {Method} {Path}: read-only credential", context.Request.Method, path.Value);
            await ProblemWriter.WriteAsync(context, ProblemTypes.Forbidden, "This token may only read (GET).");
            return;
        }
        await next(context);
    }
}
