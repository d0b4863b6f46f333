using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.WebConsole;

/// <summary>
/// Serves the web console from the app itself: {prefix}/console/ (index, revalidated every time) and
/// {prefix}/console/assets/{version}/{file} (immutable, cached for a year). The console is a plain client of the
/// public management API; its files hold no data, so they are served without credentials.
/// </summary>
public sealed class ConsoleFunctions(ConsoleAssets assets)
{
    /// <summary>The console's path under the host's route prefix ("api" in host.json).</summary>
    public const string Route = "/api/console";

    /// <summary>Same-origin only and no inline script, so an injected string can never run.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    [Function("Console")]
    public IActionResult Serve([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "console/{*path}")] HttpRequest req, string? path)
    {
        if (string.IsNullOrEmpty(path))
            // The page's relative asset URLs need the trailing slash.
            return req.Path.Value!.EndsWith('/') ? Send(req.HttpContext, assets.Index, immutable: false) : new RedirectResult(Route + "/");
        var parts = path.Split('/', 3);
        return parts is ["assets", var version, var file] && assets.Find(version, file) is { } asset
            ? Send(req.HttpContext, asset, immutable: true)
            : new NotFoundResult();
    }

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
