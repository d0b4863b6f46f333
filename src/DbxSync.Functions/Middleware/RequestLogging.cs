using System.Diagnostics;
using DbxSync.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace DbxSync.Functions.Middleware;

/// <summary>One line per request, once the response is sent. Path only: headers carry the bearer token.</summary>
public sealed class RequestLogging(ILogger<RequestLogging> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.Http();
        var started = Stopwatch.GetTimestamp();
        http.Response.OnCompleted(() =>
        {
            logger.LogInformation("{Method} {Path} -> {Status} in {ElapsedMs} ms ({Function})", http.Request.Method, http.Request.Path.Value,
                http.Response.StatusCode, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, context.FunctionDefinition.Name);
            return Task.CompletedTask;
        });
        await next(context);
    }
}
