namespace DbxSync.Emulator.Admin;

/// <summary>Counts every request by its route pattern, including ones rejected by faults or auth, and separately those answered with an error status.</summary>
public sealed class RequestCountingMiddleware(RequestDelegate next, EmulatorStats stats)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var route = $"{context.Request.Method} {(context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)"}";
        stats.CountRequest(route);
        try
        {
            await next(context);
        }
        catch
        {
            stats.CountFailedRequest(route, StatusCodes.Status500InternalServerError);
            throw;
        }
        if (context.Response.StatusCode >= 400)
            stats.CountFailedRequest(route, context.Response.StatusCode);
    }
}
