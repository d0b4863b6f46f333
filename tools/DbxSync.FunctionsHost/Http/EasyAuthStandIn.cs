using System.Text;
using System.Text.Json;

namespace DbxSync.FunctionsHost.Http;

/// <summary>
/// App Service Authentication ("Easy Auth") as far as an app behind it can tell, for local use only. Always, as App
/// Service does, it drops client-sent X-MS-CLIENT-PRINCIPAL* headers, so no caller can claim an identity. Only with
/// --easyauth-stand-in it also plays the sign-in: <c>/.auth/login/aad</c> signs the browser in (no password: it is a
/// local stand-in) with a session cookie and redirects to <c>post_login_redirect_uri</c>; <c>/.auth/logout</c> ends
/// it; a request with the session gets the headers App Service injects (X-MS-CLIENT-PRINCIPAL as base64 JSON with
/// the claims, -ID, -NAME, -IDP), and the worker sees WEBSITE_AUTH_ENABLED=True
/// (https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities). Sign-in takes the
/// configured principal, or <c>principal_id</c>/<c>app_id</c> from the query (stand-in only) so tests can be anyone.
/// Not modelled: bearer tokens of service callers, and the platform's own 401 for paths not excluded (the app's
/// gate answers those).
/// </summary>
public sealed class EasyAuthStandIn(RequestDelegate next, Configuration.LocalHostOptions options)
{
    public const string SessionCookie = "AppServiceAuthSession";
    private const string HeaderPrefix = "X-MS-CLIENT-PRINCIPAL";
    private const string ObjectIdClaim = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    public async Task InvokeAsync(HttpContext context)
    {
        foreach (var header in context.Request.Headers.Keys.Where(k => k.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase)).ToList())
            context.Request.Headers.Remove(header);
        if (options.EasyAuthPrincipal is not { } defaultPrincipal)
        {
            await next(context);
            return;
        }

        var path = context.Request.Path;
        if (path.Equals("/.auth/login/aad", StringComparison.OrdinalIgnoreCase))
        {
            var session = new Session(context.Request.Query["principal_id"].FirstOrDefault() ?? defaultPrincipal,
                context.Request.Query["app_id"].FirstOrDefault(), context.Request.Query["name"].FirstOrDefault() ?? "local user");
            context.Response.Cookies.Append(SessionCookie, Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(session)),
                new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Path = "/" });
            context.Response.Redirect(LocalRedirect(context.Request.Query["post_login_redirect_uri"].FirstOrDefault()));
            return;
        }
        if (path.Equals("/.auth/logout", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Cookies.Delete(SessionCookie, new CookieOptions { Path = "/" });
            context.Response.Redirect(LocalRedirect(context.Request.Query["post_logout_redirect_uri"].FirstOrDefault()));
            return;
        }

        if (context.Request.Cookies[SessionCookie] is { Length: > 0 } cookie && Read(cookie) is { } signedIn)
        {
            var claims = new List<object> { new { typ = ObjectIdClaim, val = signedIn.ObjectId }, new { typ = "name", val = signedIn.Name } };
            if (signedIn.ApplicationId is { } app) claims.Add(new { typ = "appid", val = app });
            var principal = new { auth_typ = "aad", claims, name_typ = "name", role_typ = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role" };
            context.Request.Headers[HeaderPrefix] = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(principal));
            context.Request.Headers[HeaderPrefix + "-ID"] = signedIn.ObjectId;
            context.Request.Headers[HeaderPrefix + "-NAME"] = signedIn.Name;
            context.Request.Headers[HeaderPrefix + "-IDP"] = "aad";
        }
        await next(context);
    }

    /// <summary>Only a path on this site: an absolute or protocol-relative URL would make sign-in an open redirect.</summary>
    private static string LocalRedirect(string? target)
        => target is { Length: > 0 } && target[0] == '/' && !target.StartsWith("//", StringComparison.Ordinal) && !target.StartsWith("/\\", StringComparison.Ordinal) ? target : "/";

    private static Session? Read(string cookie)
    {
        try
        {
            return JsonSerializer.Deserialize<Session>(Convert.FromBase64String(cookie)) is { ObjectId.Length: > 0 } session ? session : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    private sealed record Session(string ObjectId, string? ApplicationId, string Name);
}
