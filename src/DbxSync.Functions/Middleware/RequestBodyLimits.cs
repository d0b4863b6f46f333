using DbxSync.Functions.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace DbxSync.Functions.Middleware;

/// <summary>Management calls are small: the server stops reading a body past the limit (JsonBody answers 413).</summary>
public sealed class RequestBodyLimits : IFunctionsWorkerMiddleware
{
    public const long ManagementLimit = Api.Json.JsonBody.MaxManagementBodyBytes;

    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var feature = context.Http().Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = ManagementLimit;
        return next(context);
    }
}
