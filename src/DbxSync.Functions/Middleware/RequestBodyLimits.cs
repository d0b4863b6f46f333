using DbxSync.Functions.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace DbxSync.Functions.Middleware;

/// <summary>
/// Management calls are small: JsonBody refuses a body over 64 KiB with a 413 problem. The server itself stops only
/// at the platform's own limit, 100 MB ("Azure Functions HTTP trigger", Limits: "The HTTP request length is limited
/// to 100 MB (104,857,600 bytes)"), so that after a 413 it reads off the rest of the refused body instead of closing
/// the connection while the host's proxy is still sending: a reset there reaches the caller as a 502 with an empty
/// body (seen for 18 of 20 requests of 5 MiB with a 1 MiB server limit). Reading off costs what the front end in
/// Azure would accept anyway.
/// </summary>
public sealed class RequestBodyLimits : IFunctionsWorkerMiddleware
{
    public const long ServerLimit = 100L * 1024 * 1024;

    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var feature = context.Http().Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = ServerLimit;
        return next(context);
    }
}
