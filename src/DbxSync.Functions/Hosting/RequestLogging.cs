using System.Diagnostics;

namespace DbxSync.Functions.Hosting;

/// <summary>One line per request. Path only: the query may carry the function key (code=), headers the bearer token.</summary>
public sealed class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            logger.LogInformation("{Method} {Path} -> {Status} in {ElapsedMs} ms", context.Request.Method, context.Request.Path.Value,
                context.Response.StatusCode, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
