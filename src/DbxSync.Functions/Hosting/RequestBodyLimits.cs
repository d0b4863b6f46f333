using Microsoft.AspNetCore.Http.Features;

namespace DbxSync.Functions.Hosting;

/// <summary>
/// Management calls are small; invocation envelopes from the host may be large (the host inlines trigger data),
/// and a 413 there would fail, retry and poison the message.
/// </summary>
public sealed class RequestBodyLimits(RequestDelegate next)
{
    public const long ManagementLimit = Api.Json.JsonBody.MaxManagementBodyBytes;
    public const long InvocationLimit = 256L * 1024 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = context.Request.Path.StartsWithSegments("/api") ? ManagementLimit : InvocationLimit;
        return next(context);
    }
}
