using DbxSync.Functions.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace DbxSync.Functions.Middleware;

/// <summary>
/// Management calls are small. JsonBody refuses a body over 64 KiB with a 413 problem; the server itself stops at
/// 1 MiB. The gap lets the server read off the rest of a refused body, so that the 413 reaches the caller through
/// the host's proxy instead of a reset connection (which the proxy would report as 502).
/// </summary>
public sealed class RequestBodyLimits : IFunctionsWorkerMiddleware
{
    public const long ServerLimit = 1024 * 1024;

    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var feature = context.Http().Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = ServerLimit;
        return next(context);
    }
}
