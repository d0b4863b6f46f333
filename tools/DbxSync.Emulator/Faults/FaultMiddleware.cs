using DbxSync.Emulator.Http;

namespace DbxSync.Emulator.Faults;

/// <summary>Answers a configured share of requests the way an overloaded or unavailable workspace does.</summary>
public sealed class FaultMiddleware(RequestDelegate next, FaultInjector faults)
{
    public Task InvokeAsync(HttpContext context)
    {
        switch (faults.NextRequestFault(context.Request.Path.Value ?? ""))
        {
            case RequestFault.Throttled:
                context.Response.Headers.RetryAfter = faults.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ErrorEnvelope.WriteAsync(context, 429, "REQUEST_LIMIT_EXCEEDED",
                    "REQUEST_LIMIT_EXCEEDED: Emulated RPC token bucket limit has been exceeded.");
            case RequestFault.Unavailable:
                context.Response.Headers.RetryAfter = faults.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ErrorEnvelope.WriteAsync(context, 503, "TEMPORARILY_UNAVAILABLE", "Service temporarily unavailable");
            default:
                return next(context);
        }
    }
}
