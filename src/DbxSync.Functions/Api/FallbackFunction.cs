using DbxSync.Functions.Api.OpenApi;
using DbxSync.Functions.Api.Problems;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Api;

/// <summary>
/// Catch-all route (routing tries it after every other route, so it never takes <c>/</c>, which the console's index
/// route matches): an unknown path is a 404 problem, a known API path with another method a 405 problem, instead of
/// the host's bodiless answers. Authentication runs first, as for any route that is not [AllowAnonymous].
/// </summary>
public sealed class FallbackFunction
{
    private static readonly Lazy<IReadOnlyList<HttpFunctionRoute>> Routes = new(() => HttpFunctionRoute.ApiOperations(typeof(FallbackFunction).Assembly));

    [Function("NotFound")]
    public IActionResult Answer([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", "head", "options", Route = AppRoutes.Fallback)] HttpRequest req)
    {
        var path = req.Path;
        var allowed = Routes.Value.Where(r => r.MatchesPath(path)).SelectMany(r => r.Methods).Distinct().ToList();
        if (allowed.Count == 0)
            return new ProblemResult(ProblemTypes.NotFound, $"No resource at {path.Value}.");
        req.HttpContext.Response.Headers.Allow = string.Join(", ", allowed);
        return new ProblemResult(ProblemTypes.MethodNotAllowed, $"{req.Method} is not allowed on {path.Value}.");
    }
}
