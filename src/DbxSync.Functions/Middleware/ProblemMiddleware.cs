using DbxSync.Functions.Api.Problems;
using DbxSync.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace DbxSync.Functions.Middleware;

/// <summary>Turns exceptions from the API functions into problem+json. Unexpected ones are logged with their stack, never returned.</summary>
public sealed class ProblemMiddleware(ILogger<ProblemMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.Http();
        try
        {
            await next(context);
        }
        catch (Exception ex) when (Unwrap(ex) is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer.
        }
        catch (Exception wrapped)
        {
            var ex = Unwrap(wrapped);
            var (type, detail, field) = ExceptionProblemMapping.Map(ex);
            if (type.Status >= 500)
                logger.LogError(ex, "{Method} {Path} failed: {ProblemType}", http.Request.Method, http.Request.Path.Value, type.Slug);
            else
                logger.LogInformation("{Method} {Path} refused: {ProblemType} {Field}", http.Request.Method, http.Request.Path.Value, type.Slug, field);
            if (http.Response.HasStarted) throw;
            context.GetInvocationResult().Value = new ProblemResult(type, detail, field);
        }
    }

    // The worker may wrap what a function threw.
    private static Exception Unwrap(Exception ex) => ex is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerException!) : ex;
}
