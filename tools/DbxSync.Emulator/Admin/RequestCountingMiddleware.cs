namespace DbxSync.Emulator.Admin;

/// <summary>Counts every request by its route pattern, including ones rejected by faults or auth.</summary>
public sealed class RequestCountingMiddleware(RequestDelegate next, EmulatorStats stats)
{
    public Task InvokeAsync(HttpContext context)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
        stats.CountRequest($"{context.Request.Method} {route}");
        return next(context);
    }
}
