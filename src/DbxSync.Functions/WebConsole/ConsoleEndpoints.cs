using Microsoft.Net.Http.Headers;

namespace DbxSync.Functions.WebConsole;

/// <summary>
/// Serves the web console: /console/ (index, revalidated every time) and /console/assets/{version}/{file}
/// (immutable, cached for a year). The console is a plain client of the public management API under /api.
/// </summary>
public static class ConsoleEndpoints
{
    public const string Route = "/console";

    /// <summary>Same-origin only; no inline script, so an injected string can never run.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapConsoleEndpoints(this IEndpointRouteBuilder routes)
    {
        // Routing treats /console and /console/ alike; the page's relative asset URLs need the slash.
        routes.MapGet(Route, (HttpContext context, ConsoleAssets assets) => context.Request.Path.Value!.EndsWith('/')
            ? Send(context, assets.Index, immutable: false)
            : Results.Redirect(Route + "/")).ExcludeFromDescription();
        routes.MapGet(Route + "/assets/{version}/{**path}", (string version, string path, HttpContext context, ConsoleAssets assets)
            => assets.Find(version, path) is { } asset ? Send(context, asset, immutable: true) : Results.NotFound()).ExcludeFromDescription();
        return routes;
    }

    private static IResult Send(HttpContext context, ConsoleAsset asset, bool immutable)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Content, asset.ContentType);
    }
}
