namespace DbxSync.Functions.Api.Problems;

/// <summary>Turns exceptions from the API endpoints into problem+json. Unexpected ones are logged with their stack, never returned.</summary>
public sealed class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer.
        }
        catch (Exception ex)
        {
            var (type, detail, field) = ExceptionProblemMapping.Map(ex);
            if (type.Status >= 500)
                logger.LogError(ex, "{Method} {Path} failed: {ProblemType}", context.Request.Method, context.Request.Path.Value, type.Slug);
            else
                logger.LogInformation("{Method} {Path} refused: {ProblemType} {Field}", context.Request.Method, context.Request.Path.Value, type.Slug, field);
            if (context.Response.HasStarted) throw;
            context.Response.Clear();
            await ProblemWriter.WriteAsync(context, type, detail, field);
        }
    }
}
