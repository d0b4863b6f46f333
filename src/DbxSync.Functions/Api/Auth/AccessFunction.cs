using DbxSync.Functions.Api.OpenApi;
using DbxSync.Functions.Middleware;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Api.Auth;

/// <summary>What the caller may do (none, read_only, full), and in easyauth mode where to sign in and out.</summary>
public sealed record AccessResponse(string AuthMode, string Access, bool CanWrite, string? SignInUrl, string? SignOutUrl);

/// <summary>
/// /api/me: lets a client (the console) show the right sign-in and leave out edits a read-only credential may not
/// make; the API enforces access anyway. Answered without credentials: the auth mode is no secret and a client needs
/// it before it can sign in.
/// </summary>
public sealed class AccessFunction(ApiAuthenticator authenticator)
{
    [Function("GetAccess")]
    [AllowAnonymous]
    [ApiOperation("Access", "The caller's access (none, read_only, full) and, in easyauth mode, the sign-in URL. No auth", Response = typeof(AccessResponse))]
    public IActionResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.Access)] HttpRequest req, FunctionContext context)
    {
        var access = ApiAuthMiddleware.AccessOf(context);
        var easyAuth = authenticator.Mode == ApiAuthMode.EasyAuth;
        return ApiResult.Ok(new AccessResponse(
            easyAuth ? "easyauth" : "tokens",
            access switch { ApiAccess.Full => "full", ApiAccess.ReadOnly => "read_only", _ => "none" },
            access == ApiAccess.Full,
            // App Service Authentication's own endpoints; the platform keeps the session in its cookie.
            easyAuth ? "/.auth/login/aad" : null,
            easyAuth ? "/.auth/logout" : null));
    }
}
