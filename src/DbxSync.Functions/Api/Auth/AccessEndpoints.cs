namespace DbxSync.Functions.Api.Auth;

/// <summary>
/// What the caller may do (none, read_only, full) and how to sign in, so a client (the console) can show the right
/// sign-in and hide edits from a read-only credential. The API enforces access anyway. Answered without credentials:
/// the auth mode is no secret and a client needs it before it can sign in.
/// </summary>
public sealed record AccessResponse(string AuthMode, string Access, bool CanWrite, string? SignInUrl, string? SignOutUrl);

public static class AccessEndpoints
{
    public const string Route = "/api/me";

    public static IEndpointRouteBuilder MapAccessEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Route, (HttpRequest request, ApiAuthenticator authenticator) =>
        {
            var access = authenticator.Authenticate(request);
            var easyAuth = authenticator.Mode == ApiAuthMode.EasyAuth;
            return Results.Ok(new AccessResponse(
                authenticator.Mode switch { ApiAuthMode.EasyAuth => "easyauth", ApiAuthMode.Host => "host", _ => "tokens" },
                access switch { ApiAccess.Full => "full", ApiAccess.ReadOnly => "read_only", _ => "none" },
                access == ApiAccess.Full,
                // App Service Authentication's own endpoints; the platform keeps the session in its cookie.
                easyAuth ? "/.auth/login/aad" : null,
                easyAuth ? "/.auth/logout" : null));
        }).WithTags("Access").WithSummary("The caller's access (none, read_only, full) and the sign-in URL in easyauth mode (no auth)").Produces<AccessResponse>();
        return routes;
    }
}
