using Microsoft.AspNetCore.Http.Features;

namespace DbxSync.Emulator.Files;

/// <summary>
/// Kestrel collapses "/../" before routing, which could silently re-target a Files API call; the raw
/// request target is checked first so such paths are refused instead of rewritten.
/// </summary>
public sealed class PathTraversalGuardMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        var path = raw.Split('?', 2)[0];
        if (path.StartsWith("/api/", StringComparison.Ordinal)
            && path.Split('/').Select(Uri.UnescapeDataString).Any(segment => segment is "." or ".." || segment.Contains('\\') || segment.Contains('\0')))
        {
            await FilesErrors.InvalidPath("Relative path segments are not allowed.").ExecuteAsync(context);
            return;
        }
        await next(context);
    }
}
