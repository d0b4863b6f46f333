using DbxSync.Functions.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.WebConsole;

/// <summary>
/// Serves the web console from the app itself, at the app's URL: <c>/</c> (index, revalidated every time) and
/// <c>/assets/{version}/{file}</c> (immutable, cached for a year); the old <c>/api/console/</c> redirects to
/// <c>/</c>. The console is a plain client of the public management API; its files hold no data, so they are served
/// without credentials ([AllowAnonymous]: the page must load before anyone can sign in).
/// </summary>
public sealed class ConsoleFunctions(ConsoleAssets assets)
{
    /// <summary>Same-origin only and no inline script, so an injected string can never run.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    [Function("Console")]
    [AllowAnonymous]
    public IActionResult Index([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = AppRoutes.ConsoleIndex)] HttpRequest req)
        => Send(req.HttpContext, assets.Index, immutable: false);

    [Function("ConsoleAsset")]
    [AllowAnonymous]
    public IActionResult Asset([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = AppRoutes.ConsoleAsset)] HttpRequest req, string version, string file)
        // Another version is a stale tab: 404, and its next load of index names the current one.
        => assets.Find(version, file) is { } asset ? Send(req.HttpContext, asset, immutable: true) : new NotFoundResult();

    /// <summary>Old links and bookmarks (the console lived at /api/console/ before it moved to the app's URL).</summary>
    [Function("LegacyConsole")]
    [AllowAnonymous]
    public IActionResult Legacy([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = AppRoutes.LegacyConsole)] HttpRequest req)
        => new RedirectResult("/", permanent: true);

    private static IActionResult Send(HttpContext context, ConsoleAsset asset, bool immutable)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag) return new StatusCodeResult(StatusCodes.Status304NotModified);
        return new FileContentResult(asset.Content, asset.ContentType);
    }
}
