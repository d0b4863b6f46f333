namespace DbxSync.Functions.Api.Problems;

public static class StatusCodeProblems
{
    /// <summary>Bodiless 404/405 from routing (unknown route, wrong method) become problems too.</summary>
    public static IApplicationBuilder UseStatusCodeProblems(this IApplicationBuilder app)
        => app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var type = http.Response.StatusCode switch
            {
                404 => ProblemTypes.NotFound,
                405 => ProblemTypes.MethodNotAllowed,
                413 => ProblemTypes.PayloadTooLarge,
                415 => ProblemTypes.UnsupportedMediaType,
                _ => null,
            };
            if (type is null) return;
            var detail = type.Status switch
            {
                404 => $"No resource at {http.Request.Path.Value}.",
                405 => $"{http.Request.Method} is not allowed on {http.Request.Path.Value}.",
                _ => type.Title + ".",
            };
            await ProblemWriter.WriteAsync(http, type, detail);
        });
}
